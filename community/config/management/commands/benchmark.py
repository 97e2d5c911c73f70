"""`manage.py benchmark`: the forum's main pages under load, on a production server.

See `Command.help` for how to run it and how to read the scaling check.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import User
from accounts.roles import MODERATORS_GROUP, STAFF_GROUPS
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
    run_wrk,
    throughput_ratio,
)
from community.models import Category, Reply, TaggedThread, Thread

# The URLconf with the constant baseline page (production never mounts it).
BENCHMARK_URLCONF = "community.config.benchmark_urls"

PAGES = (
    "baseline",
    "home",
    "community",
    "category_tag",
    "thread_anonymous",
    "thread_member",
    "search",
    "moderation_queue",
)
MANY_REPLIES = 50
# Words too common to say anything about search (English and French).
STOP_WORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "have",
        "has",
        "not",
        "but",
        "are",
        "was",
        "were",
        "what",
        "when",
        "how",
        "why",
        "does",
        "can",
        "cannot",
        "after",
        "before",
        "into",
        "your",
        "you",
        "our",
        "about",
        "there",
        "their",
        "they",
        "them",
        "les",
        "des",
        "une",
        "pour",
        "avec",
        "dans",
        "sur",
        "pas",
        "est",
        "que",
        "qui",
        "par",
        "plus",
        "sont",
        "mon",
        "mes",
    }
)


@dataclass
class Targets:
    category: Category | None
    tag_slug: str
    thread: Thread | None
    search_word: str
    member: User | None
    moderator: User | None

    def describe(self) -> dict:
        return {
            "category": self.category.slug if self.category else None,
            "tag": self.tag_slug or None,
            "thread": self.thread.pk if self.thread else None,
            "thread_replies": self.thread.reply_count if self.thread else None,
            "search_word": self.search_word or None,
            "member": self.member.username if self.member else None,
            "moderator": self.moderator.username if self.moderator else None,
        }


def find_targets() -> Targets:
    """The rows each page is measured on, chosen from the data so that two runs on
    differently sized data measure the same kind of page."""
    pair = (
        TaggedThread.objects.filter(content_object__visibility="visible")
        .values("content_object__category_id", "tag__slug")
        .annotate(uses=Count("id"))
        .order_by("-uses", "content_object__category_id", "tag__slug")
        .first()
    )
    if pair:
        category = Category.objects.get(pk=pair["content_object__category_id"])
        tag_slug = pair["tag__slug"]
    else:
        category = (
            Category.objects.originals()
            .annotate(n=Count("threads"))
            .order_by("-n", "position", "pk")
            .first()
        )
        tag_slug = ""
    thread = Thread.objects.visible().order_by("-reply_count", "pk").first()
    return Targets(
        category=category,
        tag_slug=tag_slug,
        thread=thread,
        search_word=common_title_word(),
        member=(
            User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
            .exclude(groups__name__in=STAFF_GROUPS)
            .order_by("pk")
            .first()
        ),
        moderator=(
            User.objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
            .order_by("pk")
            .first()
            or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        ),
    )


def common_title_word(limit: int = 20_000) -> str:
    """The most frequent word of the latest visible thread titles; else the most used tag."""
    words = Counter()
    titles = (
        Thread.objects.visible()
        .order_by("-pk")
        .values_list("title", flat=True)[:limit]
        .iterator(chunk_size=2000)
    )
    for title in titles:
        for word in re.findall(r"[^\W\d_]{4,}", title.lower()):
            if word not in STOP_WORDS:
                words[word] += 1
    if words:
        return min(words.items(), key=lambda item: (-item[1], item[0]))[0]
    tag = (
        TaggedThread.objects.values("tag__name")
        .annotate(uses=Count("id"))
        .order_by("-uses", "tag__name")
        .first()
    )
    return tag["tag__name"] if tag else ""


def page_paths(targets: Targets) -> dict[str, tuple[str, str | None]]:
    """Page name -> (path, who is signed in: None, "member" or "moderator")."""
    paths: dict[str, tuple[str, str | None]] = {
        "baseline": ("/bench/baseline", None),
        "home": ("/", None),
        "community": ("/community/", None),
    }
    if targets.category:
        query = f"?{urlencode({'tag': targets.tag_slug})}" if targets.tag_slug else ""
        paths["category_tag"] = (f"{targets.category.get_absolute_url()}{query}", None)
    if targets.thread:
        paths["thread_anonymous"] = (targets.thread.get_absolute_url(), None)
        if targets.member:
            paths["thread_member"] = (targets.thread.get_absolute_url(), "member")
    if targets.search_word:
        paths["search"] = (f"/community/search/?{urlencode({'q': targets.search_word})}", None)
    if targets.moderator:
        paths["moderation_queue"] = ("/moderation/", "moderator")
    return paths


def create_session(user: User, *, secret_key: str) -> str:
    """A signed-in session for `user`, stored where the server reads sessions and
    signed with the server's secret key; returns the session key for the cookie."""
    engine = import_module(settings.SESSION_ENGINE)
    with override_settings(SECRET_KEY=secret_key):
        session = engine.SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
    return session.session_key


def delete_session(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key=session_key).delete()


def queries_per_request(path: str, user: User | None = None) -> tuple[int, int]:
    """SQL queries of one request to `path`, in this process: (served, rendered).

    Served: with warm caches, as under load (a visitor's cached page needs none).
    Rendered: right after a write moved the content version on, so the page and
    its cached counts are computed again: the cost the caches save.
    """
    client = Client()
    with override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=BENCHMARK_URLCONF):
        if user is not None:
            client.force_login(user)
        client.get(path)
        with CaptureQueriesContext(connection) as served:
            response = client.get(path)
        content_changed()
        with CaptureQueriesContext(connection) as rendered:
            client.get(path)
        if user is not None:
            client.logout()
    if response.status_code != 200:
        raise CommandError(f"{path} answered {response.status_code} in process, not 200.")
    return len(served), len(rendered)


# Tables that grow with the community: a page must not read them whole.
LARGE_TABLES = (
    "community_thread",
    "community_reply",
    "community_helpfulvote",
    "community_metoo",
    "community_follow",
    "community_taggedthread",
    "wagtailsearch_indexentry",
)


def explain_page(path: str, user: User | None = None) -> list[tuple[str, list[str]]]:
    """Each query of one rendering of `path` (caches cold, as after a write) with the
    large tables PostgreSQL's plan reads by sequential scan."""
    client = Client()
    with override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=BENCHMARK_URLCONF):
        if user is not None:
            client.force_login(user)
        client.get(path)
        content_changed()
        with CaptureQueriesContext(connection) as rendered:
            client.get(path)
    plans = []
    with connection.cursor() as cursor:
        for query in rendered.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            scanned = sorted(
                {table for table in LARGE_TABLES if re.search(rf"Seq Scan on {table}\b", plan)}
            )
            plans.append((sql, scanned))
    return plans


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


class Command(BaseCommand):
    help = (
        "Benchmark the main pages on a production server (gunicorn, DEBUG off) started on "
        "127.0.0.1 against the same database: requests/s, p50 and p99 latency, SQL queries "
        "per request, and throughput relative to a constant baseline page. Load comes from "
        "wrk when installed, else from a bundled Python client. "
        "Scaling check: `manage.py seed_scale` to 10,000 threads, run `manage.py benchmark "
        "--json bench-10k.json`; seed to 100,000 threads, run `manage.py benchmark --compare "
        "bench-10k.json`: each page's p50 may grow by at most 20% (ratio <= 1.2). "
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
            default=",".join(PAGES),
            help=f"Comma-separated pages to measure, from: {', '.join(PAGES)}.",
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
        if unknown := set(wanted) - set(PAGES):
            raise CommandError(f"Unknown pages: {', '.join(sorted(unknown))}.")
        previous = self._load_previous(options["compare"])
        wrk = shutil.which("wrk") if options["client"] != "python" else None
        if options["client"] == "wrk" and not wrk:
            raise CommandError("wrk is not installed.")

        targets = find_targets()
        self._describe(targets)
        paths = page_paths(targets)
        pages = [name for name in PAGES if name in wanted and name in paths]
        for name in wanted:
            if name not in paths:
                self.stderr.write(f"Skipping {name}: nothing in the data to measure it on.")

        if options["explain"]:
            self._explain({name: paths[name] for name in pages}, targets)
            return

        self.stdout.write("Counting SQL queries per request (in process)...")
        queries = {
            name: queries_per_request(path, getattr(targets, role) if role else None)
            for name, (path, role) in paths.items()
            if name in pages
        }

        secret_key = secrets.token_urlsafe(50)
        sessions: dict[str, str] = {}
        rows = []
        server = Server(workers=options["workers"], secret_key=secret_key, log=self.stdout.write)
        server.collectstatic(force=options["collectstatic"])
        try:
            for role in {role for name, (_, role) in paths.items() if role and name in pages}:
                sessions[role] = create_session(getattr(targets, role), secret_key=secret_key)
            self.stdout.write(
                f"Starting gunicorn ({options['workers']} workers) on {LOOPBACK}:{server.port}; "
                f"load from {'wrk' if wrk else 'the Python client'}, "
                f"{options['connections']} connections, {options['duration']:g} s per page."
            )
            with server:
                baseline_rps = None
                for name in pages:
                    path, role = paths[name]
                    cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[role]}" if role else ""
                    result = self._measure(server.port, path, cookie, wrk=wrk, options=options)
                    if name == "baseline":
                        baseline_rps = result.rps
                    rows.append(
                        {
                            "page": name,
                            "path": path,
                            "rps": result.rps,
                            "p50_ms": result.p50_ms,
                            "p99_ms": result.p99_ms,
                            "queries": queries[name][0],
                            "queries_rendered": queries[name][1],
                            "ratio": throughput_ratio(result.rps, baseline_rps),
                            "requests": result.requests,
                            "errors": result.errors,
                            "tool": result.tool,
                        }
                    )
                    self.stdout.write(
                        f"  {name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms"
                    )
        finally:
            for session_key in sessions.values():
                delete_session(session_key)

        self.stdout.write("")
        self.stdout.write(format_table(RESULT_HEADERS, result_rows(rows)))
        report = self._report(rows, targets, options, tool="wrk" if wrk else "python")
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"\nWrote {options['json']}.")
        if previous is not None:
            self._compare(report, previous, options["compare"])

    def _measure(self, port, path, cookie, *, wrk, options):
        status, _ = get(port, path, cookie)
        if status != 200:
            raise CommandError(f"{path} answered {status} on the server, not 200.")
        headers = {"Cookie": cookie} if cookie else {}
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

    def _explain(self, paths: dict, targets: Targets) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("--explain reads PostgreSQL's plans: set DATABASE_URL.")
        total_scans = 0
        for name, (path, role) in paths.items():
            plans = explain_page(path, getattr(targets, role) if role else None)
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
        self.stdout.write(f"Search word: {targets.search_word or '(none)'}.")
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
