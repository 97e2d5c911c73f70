"""Real processes for the production-path tests, each on a port of its own on 127.0.0.1.

A PostgreSQL cluster (initdb/pg_ctl in a temporary folder), a Redis server without
persistence, an SMTP sink that stores every message it accepts, gunicorn on the
production settings and `manage.py db_worker`. Nothing here touches the machine's
shared services: every server is started here and stopped at the end of the run.
"""

from __future__ import annotations

import contextlib
import email
import glob
import os
import pwd
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
# Every wait in the package is bounded by one of these (seconds).
START_TIMEOUT = 30
TASK_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


def postgres_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def missing_servers() -> str:
    """Why the package cannot run here ("" when it can)."""
    missing = [
        name
        for name in ("initdb", "pg_ctl", "pg_dump", "pg_restore")
        if postgres_binary(name) is None
    ]
    missing += [name for name in ("redis-server",) if shutil.which(name) is None]
    if missing:
        return (
            "production-path tests need PostgreSQL's server binaries and redis-server; "
            f"not found: {', '.join(missing)}"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and no 'postgres' user to run initdb as"
    return ""


# PostgreSQL ------------------------------------------------------------------------


class PostgresCluster:
    """A throwaway cluster: trust authentication on 127.0.0.1 only, no fsync."""

    def __init__(self):
        self.port = free_port()
        # Outside pytest's private temporary folder: the server may run as `postgres`.
        self.base = Path(tempfile.mkdtemp(prefix="relais-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self._as_user = None
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            self._as_user = (user.pw_uid, user.pw_gid)
            os.chown(self.base, *self._as_user)

    def _run(self, *args, check=True, timeout=START_TIMEOUT):
        def demote():
            if self._as_user:
                os.setgid(self._as_user[1])
                os.setuid(self._as_user[0])

        return subprocess.run(  # noqa: S603
            args,
            preexec_fn=demote,
            check=check,
            timeout=timeout,
            capture_output=True,
            text=True,
            cwd=self.base,
        )

    def init(self) -> None:
        self._run(
            postgres_binary("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60"
        )
        self._run(
            postgres_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            postgres_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            mode,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "stop",
            check=False,
        )

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/{database}", autocommit=True
        )

    def create_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def tool(self, name: str, *args, timeout=120):
        """Run a client tool (pg_dump, pg_restore) against the cluster."""
        return subprocess.run(  # noqa: S603
            [
                postgres_binary(name),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                *args,
            ],
            check=True,
            timeout=timeout,
            capture_output=True,
        )

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


# Redis -------------------------------------------------------------------------------


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = open(self.folder / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self.answers, timeout=START_TIMEOUT, what="redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


# SMTP sink ---------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: a message counts as sent once the
    end of its DATA is answered 250, as with a real mail server."""

    def write(self, line: bytes) -> None:
        with contextlib.suppress(OSError):
            self.wfile.write(line + b"\r\n")
            self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink
        # A test may hold a sender here: connected, nothing sent yet.
        sink.connected.set()
        sink.release.wait(timeout=120)
        self.write(b"220 relais-tests ESMTP")
        data, lines = False, []
        while True:
            try:
                line = self.rfile.readline(1_000_000)
            except OSError:
                return
            if not line:
                return
            if data:
                if line.rstrip(b"\r\n") == b".":
                    data = False
                    sink.deliver(b"".join(lines))
                    lines = []
                    self.write(b"250 OK queued")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.write(b"250-relais-tests")
                self.write(b"250 8BITMIME")
            elif verb == b"DATA":
                data = True
                self.write(b"354 End data with <CR><LF>.<CR><LF>")
            elif verb == b"QUIT":
                self.write(b"221 Bye")
                return
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.write(b"250 OK")
            else:
                self.write(b"502 Not implemented")


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """An SMTP server in the test process; every accepted message is kept and written
    to `folder` as a file."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.release.set()
        self.connected = threading.Event()
        self.server = _ThreadingServer(("127.0.0.1", self.port), _SmtpHandler)
        self.server.sink = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def deliver(self, raw: bytes) -> None:
        with self.lock:
            self.messages.append(email.message_from_bytes(raw))
            (self.folder / f"{len(self.messages):05d}.eml").write_bytes(raw)

    def to(self, address: str) -> list[email.message.Message]:
        with self.lock:
            return [m for m in self.messages if address in m.get("To", "")]

    def hold_senders(self) -> None:
        """Hold every new connection before the greeting, until `let_go()`."""
        self.connected.clear()
        self.release.clear()

    def let_go(self) -> None:
        self.release.set()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


# The application's processes ---------------------------------------------------------


@dataclass
class App:
    """The environment the site's processes share (production settings)."""

    folder: Path
    database_url: str
    redis_url: str
    smtp_url: str
    extra: dict = field(default_factory=dict)

    def env(self, **overrides) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_", "REDIS_", "EMAIL_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "community.config.settings",
                "DEBUG": "0",
                "SECRET_KEY": "production-path-tests-secret-key-0123456789abcdefghijklmnop",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "SECURE_HSTS_SECONDS": "0",
                "STATIC_FROM_SOURCES": "1",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "TASKS_BACKEND": "database",
                "EMAIL_URL": self.smtp_url,
                "MEDIA_ROOT": str(self.folder / "media"),
                "PRIVATE_MEDIA_ROOT": str(self.folder / "private-media"),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra)
        env.update(overrides)
        return env

    def manage(self, *args, timeout=120, check=True, **env) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def script(self, module: str, *args, timeout=120) -> str:
        """Run `python -m module` with the site's environment; its standard output."""
        result = subprocess.run(  # noqa: S603
            [PYTHON, "-m", module, *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"{module} exited {result.returncode}:\n{result.stderr[-4000:]}")
        return result.stdout


class Process:
    """A long-running child process, its output in a log file."""

    def __init__(self, app: App, name: str, command: list[str]):
        self.app, self.name, self.command = app, name, command
        self.process: subprocess.Popen | None = None
        self.log_path = app.folder / f"{name}.log"

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            self.command,
            cwd=ROOT,
            env=self.app.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # Whatever it started (gunicorn's workers) goes with it.
        with contextlib.suppress(ProcessLookupError, PermissionError, TypeError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class Gunicorn(Process):
    def __init__(self, app: App, name: str, *, workers: int = 2):
        self.port = free_port()
        super().__init__(
            app,
            name,
            [
                PYTHON,
                "-m",
                "gunicorn",
                "community.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "3",
                "--log-level",
                "warning",
            ],
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()

        def answers():
            if not self.alive():
                raise AssertionError(f"gunicorn {self.name} exited:\n{self.log_tail()}")
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_until(answers, timeout=START_TIMEOUT, interval=0.2, what=f"gunicorn {self.name}")

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


class Worker(Process):
    def __init__(self, app: App, name: str = "db_worker"):
        super().__init__(
            app,
            name,
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--queue-name",
                "*",
            ],
        )
