"""`manage.py benchmark`: the forum's main pages under load, on a production server.

See `Command.help` for how to run it and how to read the scaling check; the pages
and whom they are measured as are in community/config/benchmark_pages.py.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from community.cache import content_changed
from community.config.benchmark_client import (
    LOOPBACK,
    RESULT_HEADERS,
    SCALING_TARGET,
    check_loopback,
    compare_runs,
    format_comparison,
    format_table,
    result_rows,
    run_load,
    run_sequential,
    run_wrk,
    throughput_ratio,
)
from community.config.benchmark_pages import (
    BASELINE_PAGES,
    MANY_REPLIES,
    PAGE_SPECS,
    PAGES,
    Targets,
    find_targets,
    missing_people,
    page_paths,
    write_reply,
)
from community.config.benchmark_process import (
    RENDER_REPEAT,
    PageFailed,
    create_session,
    delete_session,
    explain_page,
    queries_per_request,
    render_time,
)
from community.models import Reply, Thread

# Caches local to a process: a write made in this command's process would not reach
# the server's, so the pages measured after a write cannot be.
UNSHARED_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


def cache_is_shared() -> bool:
    """Whether this process and the server it starts share one cache (Redis)."""
    return settings.CACHES["default"]["BACKEND"] not in UNSHARED_CACHES


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str = "", timeout: float = 30) -> tuple[int, bytes]:
    connection_ = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection_.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection_.getresponse()
        return response.status, response.read()
    finally:
        connection_.close()


class Server:
    """gunicorn with production settings on 127.0.0.1, for the length of a `with`."""

    def __init__(self, *, workers: int, secret_key: str, log):
        self.workers = workers
        self.secret_key = secret_key
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = log

    @property
    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "community.config.settings",
            # Mounts the constant baseline page, which production never serves.
            "BENCHMARK_URLS": "1",
            "DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": LOOPBACK,
            # Plain HTTP on localhost: no redirect to HTTPS, cookies sent without TLS.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "LOG_LEVEL": "WARNING",
        }

    def collectstatic(self, *, force: bool) -> None:
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if manifest.exists() and not force:
            return
        self.log(f"Collecting static files into {settings.STATIC_ROOT} (production storage)...")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=self.environment,
            check=True,
        )

    def __enter__(self):
        self.errors = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "community.config.wsgi",
                "--bind",
                f"{LOOPBACK}:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=settings.BASE_DIR,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
            # Its own process group: Ctrl-C reaches this command, which stops it.
            start_new_session=True,
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.errors.seek(0)
                raise CommandError(f"gunicorn exited early:\n{self.errors.read()[-3000:]}")
            try:
                status, _ = get(self.port, "/healthz", timeout=5)
            except OSError:
                status = None
            if status == 200:
                return
            time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer /healthz within {timeout:.0f} s.")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()

    def __exit__(self, *exc_info):
        self.stop()


RENDER_REPEAT_TEXT = f"{RENDER_REPEAT} after one untimed"
LEGEND = (
    'share: requests/s as a share of those of the constant page in "of", measured as '
    "the same kind of viewer.\n"
    "*_after_write: one connection, one request at a time, each right after a write by a "
    "member.\n"
    f"cpu ms, wall ms: one request in one process, DEBUG off, median of {RENDER_REPEAT}."
)


class Command(BaseCommand):
    help = (
        "Benchmark the main pages on a production server (gunicorn, DEBUG off) started on "
        "127.0.0.1 against the same database: requests/s, p50 and p99 latency, SQL queries "
        "per request, and throughput as a share of a constant page measured as the same "
        "kind of viewer (visitors' pages against the visitors' constant page; members' "
        "and moderators' pages against the signed-in one). Signed-in pages also get the "
        "time of one rendering in this process (CPU and wall clock, median of "
        f"{RENDER_REPEAT_TEXT}). Load comes from wrk when installed, else from a bundled "
        "Python client. The search after a write is measured one request at a time, each "
        "right after a write; it writes one reply first (use a copy of data you must keep "
        "as it is, or leave search_after_write out). "
        "Scaling check: `manage.py seed_scale` to 10,000 threads, run `manage.py benchmark "
        "--json bench-10k.json`; seed to 100,000 threads, run `manage.py benchmark --compare "
        "bench-10k.json`: each page's p50 may grow by at most 20% (ratio <= 1.2). "
        "The member and moderator pages sign in as accounts of `seed_demo`. "
        "On SQLite (DATABASE_URL unset) use --workers 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=10, help="Seconds of load per page.")
        parser.add_argument("--warmup", type=float, default=2, help="Seconds of warm-up per page.")
        parser.add_argument("--connections", type=int, default=8, help="Concurrent connections.")
        parser.add_argument(
            "--threads", type=int, default=2, help="Client threads (wrk) or processes (Python)."
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument("--json", metavar="PATH", help="Write the results to this file.")
        parser.add_argument(
            "--compare",
            metavar="PATH",
            help=f"A previous --json result: print p50 ratios (target <= {SCALING_TARGET}).",
        )
        parser.add_argument(
            "--pages",
            default=",".join(spec.name for spec in PAGES),
            help="Comma-separated pages to measure (each with its constant page), from: "
            f"{', '.join(spec.name for spec in PAGES)}.",
        )
        parser.add_argument(
            "--client",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="Load tool: wrk when installed (auto), or the bundled Python client.",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Only EXPLAIN each page's queries (PostgreSQL) and list sequential scans "
            "over the large tables; no server, no load.",
        )
        parser.add_argument(
            "--collectstatic",
            action="store_true",
            help="Run collectstatic first even when a manifest exists (always when it does not).",
        )

    def handle(self, *args, **options):
        if options["duration"] <= 0 or options["duration"] > 600:
            raise CommandError("--duration must be between 0 and 600 seconds.")
        if options["connections"] < 1 or options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--connections, --threads and --workers must be at least 1.")
        wanted = [name.strip() for name in options["pages"].split(",") if name.strip()]
        if unknown := set(wanted) - set(PAGE_SPECS):
            raise CommandError(f"Unknown pages: {', '.join(sorted(unknown))}.")
        previous = self._load_previous(options["compare"])
        wrk = shutil.which("wrk") if options["client"] != "python" else None
        if options["client"] == "wrk" and not wrk:
            raise CommandError("wrk is not installed.")

        targets = find_targets()
        self._describe(targets)
        paths = page_paths(targets)
        pages = self._pages(wanted, paths, explain=options["explain"])
        if problems := missing_people(targets, pages):
            raise CommandError(
                " ".join(problems) + " Seed the database with `manage.py seed_demo` (then "
                "`manage.py seed_scale`), or leave those pages out with --pages."
            )

        if options["explain"]:
            self._explain(pages, paths, targets)
            return

        secret_key = secrets.token_urlsafe(50)
        server = Server(workers=options["workers"], secret_key=secret_key, log=self.stdout.write)
        server.collectstatic(force=options["collectstatic"])
        measured_here = self._measure_in_process(pages, paths, targets)

        sessions: dict[str, str] = {}
        rows, written = [], None
        try:
            for role in {PAGE_SPECS[name].role for name in pages} - {None}:
                sessions[role] = create_session(getattr(targets, role), secret_key=secret_key)
            self.stdout.write(
                f"Starting gunicorn ({options['workers']} workers) on {LOOPBACK}:{server.port}; "
                f"load from {'wrk' if wrk else 'the Python client'}, "
                f"{options['connections']} connections, {options['duration']:g} s per page."
            )
            with server:
                rps_of: dict[str, float] = {}
                for name in pages:
                    spec = PAGE_SPECS[name]
                    if spec.after_write and written is None:
                        try:
                            written = write_reply(targets)
                        except ValueError as error:
                            raise CommandError(f"The write before {name}: {error}") from error
                        self.stdout.write(
                            f"Wrote reply #{written.pk} in thread #{written.thread_id} as "
                            f"{targets.member.username}: the pages after a write follow it."
                        )
                    cookie = (
                        f"{settings.SESSION_COOKIE_NAME}={sessions[spec.role]}" if spec.role else ""
                    )
                    result = self._measure(
                        server.port, paths[name], cookie, spec=spec, wrk=wrk, options=options
                    )
                    rps_of[name] = result.rps
                    rows.append(
                        self._row(
                            spec,
                            paths[name],
                            result,
                            measured_here[name],
                            rps_of,
                            connections=options["connections"],
                        )
                    )
                    self.stdout.write(
                        f"  {name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms"
                    )
        finally:
            for session_key in sessions.values():
                delete_session(session_key)

        self.stdout.write("")
        self.stdout.write(format_table(RESULT_HEADERS, result_rows(rows)))
        self.stdout.write(LEGEND)
        report = self._report(rows, targets, options, tool="wrk" if wrk else "python")
        if written is not None:
            report["write"] = {"reply": written.pk, "thread": written.thread_id}
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"\nWrote {options['json']}.")
        if previous is not None:
            self._compare(report, previous, options["compare"])

    def _pages(self, wanted: list[str], paths: dict, *, explain: bool) -> list[str]:
        """The pages to measure, in PAGES order: those asked for that the data has, each
        with the constant page its share is taken against."""
        for name in wanted:
            if name not in paths:
                self.stderr.write(f"Skipping {name}: nothing in the data to measure it on.")
        chosen = {name for name in wanted if name in paths}
        if not cache_is_shared() and not explain:
            for name in sorted(n for n in chosen if PAGE_SPECS[n].after_write):
                self.stderr.write(
                    f"Skipping {name}: this process's writes cannot reach the server's cache "
                    "(set REDIS_URL to a Redis both use)."
                )
            chosen = {name for name in chosen if not PAGE_SPECS[name].after_write}
        if not explain:
            chosen |= {PAGE_SPECS[name].baseline for name in chosen}
        return [spec.name for spec in PAGES if spec.name in chosen]

    def _measure_in_process(self, pages, paths, targets) -> dict[str, dict]:
        """Per page: its SQL queries (served, and rendered after a write) and, for the
        signed-in pages, the time of one rendering."""
        self.stdout.write(
            "Counting SQL queries per request, timing one rendering of each signed-in page "
            "(in process)..."
        )
        measured = {}
        for name in pages:
            spec = PAGE_SPECS[name]
            user = getattr(targets, spec.role) if spec.role else None
            try:
                served, rendered = queries_per_request(paths[name], user)
                timing = (
                    render_time(paths[name], user, after_write=spec.after_write)
                    if spec.role
                    else None
                )
            except PageFailed as error:
                raise CommandError(f"{name}: {error}") from error
            if spec.after_write and name not in BASELINE_PAGES and served == rendered:
                self.stderr.write(
                    f"{name}: a write changes none of its queries ({served} both warm and "
                    "right after a write): check that its figure is still that of a page "
                    "right after a write, not of one served from a cache."
                )
            measured[name] = {
                # Each request measured after a write is a rendering afresh.
                "queries": rendered if spec.after_write else served,
                "queries_rendered": rendered,
                "render_cpu_ms": timing.cpu_ms if timing else None,
                "render_wall_ms": timing.wall_ms if timing else None,
            }
        return measured

    def _row(self, spec, path, result, measured_here, rps_of, *, connections) -> dict:
        return {
            "page": spec.name,
            "kind": spec.kind,
            "path": path,
            "baseline": spec.baseline,
            "rps": result.rps,
            "p50_ms": result.p50_ms,
            "p99_ms": result.p99_ms,
            **measured_here,
            # The share against the constant page of the same kind of viewer...
            "ratio": throughput_ratio(result.rps, rps_of.get(spec.baseline)),
            # ...and against the visitors' one, as runs before the signed-in ones had it.
            "ratio_to_visitor_baseline": (
                None if spec.after_write else throughput_ratio(result.rps, rps_of.get("baseline"))
            ),
            "connections": 1 if spec.after_write else connections,
            "requests": result.requests,
            "errors": result.errors,
            "tool": result.tool,
        }

    def _measure(self, port, path, cookie, *, spec, wrk, options):
        status, _ = get(port, path, cookie)
        if status != 200:
            raise CommandError(f"{path} answered {status} on the server, not 200.")
        headers = {"Cookie": cookie} if cookie else {}
        if spec.after_write:
            # One request at a time, each right after a write (see PageSpec.after_write):
            # this process and the server share the cache, so the write reaches it.
            return run_sequential(
                host=LOOPBACK,
                port=port,
                path=path,
                seconds=options["duration"],
                before_each=content_changed,
                headers=headers,
            )
        load = {
            "host": LOOPBACK,
            "port": port,
            "path": path,
            "connections": options["connections"],
            "headers": headers,
        }
        check_loopback(load["host"])
        if options["warmup"] > 0:
            run_load(seconds=options["warmup"], processes=1, **load)
        if wrk:
            return run_wrk(wrk, seconds=options["duration"], threads=options["threads"], **load)
        return run_load(seconds=options["duration"], processes=options["threads"], **load)

    def _explain(self, pages, paths, targets: Targets) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("--explain reads PostgreSQL's plans: set DATABASE_URL.")
        total_scans = 0
        for name in pages:
            role = PAGE_SPECS[name].role
            plans = explain_page(paths[name], getattr(targets, role) if role else None)
            scans = [(sql, table) for sql, tables in plans for table in tables]
            total_scans += len(scans)
            self.stdout.write(
                f"{name}: {len(plans)} queries when rendered, "
                f"{len(scans) or 'no'} sequential scans over large tables"
            )
            for sql, table in scans:
                self.stdout.write(f"  Seq Scan on {table}: {sql[:160]}")
        self.stdout.write(f"Sequential scans over large tables: {total_scans}.")

    def _describe(self, targets: Targets) -> None:
        thread = targets.thread
        if thread is not None:
            note = "" if thread.reply_count >= MANY_REPLIES else f" (fewer than {MANY_REPLIES})"
            self.stdout.write(
                f"Thread: #{thread.pk} {thread.title!r}, {thread.reply_count} replies{note}."
            )
        if targets.category:
            self.stdout.write(
                f"Category: {targets.category.slug}, tag: {targets.tag_slug or '(none)'}."
            )
        if targets.search_word:
            self.stdout.write(
                f"Search word: {targets.search_word!r}, in the title or text of "
                f"{targets.search_word_share:.0%} of the visible threads."
            )
        self.stdout.write(
            f"Member: {targets.member.username if targets.member else '(none)'}; moderator: "
            f"{targets.moderator.username if targets.moderator else '(none)'}."
        )

    def _report(self, rows, targets, options, *, tool) -> dict:
        return {
            "date": timezone.now().isoformat(timespec="seconds"),
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                # Other work on the machine skews the numbers: recorded to judge a run by.
                "load_average": os.getloadavg(),
            },
            "database": connection.vendor,
            "data": {
                "threads": Thread.objects.count(),
                "visible_threads": Thread.objects.visible().count(),
                "replies": Reply.objects.count(),
                "visible_replies": Reply.objects.visible().count(),
            },
            "settings": {
                "duration": options["duration"],
                "warmup": options["warmup"],
                "connections": options["connections"],
                "threads": options["threads"],
                "workers": options["workers"],
                "client": tool,
                "render_repeat": RENDER_REPEAT,
            },
            "targets": targets.describe(),
            "rows": rows,
        }

    def _load_previous(self, path):
        if not path:
            return None
        try:
            return json.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error

    def _compare(self, report, previous, path) -> None:
        comparisons = compare_runs(report, previous)
        before, now = previous.get("data", {}), report["data"]
        self.stdout.write(
            f"\nScaling: this run ({now.get('threads')} threads) against {path} "
            f"({before.get('threads')} threads); p50 ratio target <= {SCALING_TARGET}"
        )
        self.stdout.write(format_comparison(comparisons))
        failed = [c.page for c in comparisons if not c.passed]
        if failed:
            raise CommandError(f"Slower than {SCALING_TARGET}x: {', '.join(failed)}.")
        self.stdout.write("All compared pages within the target.")
