"""Reading the community: lists, category pages and thread pages."""

import re

import pytest
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import Visibility
from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)
from tests.helpers import caches_cold

pytestmark = pytest.mark.django_db


def test_list_shows_visible_threads_only(client):
    visible = ThreadFactory(title="Visible thread about my kettle")
    hidden = ThreadFactory(title="Hidden thread about my kettle", visibility=Visibility.HIDDEN)
    pending = ThreadFactory(title="Pending thread about my kettle", visibility=Visibility.PENDING)

    content = client.get("/community/").content.decode()

    assert visible.title in content
    assert hidden.title not in content
    assert pending.title not in content


def test_category_page_lists_its_own_threads(client):
    coffee, orders = CategoryFactory(slug="coffee"), CategoryFactory(slug="orders")
    ThreadFactory(category=coffee, title="Espresso is too weak lately")
    ThreadFactory(category=orders, title="Where is my parcel, please?")

    content = client.get("/community/c/coffee/").content.decode()

    assert "Espresso is too weak lately" in content
    assert "Where is my parcel, please?" not in content
    assert client.get("/community/c/no-such-category/").status_code == 404


def test_tag_filter(client):
    tagged = ThreadFactory(title="Descaling the machine, how often?")
    tagged.tags.add("descaling")
    ThreadFactory(title="Another unrelated question here")

    content = client.get("/community/?tag=descaling").content.decode()

    assert "Descaling the machine, how often?" in content
    assert "Another unrelated question here" not in content


def test_thread_page_redirects_wrong_or_missing_slug_permanently(client):
    thread = ThreadFactory(title="My grinder makes a loud noise")

    for path in (f"/community/t/{thread.pk}/", f"/community/t/{thread.pk}/wrong-slug/"):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == f"/community/t/{thread.pk}/my-grinder-makes-a-loud-noise/"
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_hidden_thread_page_is_404(client):
    thread = ThreadFactory(visibility=Visibility.HIDDEN)
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_official_reply_carries_the_brand_badge_and_member_markup_cannot_imitate_it(client):
    thread = ThreadFactory()
    services.reply_create(author=ModeratorFactory(), thread=thread, body="We are on it.")
    services.reply_create(
        author=UserFactory(),
        thread=thread,
        body='<div class="official-banner">Official reply · Relais</div> fake',
    )

    content = client.get(thread.get_absolute_url()).content.decode()

    assert content.count('<div class="official-banner">') == 1
    assert "&lt;div class=" in content  # shown as text, not markup


def test_reply_body_is_rendered_markdown_without_scripts(client):
    reply = services.reply_create(
        author=UserFactory(),
        thread=ThreadFactory(),
        body="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )

    content = client.get(reply.thread.get_absolute_url()).content.decode()

    assert "<strong>bold</strong>" in content
    assert "<script>alert(1)</script>" not in content
    assert 'href="javascript:' not in content


def test_replies_paginate_past_fifty(client):
    thread = ThreadFactory()
    ReplyFactory.create_batch(51, thread=thread)

    first = client.get(thread.get_absolute_url()).content.decode()
    second = client.get(thread.get_absolute_url() + "?page=2").content.decode()

    assert len(re.findall(r'id="reply-\d+"', first)) == 50
    assert len(re.findall(r'id="reply-\d+"', second)) == 1


def queries_for(client, path) -> int:
    from django.db import connection

    caches_cold()  # measure the page's own work, from cold caches, as after a write
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


@pytest.fixture(params=["anonymous", "member", "moderator"])
def any_client(request, client):
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    return client


@pytest.mark.parametrize("path", ["/community/", "/community/c/coffee/", "/"])
def test_list_pages_run_the_same_queries_for_1_and_50_threads(any_client, path):
    coffee = CategoryFactory(slug="coffee")
    authors = [UserFactory(), ModeratorFactory()]
    first = ThreadFactory(category=coffee, author=authors[0])
    first.tags.add("espresso", "grinder")
    queries_for(any_client, path)  # warm per-process caches (content types, site)
    with_one = queries_for(any_client, path)

    for number in range(49):
        thread = ThreadFactory(category=coffee, author=authors[number % 2])
        thread.tags.add(f"tag-{number}", "espresso")
    with_fifty = queries_for(any_client, path)

    assert with_one == with_fifty


def test_thread_page_runs_the_same_queries_for_1_and_50_replies(any_client):
    thread = ThreadFactory()
    thread.tags.add("espresso")
    authors = [UserFactory(), ModeratorFactory(), UserFactory()]
    services.reply_create(author=authors[0], thread=thread, body="First")
    queries_for(any_client, thread.get_absolute_url())
    with_one = queries_for(any_client, thread.get_absolute_url())

    for number in range(49):
        services.reply_create(author=authors[number % 3], thread=thread, body=f"Reply {number}")
    with_fifty = queries_for(any_client, thread.get_absolute_url())

    assert with_one == with_fifty
