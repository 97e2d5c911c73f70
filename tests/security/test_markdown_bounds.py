"""Pathological Markdown is bounded (issue 8), and rendered once, when a post is saved.

Each source below is built to push a Markdown parser into deep recursion or
quadratic work. The project's renderer must return within a bounded time and
never raise; through the real ask and reply forms the answer is a saved post or
a form error (the body cap rejects the largest), never a 500. Pages never render
Markdown: they show the HTML stored at save time.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from markdown_it import MarkdownIt

from community import services
from community.markdown import render_markdown
from community.models import BODY_MAX_LENGTH
from tests.factories import CategoryFactory
from tests.security.figures import record

# Seconds of CPU time of this process (wall time is stretched by other jobs on a
# shared machine): bounds on what hostile input can cost, not speed goals.
RENDER_LIMIT = 2.0
UPLOAD_LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
REQUEST_LIMIT = 3.0  # the same through a whole request (form, render, save, redirect)

PATHOLOGICAL = {
    "32,000 [": "[" * 32_000,
    "10,000 >": ">" * 10_000,
    "10,000 > with text": "> " * 10_000 + "deep",
    "lists nested 2,000 deep": "\n".join("  " * depth + "- item" for depth in range(2_000)),
    "lists nested 2,000 deep, one line": "- " * 2_000 + "item",
    "ordered lists nested": "1. " * 5_000 + "item",
    "quotes and lists interleaved": "> - " * 2_000 + "item",
    "20,000 *": "*" * 20_000,
    "emphasis runs *a": "*a" * 10_000,
    "emphasis mixed *_": "*_" * 10_000,
    "nested emphasis": "*" * 5_000 + "word" + "*" * 5_000,
    "10,000 backticks": "`" * 10_000,
    "backtick runs": "`a" * 10_000 + "``b" * 3_000,
    "100 KB single line": "word " * 20_000,
    "100 KB no spaces": "x" * 100_000,
    "huge table": "|" + "h|" * 500 + "\n|" + "-|" * 500 + "\n" + ("|" + "c|" * 500 + "\n") * 40,
    "table of many rows": "|a|b|\n|-|-|\n" + "|1|2|\n" * 5_000,
    "unclosed links": "[a](" * 5_000,
    "nested link labels": "[" * 10_000 + "x" + "](y)" * 10_000,
    "images": "![" * 10_000,
    "reference definitions": "".join(f"[r{i}]: https://example.com/{i}\n" for i in range(2_000))
    + "[r1] " * 2_000,
    "autolinks": "<" * 20_000,
    "linkify": "https://example.com/a " * 4_000,
    "entities": "&#x" * 10_000,
    "mentions": "@member " * 5_000,
    "html blocks": "<div>" * 10_000,
    "setext headings": "a\n=\n" * 10_000,
    "fences": "```\n" * 10_000,
    "tabs": "\t" * 50_000 + "x",
    "strikethrough": "~~" * 10_000,
    "NUL and surrogates": "a\x00b\ud800c" * 2_000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_markdown_renders_in_bounded_time(name):
    source = PATHOLOGICAL[name]
    started = time.process_time()
    try:
        html = render_markdown(source)
        error = None
    except Exception as exc:  # any exception is the failure looked for
        html, error = "", exc
    elapsed = time.process_time() - started

    failed = error is not None or elapsed >= RENDER_LIMIT
    record("bad_input", cases=1, failures=int(failed))
    assert error is None, f"{name}: {error!r}"
    assert elapsed < RENDER_LIMIT, f"{name}: {elapsed:.2f}s"
    assert isinstance(html, str)


@pytest.fixture
def category(db):
    return CategoryFactory(name="Coffee machines", slug="coffee")


@pytest.fixture
def thread(member, category):
    return services.thread_create(
        author=member, category=category, title="The espresso machine leaks", body="Drips."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_markdown_through_the_ask_and_reply_forms(name, member, category, thread):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    source = PATHOLOGICAL[name].replace("\ud800", "\ufffd")  # HTTP carries no lone surrogate
    sends = {
        "ask": (
            "/community/ask/",
            {"title": f"Pathological: {name}", "body": source, "category": category.pk},
        ),
        "reply": (f"/community/t/{thread.pk}/reply/", {"body": source}),
        "preview": ("/community/preview/", {"body": source}),
    }
    failures = []
    for form, (url, data) in sends.items():
        started = time.process_time()
        response = client.post(url, data)
        elapsed = time.process_time() - started
        if response.status_code >= 500:
            failures.append(f"{form}: {response.status_code}")
        elif elapsed >= REQUEST_LIMIT:
            failures.append(f"{form}: {elapsed:.2f}s")
        elif form != "preview":
            accepted = response.status_code == 302
            refused = (response.status_code == 200 and b"__errors" in response.content) or (
                # over DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 before any form
                response.status_code == 400 and len(source.encode()) > UPLOAD_LIMIT
            )
            if not (accepted or refused):
                failures.append(f"{form}: {response.status_code}, neither saved nor a form error")
            if accepted and len(source) > BODY_MAX_LENGTH:
                failures.append(f"{form}: a body over the cap was saved")
    record("bad_input", cases=len(sends), failures=len(failures))
    assert not failures, f"{name}: {failures}"


# Rendered once, at save time ---------------------------------------------------------


@pytest.fixture
def markdown_calls(monkeypatch):
    """How many times Markdown is rendered (every path goes through MarkdownIt.render)."""
    calls = []
    original = MarkdownIt.render

    def counting(self, src, env=None):
        calls.append(src)
        return original(self, src, env)

    monkeypatch.setattr(MarkdownIt, "render", counting)
    return calls


@pytest.mark.django_db
def test_saving_a_post_renders_its_markdown_once(markdown_calls, member_client, thread):
    markdown_calls.clear()
    response = member_client.post(
        f"/community/t/{thread.pk}/reply/", {"body": "Try **descaling** it."}
    )
    assert response.status_code == 302
    assert len(markdown_calls) == 1


@pytest.mark.django_db
def test_reading_pages_renders_no_markdown(markdown_calls, member, member_client, thread, client):
    services.reply_create(author=member, thread=thread, body="Also **this** and @nobody.")
    markdown_calls.clear()
    pages = [
        thread.get_absolute_url(),
        f"{thread.get_absolute_url()}?page=1",
        "/community/",
        "/community/c/coffee/",
        "/community/search/?q=espresso",
        "/community/feed/",
        f"/u/{member.username}/",
        f"/community/t/{thread.pk}/history/",
    ]
    for reader in (client, member_client):
        for url in pages:
            response = reader.get(url)
            assert response.status_code in {200, 302}, (url, response.status_code)
    assert markdown_calls == []
