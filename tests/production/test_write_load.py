"""A bounded write load against both gunicorn processes on PostgreSQL (issue 17, item 3),
and a gunicorn worker killed in the middle of one (item 2)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests.production.load import run_load
from tests.production.servers import wait_until
from tests.security.figures import record

pytestmark = pytest.mark.production

LOAD_SECONDS = 20
LOAD_MEMBERS = 20


def test_write_load_leaves_counters_and_queue_true(stack):
    result = run_load(
        servers=[stack.a.url, stack.b.url],
        members=stack.data["members"][:LOAD_MEMBERS],
        threads=stack.data["threads"][:6],
        seconds=LOAD_SECONDS,
    )
    errors = result.server_errors + result.connection_errors
    record(
        "write_load",
        cases=result.operations,
        failures=errors,
        p99_ms=result.p99_ms(),
    )
    assert result.operations > 100, result.statuses
    assert errors == 0, (result.statuses, result.connection_errors)
    # Every kind of write was tried, and most were done.
    assert set(result.actions) == {"reply", "helpful", "me_too", "accept"}
    assert result.statuses[302] > result.operations / 2, result.statuses
    # Counters and the queue are written with the rows, not by the worker: true at once.
    stack.check_counters_and_queue()


def test_gunicorn_worker_killed_under_write_load(stack):
    victim: list[int] = []

    def kill_one_worker():
        time.sleep(3)
        pid = stack.a.worker_pids()[0]
        victim.append(pid)
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    result = run_load(
        servers=[stack.a.url, stack.b.url],
        members=stack.data["members"][:10],
        threads=stack.data["threads"][6:12],
        seconds=8,
    )
    killer.join()
    survived = result.server_errors == 0
    record("faults", cases=1, failures=0 if survived else 1)
    # Requests in flight on the killed worker lose their connection; none gets a 5xx.
    assert result.server_errors == 0, result.statuses
    assert result.operations > 20
    # The master replaced its worker and both processes still serve.
    wait_until(
        lambda: len(stack.a.worker_pids()) == 2 and victim[0] not in stack.a.worker_pids(),
        timeout=20,
        what="gunicorn to replace its worker",
    )
    # Counters and the queue are written with the rows, not by the worker: true at once.
    stack.check_counters_and_queue()
