"""Posting: the official flag and the counters (promises 2 and 4)."""

import pytest

from community import services
from community.models import Reply
from tests.factories import (
    CategoryFactory,
    EditorFactory,
    ModeratorFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def recount(thread) -> int:
    return Reply.objects.visible().filter(thread=thread).count()


def test_thread_create_renders_the_body_and_tags():
    thread = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="  The milk frother does not heat  ",
        body="It stays **cold**.",
        tags=["frother", "milk"],
    )

    assert thread.title == "The milk frother does not heat"
    assert thread.slug == "the-milk-frother-does-not-heat"
    assert "<strong>cold</strong>" in thread.body_html
    assert sorted(thread.tags.names()) == ["frother", "milk"]


@pytest.mark.parametrize(
    ("author_factory", "official"),
    [(UserFactory, False), (EditorFactory, False), (ModeratorFactory, True)],
)
def test_reply_is_official_only_when_a_moderator_posts_it(author_factory, official):
    thread = ThreadFactory()

    reply = services.reply_create(author=author_factory(), thread=thread, body="Hello")

    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.is_official is official
    assert (thread.first_official_reply_at is not None) is official


def test_official_flag_is_not_recomputed_when_the_author_changes_role():
    moderator = ModeratorFactory()
    reply = services.reply_create(author=moderator, thread=ThreadFactory(), body="Hello")

    moderator.groups.clear()
    reply.refresh_from_db()

    assert reply.is_official is True


def test_reply_counter_and_activity_follow_each_reply():
    thread = ThreadFactory()
    before = thread.last_activity_at

    for _ in range(3):
        reply = services.reply_create(author=UserFactory(), thread=thread, body="Me too")

    thread.refresh_from_db()
    assert thread.reply_count == recount(thread) == 3
    assert thread.last_activity_at == reply.created_at > before


def test_first_official_reply_time_keeps_the_first():
    thread = ThreadFactory()
    moderator = ModeratorFactory()
    first = services.reply_create(author=moderator, thread=thread, body="One")
    services.reply_create(author=moderator, thread=thread, body="Two")

    thread.refresh_from_db()
    assert thread.first_official_reply_at == first.created_at
