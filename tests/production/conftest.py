"""The production path, started once for the package's tests (issue 17).

One PostgreSQL cluster and one Redis of the run's own, an SMTP sink, two gunicorn
processes (A and B, two workers each) on the production settings (DEBUG off,
REDIS_URL, the database task backend, e-mail over SMTP) and one `db_worker`.
Where PostgreSQL's server binaries or redis-server are missing, every test here
skips with the reason (pytest -rs shows it).

These tests never use pytest-django's test database: the site's processes have
their own, on the cluster, migrated and seeded below. Tests that stop a server
leave it running again; `stack.ensure_up()` before each test makes sure of it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.production.servers import (
    ROOT,
    App,
    Gunicorn,
    PostgresCluster,
    RedisServer,
    SmtpSink,
    Worker,
    missing_servers,
    wait_until,
)

MEMBERS = 40
THREADS = 12


class Stack:
    def __init__(self, folder: Path):
        self.folder = folder
        self.postgres = PostgresCluster()
        self.redis = RedisServer(folder)
        self.smtp = SmtpSink(folder / "mail")
        self.app = App(
            folder=folder,
            database_url=self.postgres.url("relais"),
            redis_url=self.redis.url,
            smtp_url=self.smtp.url,
        )
        self.a = Gunicorn(self.app, "gunicorn-a")
        self.b = Gunicorn(self.app, "gunicorn-b")
        self.worker = Worker(self.app)
        self.data: dict = {}
        self.timings: dict[str, float] = {}
        self._workers_started = 0
        # The seeded threads' askers and repliers have mail and posts already.
        self._members_taken = THREADS + 1

    # Start and stop ----------------------------------------------------------------

    def start(self) -> None:
        started = time.monotonic()
        self.postgres.init()
        self.postgres.start()
        self.postgres.create_database("relais")
        self.redis.start()
        self.smtp.start()
        self.timings["servers"] = time.monotonic() - started
        self.migrate()
        self.timings["migrate"] = time.monotonic() - started
        self.data = json.loads(
            self.app.script("tests.production.site_setup", str(MEMBERS), str(THREADS))
        )
        self.timings["seed"] = time.monotonic() - started
        self.a.start()
        self.b.start()
        self.worker.start()
        # The seeded posts' index and e-mail tasks are done before any test starts.
        self.wait_for_tasks()
        self.timings["ready"] = time.monotonic() - started
        print("production stack:", self.timings)

    def migrate(self) -> None:
        """`manage.py migrate`, or the dump of a database it made before from the same
        migrations and packages: Wagtail's migrations take a minute or two on a
        small machine, a restore a few seconds."""
        dump = migrated_dump_path()
        if dump.exists():
            try:
                self.postgres.tool("pg_restore", "--no-owner", "-d", "relais", str(dump))
                return
            except subprocess.CalledProcessError:
                dump.unlink(missing_ok=True)
                with self.postgres.connect() as conn:
                    conn.execute('DROP DATABASE "relais" WITH (FORCE)')
                    conn.execute('CREATE DATABASE "relais"')
        self.app.manage("migrate", "--noinput", "-v0", timeout=300)
        dump.parent.mkdir(parents=True, exist_ok=True)
        partial = dump.with_suffix(f".{os.getpid()}.part")
        self.postgres.tool("pg_dump", "-Fc", "-f", str(partial), "relais")
        partial.replace(dump)

    def stop(self) -> None:
        for process in (self.worker, self.a, self.b):
            process.stop()
        self.smtp.stop()
        self.redis.stop()
        self.postgres.destroy()

    def ensure_up(self) -> None:
        """What a test stopped, started again (a fault test that failed half-way)."""
        if not self.redis.answers():
            self.redis.stop()
            self.redis.start()
        try:
            self.postgres.connect().close()
        except Exception:
            self.postgres.start()
        self.smtp.let_go()
        for server in (self.a, self.b):
            if not server.alive():
                server.start()
        if not self.worker.alive():
            self.restart_worker()

    def restart_worker(self) -> None:
        self.worker.kill()
        self._workers_started += 1
        self.worker = Worker(self.app, f"db_worker-{self._workers_started}")
        self.worker.start()

    # Reading the database ----------------------------------------------------------

    def sql(self, query: str, *params, database: str = "relais"):
        with self.postgres.connect(database) as conn:
            return conn.execute(query, params).fetchall()

    def tasks_by_status(self) -> dict[str, int]:
        rows = self.sql(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        )
        return dict(rows)

    def wait_for_tasks(self, timeout: float = 30) -> None:
        """Until no task is waiting or running (the worker has caught up)."""

        def caught_up():
            if not self.worker.alive():
                raise AssertionError(f"db_worker exited:\n{self.worker.log_tail()}")
            statuses = self.tasks_by_status()
            return not statuses.get("READY") and not statuses.get("RUNNING")

        wait_until(caught_up, timeout=timeout, interval=0.2, what="the task worker")

    # People -----------------------------------------------------------------------

    def take_members(self, count: int) -> list[dict]:
        """Members no other test has used and who have posted nothing yet (limits
        count per member)."""
        members = self.data["members"][self._members_taken : self._members_taken + count]
        assert len(members) == count, "not enough seeded members; raise MEMBERS"
        self._members_taken += count
        return members

    @property
    def password(self) -> str:
        return self.data["password"]

    def check_counters_and_queue(self, database: str = "relais") -> None:
        url = self.postgres.url(database)
        self.app.manage("recount", "--check", DATABASE_URL=url)
        self.app.manage("check_queue", DATABASE_URL=url)


def migrated_dump_path() -> Path:
    """Where the migrated, empty database is kept between runs: named by a digest of
    every migration file of the project and the versions of the installed packages."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for dist in sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    ):
        digest.update(dist.encode())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "relais-tests" / f"migrated-{digest.hexdigest()[:16]}.dump"


@pytest.fixture(scope="session")
def stack():
    reason = missing_servers()
    if reason:
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="relais-prod-"))
    stack = Stack(folder)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _stack_up(stack):
    stack.ensure_up()
    yield
