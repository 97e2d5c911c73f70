"""The suite on the production path (issue 17, item 1): e-mail and search through the
task worker, limits and the content version shared by two gunicorn processes."""

from __future__ import annotations

import re
import time
import uuid
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest

from tests.production.http import Browser
from tests.production.servers import TASK_TIMEOUT, wait_until

pytestmark = pytest.mark.production


def ask(browser: Browser, server: str, stack, *, title: str, body: str) -> int:
    token = browser.csrf_token(server, "/community/ask/")
    response = browser.post(
        server,
        "/community/ask/",
        {
            "title": title,
            "body": body,
            "category": stack.data["category"],
            "tags": "",
            "language": "en",
        },
        token=token,
    )
    assert response.status_code == 302, response.text[-2000:]
    found = re.search(r"/community/t/(\d+)/", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def reply(browser: Browser, server: str, thread: int, body: str):
    if not browser.http.cookies.get("csrftoken"):
        browser.csrf_token(server, f"/community/t/{thread}/")
    return browser.post(server, f"/community/t/{thread}/reply/", {"body": body})


def unique_word() -> str:
    # Letters only, so the search backend's stemming leaves it whole.
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])


def test_worker_emails_the_follower_of_a_thread_someone_replied_to(stack):
    asker, replier = stack.take_members(2)
    asking, replying = Browser(asker["session"]), Browser(replier["session"])
    title = f"The steam wand spits water {unique_word()}"
    thread = ask(asking, stack.a.url, stack, title=title, body="Water comes out with the steam.")
    stack.wait_for_tasks()
    stack.worker.kill()
    assert reply(replying, stack.b.url, thread, "Descale it, then purge it.").status_code == 302
    # The request did not send it: the e-mail waits for the worker.
    time.sleep(1)
    assert stack.smtp.to(asker["email"]) == []
    assert stack.tasks_by_status().get("READY", 0) >= 1

    stack.restart_worker()
    stack.wait_for_tasks()
    mails = wait_until(
        lambda: stack.smtp.to(asker["email"]), timeout=TASK_TIMEOUT, what="the e-mail"
    )
    assert len(mails) == 1
    subject = str(make_header(decode_header(mails[0]["Subject"])))
    assert "steam wand" in subject


def test_worker_indexes_a_new_thread_for_search(stack):
    (asker,) = stack.take_members(1)
    word = unique_word()
    stack.wait_for_tasks()
    stack.worker.kill()
    thread = ask(
        Browser(asker["session"]),
        stack.a.url,
        stack,
        title=f"The milk frother hums {word}",
        body="It hums but never froths.",
    )
    visitor = Browser()
    found = visitor.get(stack.b.url, f"/community/search/?q={word}")
    assert found.status_code == 200
    assert f"/community/t/{thread}/" not in found.text

    stack.restart_worker()
    stack.wait_for_tasks()
    # The task moved the content version on: the visitor's cached search is not kept.
    found = wait_until(
        lambda: (
            (page := visitor.get(stack.b.url, f"/community/search/?q={word}")).status_code == 200
            and f"/community/t/{thread}/" in page.text
            and page
        ),
        timeout=5,
        what="the thread in the search results",
    )
    assert word in found.text


def _fresh_minute(margin: float = 12) -> None:
    """Posting limits count in fixed windows: start well inside one."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.5)


def test_posting_limit_counts_posts_sent_to_both_processes(stack):
    (member,) = stack.take_members(1)
    browser = Browser(member["session"])
    thread = stack.data["threads"][0]["pk"]
    _fresh_minute()
    statuses = []
    # Members may post six replies a minute (community/limits.py; nobody here is a new
    # member). Sent in turn to A and B, the shared count refuses the 7th; counted per
    # process, A would refuse none of its four, B none of its three.
    for number in range(7):
        server = (stack.a, stack.b)[number % 2].url
        response = reply(browser, server, thread, f"Attempt {number}: try the other filter.")
        statuses.append(response.status_code)
    allowed = 6
    assert statuses == [302] * allowed + [429], statuses
    rows = stack.sql(
        "SELECT count(*) FROM community_reply r JOIN accounts_user u ON u.id = r.author_id "
        "WHERE u.username = %s",
        member["username"],
    )
    assert rows[0][0] == allowed


def test_sign_in_limit_counts_failures_sent_to_both_processes(stack):
    locked, other = stack.take_members(2)
    browser = Browser()
    # Five wrong passwords for one login lock it for five minutes (settings:
    # ACCOUNT_RATE_LIMITS): three go to A, two to B.
    for number in range(5):
        server = (stack.a, stack.b)[number % 2].url
        response = browser.sign_in(server, locked["username"], "not-the-password")
        assert response.status_code == 200, response.status_code
    # Counted per process, A would have seen three failures and let the owner in.
    refused = Browser().sign_in(stack.a.url, locked["username"], stack.password)
    assert refused.status_code == 429
    assert "sessionid" not in refused.cookies
    # Somebody else signs in as usual, on either process.
    welcomed = Browser().sign_in(stack.b.url, other["username"], stack.password)
    assert welcomed.status_code == 302
    assert "sessionid" in welcomed.cookies


def test_a_write_through_one_process_shows_on_the_next_page_of_the_other(stack):
    (member,) = stack.take_members(1)
    browser = Browser(member["session"])
    thread = stack.data["threads"][1]["pk"]
    text = f"Swapping the gasket fixed it {unique_word()}"
    # Each process has served the page before the write.
    for server in (stack.a, stack.b):
        assert browser.get(server.url, f"/community/t/{thread}/", allow_redirects=True).ok
    assert reply(browser, stack.a.url, thread, text).status_code == 302
    page = browser.get(stack.b.url, f"/community/t/{thread}/", allow_redirects=True)
    assert page.status_code == 200
    assert text in page.text


def test_visitor_pages_are_shared_and_refreshed_across_processes(stack):
    (member,) = stack.take_members(1)
    thread = stack.data["threads"][2]["pk"]
    path = f"/community/t/{thread}/"
    visitor = Browser()
    # The tasks of earlier tests move the content version on; each process trusts
    # its last reading of it for a second.
    stack.wait_for_tasks()
    time.sleep(1.2)
    first = visitor.get(stack.a.url, path, allow_redirects=True)
    assert first.status_code == 200
    canonical = urlsplit(first.url).path
    # A row changed behind the site's back (no write through it moves the version
    # on): the page A cached is what B serves, from the shared cache.
    new_title = f"Renamed behind the cache {unique_word()}"
    stack.sql(
        "UPDATE community_thread SET title = %s WHERE id = %s RETURNING id", new_title, thread
    )
    cached = visitor.get(stack.b.url, canonical)
    assert cached.status_code == 200
    assert new_title not in cached.text

    # A member's write through B moves the content version on for every process:
    # within the second a process may trust its last reading of it.
    text = f"The descaler did it {unique_word()}"
    assert reply(Browser(member["session"]), stack.b.url, thread, text).status_code == 302
    fresh = wait_until(
        lambda: text in (page := visitor.get(stack.a.url, canonical)).text and page,
        timeout=3,
        interval=0.2,
        what="A's visitor page to show B's write",
    )
    assert new_title in fresh.text
