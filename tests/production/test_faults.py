"""Faults survived, against real processes (issue 17, item 2): PostgreSQL restarts,
Redis stops, the task worker is killed in the middle of a task. (A gunicorn worker
killed under a write load: test_write_load.py.)"""

from __future__ import annotations

import contextlib
import re
import time

import pytest

from tests.production.http import Browser
from tests.production.servers import TASK_TIMEOUT, wait_until
from tests.production.test_production_path import ask, reply, unique_word
from tests.security.figures import record

pytestmark = pytest.mark.production

FRIENDLY = "Back in a moment"


@contextlib.contextmanager
def fault(name: str):
    """Counts the fault in the "Faults survived" figure, survived or not."""
    try:
        yield
    except BaseException:
        record("faults", cases=1, failures=1)
        raise
    record("faults", cases=1)


def assert_friendly_503(response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert FRIENDLY in response.text
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text
    assert response.headers.get("Retry-After")


def test_postgres_restart_answers_503_then_recovers_without_restarting_gunicorn(stack):
    (member,) = stack.take_members(1)
    browser = Browser(member["session"])
    visitor = Browser()
    thread = stack.data["threads"][3]["pk"]
    browser.csrf_token(stack.a.url, f"/community/t/{thread}/")
    masters = (stack.a.process.pid, stack.b.process.pid)
    body = f"Written while the database restarts {unique_word()}"
    with fault("postgres restart"):
        stack.postgres.stop("fast")
        try:
            for server in (stack.a.url, stack.b.url):
                assert_friendly_503(browser.get(server, "/community/"))
                assert_friendly_503(visitor.get(server, "/community/?sort=newest&page=1"))
                health = visitor.get(server, "/healthz")
                assert health.status_code == 503
            assert_friendly_503(reply(browser, stack.a.url, thread, body))
        finally:
            stack.postgres.start()
        # The same gunicorn processes serve again once the database is back.
        for server in (stack.a.url, stack.b.url):
            wait_until(
                lambda server=server: visitor.get(server, "/healthz").status_code == 200,
                timeout=20,
                interval=0.3,
                what="/healthz after the restart",
            )
            assert browser.get(server, "/community/").status_code == 200
        assert (stack.a.process.pid, stack.b.process.pid) == masters
        assert stack.a.alive() and stack.b.alive()
        # The write sent during the outage was not half-done: not there at all.
        assert stack.sql("SELECT count(*) FROM community_reply WHERE body = %s", body)[0][0] == 0
        assert reply(browser, stack.b.url, thread, body).status_code == 302
        # db_worker exits when it loses the database (django_tasks_db raises the
        # OperationalError): its supervisor starts it again, as here.
        stack.restart_worker()
        stack.wait_for_tasks()
        stack.check_counters_and_queue()


def test_redis_stop_keeps_pages_up_and_limits_closed_then_recovers(stack):
    poster, signer = stack.take_members(2)
    browser = Browser(poster["session"])
    visitor = Browser()
    thread = stack.data["threads"][4]["pk"]
    browser.csrf_token(stack.a.url, f"/community/t/{thread}/")
    with fault("redis stop"):
        stack.redis.stop()
        try:
            for server in (stack.a.url, stack.b.url):
                assert visitor.get(server, "/community/").status_code == 200
                page = visitor.get(server, f"/community/t/{thread}/", allow_redirects=True)
                assert page.status_code == 200
                assert browser.get(server, "/community/").status_code == 200
            # Sign-in fails closed: nobody can guess passwords while the limits are blind.
            refused = Browser().sign_in(stack.b.url, signer["username"], stack.password)
            assert refused.status_code in (429, 503)
            assert "sessionid" not in refused.cookies
            assert refused.headers.get("Retry-After")
            # Posting fails closed too (the documented choice): a 429, the text kept.
            text = f"Posted while Redis is away {unique_word()}"
            paused = reply(browser, stack.a.url, thread, text)
            assert paused.status_code == 429
            assert text in paused.text
            assert (
                stack.sql("SELECT count(*) FROM community_reply WHERE body = %s", text)[0][0] == 0
            )
        finally:
            stack.redis.start()
        # Back: sign-in and posting work again, on both processes.
        welcomed = wait_until(
            lambda: (
                (
                    r := Browser().sign_in(stack.a.url, signer["username"], stack.password)
                ).status_code
                == 302
                and r
            ),
            timeout=10,
            interval=1,
            what="sign-in after Redis is back",
        )
        assert "sessionid" in welcomed.cookies
        text = f"Posted once Redis is back {unique_word()}"
        # A process that saw the outage asks Redis again RETRY_SECONDS after its last
        # failure (community/cache_backend.py): until then posting stays paused there,
        # the text kept, and the member sends it again.
        wait_until(
            lambda: reply(browser, stack.b.url, thread, text).status_code == 302,
            timeout=10,
            interval=0.5,
            what="posting after Redis is back",
        )
        fresh = wait_until(
            lambda: text in (p := visitor.get(stack.a.url, page_path(page))).text and p,
            timeout=3,
            interval=0.2,
            what="the visitor's page to show the new reply",
        )
        assert fresh.status_code == 200
        stack.check_counters_and_queue()


def page_path(response) -> str:
    return re.sub(r"^https?://[^/]+", "", response.url)


def _recover_stale_tasks(stack) -> None:
    stack.app.manage("requeue_stale_tasks", "--older-than", "0")


def test_worker_killed_mid_task_runs_it_again_without_a_second_email(stack):
    asker, replier, other = stack.take_members(3)
    title = f"The drip tray overflows {unique_word()}"
    thread = ask(Browser(asker["session"]), stack.a.url, stack, title=title, body="Every day.")
    stack.wait_for_tasks()
    with fault("worker killed mid-task"):
        # The worker claims the e-mail task and is killed while it talks to the mail
        # server: the e-mail is not out yet, the task stays RUNNING.
        stack.smtp.hold_senders()
        try:
            assert (
                reply(Browser(replier["session"]), stack.b.url, thread, "Empty it.").status_code
                == 302
            )
            assert stack.smtp.connected.wait(timeout=TASK_TIMEOUT), "the worker never sent"
            # A new question, whose index update waits behind the stuck task.
            word = unique_word()
            asked = ask(
                Browser(other["session"]),
                stack.a.url,
                stack,
                title=f"The cup warmer stays cold {word}",
                body="Cold cups every morning.",
            )
            assert stack.tasks_by_status().get("RUNNING") == 1
            stack.worker.kill()
        finally:
            stack.smtp.let_go()
        time.sleep(0.5)
        assert stack.smtp.to(asker["email"]) == []
        _recover_stale_tasks(stack)
        stack.restart_worker()
        stack.wait_for_tasks(timeout=TASK_TIMEOUT)
        assert len(stack.smtp.to(asker["email"])) == 1
        assert not stack.tasks_by_status().get("FAILED")
        found = Browser().get(stack.b.url, f"/community/search/?q={word}")
        assert f"/community/t/{asked}/" in found.text

        # Killed after its e-mails went out, before the task was marked done: every
        # e-mail task of the run is left RUNNING as such a worker leaves it, and runs
        # again; not one e-mail goes out a second time.
        sent = len(stack.smtp.messages)
        rows = stack.sql(
            "UPDATE django_tasks_database_dbtaskresult SET status = 'RUNNING', "
            "finished_at = NULL, return_value = NULL "
            "WHERE task_path LIKE %s RETURNING id",
            "%send_notification_emails_task",
        )
        assert len(rows) > 1
        _recover_stale_tasks(stack)
        stack.wait_for_tasks(timeout=TASK_TIMEOUT)
        assert len(stack.smtp.messages) == sent
        assert len(stack.smtp.to(asker["email"])) == 1
