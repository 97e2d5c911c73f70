"""What `manage.py benchmark` measures in its own process, without a server: the SQL
queries of a page, its render time, the plans of its queries; and the signed-in
sessions the server's load is sent with."""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from community.cache import content_changed

# The URLconf with the constant baseline page (production never mounts it).
BENCHMARK_URLCONF = "community.config.benchmark_urls"
# Renderings timed per page for its render time (the median is kept).
RENDER_REPEAT = 5


class PageFailed(Exception):
    """A page answered something else than 200 in this process."""


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


@contextmanager
def _client(user: User | None):
    """A test client, signed in as `user` for the length of the `with`: its session
    row is deleted afterwards."""
    client = Client()
    if user is not None:
        client.force_login(user)
    try:
        yield client
    finally:
        if user is not None:
            client.logout()


def _get(client: Client, path: str):
    response = client.get(path)
    if response.status_code != 200:
        raise PageFailed(f"{path} answered {response.status_code} in process, not 200.")
    return response


def queries_per_request(path: str, user: User | None = None) -> tuple[int, int]:
    """SQL queries of one request to `path`, in this process: (served, rendered).

    Served: with warm caches, as under load (a visitor's cached page needs none).
    Rendered: right after a write moved the content version on, so the page and
    its cached counts are computed again: the cost the caches save.
    """
    with (
        override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=BENCHMARK_URLCONF),
        _client(user) as client,
    ):
        _get(client, path)
        with CaptureQueriesContext(connection) as served:
            _get(client, path)
        content_changed()
        with CaptureQueriesContext(connection) as rendered:
            _get(client, path)
    return len(served), len(rendered)


@dataclass(frozen=True)
class RenderTime:
    """The median time of one request to a page in this process, middleware included."""

    cpu_ms: float
    wall_ms: float


def render_time(
    path: str, user: User | None = None, *, after_write: bool = False, repeat: int = RENDER_REPEAT
) -> RenderTime:
    """Median CPU and wall-clock milliseconds of requesting `path` once, in this process,
    with DEBUG off as on the server (DEBUG records every query and keeps the
    templates' debug data, which would be timed too).

    The page is requested once untimed (templates compiled, caches filled), then
    `repeat` times; with `after_write`, the content version moves on before each, as
    a write does. CPU time is this process's: Python, templates and the database
    driver, not the database server's work, which the wall-clock time includes.
    The load's process may be busy with other work: the median of a few keeps
    one interruption out of the figure.
    """
    cpu, wall = [], []
    with (
        override_settings(
            DEBUG=False, ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=BENCHMARK_URLCONF
        ),
        _client(user) as client,
    ):
        _get(client, path)
        for _ in range(repeat):
            if after_write:
                content_changed()
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            _get(client, path)
            cpu.append(time.process_time() - cpu_start)
            wall.append(time.perf_counter() - wall_start)
    return RenderTime(cpu_ms=statistics.median(cpu) * 1000, wall_ms=statistics.median(wall) * 1000)


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
    with (
        override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=BENCHMARK_URLCONF),
        _client(user) as client,
    ):
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
