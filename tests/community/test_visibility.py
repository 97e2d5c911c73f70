"""post_hide and post_restore: idempotent, and the counters and the queue stay true."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from community import services
from community.locking import lock_reply, lock_thread
from community.models import Reply, Thread, Visibility
from tests.factories import ModeratorFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    """A public question waiting for the brand, due in 24 hours."""
    return ThreadFactory(title="The kettle clicks off too soon")


def in_queue(thread: Thread) -> bool:
    return Thread.objects.awaiting_official_reply().filter(pk=thread.pk).exists()


def locked(post):
    """The post locked as the primitives expect (inside the caller's transaction)."""
    return lock_reply(post) if isinstance(post, Reply) else lock_thread(post)


def hide(post, reason="Off-topic") -> bool:
    with transaction.atomic():
        return services.post_hide(locked(post), reason=reason)


def restore(post) -> bool:
    with transaction.atomic():
        return services.post_restore(locked(post))


def assert_counters_true(thread: Thread) -> None:
    thread.refresh_from_db()
    stored = (thread.reply_count, thread.first_official_reply_at)
    services.thread_recount(thread)
    thread.refresh_from_db()
    assert stored == (thread.reply_count, thread.first_official_reply_at)


def test_post_hide_the_only_official_reply_puts_the_thread_back_with_its_due_time(thread):
    due = thread.response_due_at
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    assert official.is_official and not in_queue(thread)

    assert hide(official) is True

    thread.refresh_from_db()
    assert in_queue(thread)
    assert thread.response_due_at == due
    assert thread.reply_count == 0
    assert_counters_true(thread)


def test_post_restore_the_official_reply_takes_the_thread_out_again(thread):
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    hide(official)

    assert restore(official) is True

    thread.refresh_from_db()
    assert not in_queue(thread)
    assert thread.first_official_reply_at == official.created_at
    assert thread.reply_count == 1
    assert_counters_true(thread)


def test_post_hide_and_post_restore_answer_false_the_second_time(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    assert hide(reply, "Spam") is True
    assert hide(reply, "Spam") is False
    assert restore(reply) is True
    assert restore(reply) is False

    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE
    assert reply.hidden_reason == ""
    assert_counters_true(thread)


def test_post_hide_on_a_hidden_post_takes_the_new_reason(thread):
    hide(thread, "Pending review")

    assert hide(thread, "Advertising") is True

    thread.refresh_from_db()
    assert thread.hidden_reason == "Advertising"
    assert not in_queue(thread)


def test_post_hide_and_restore_a_thread_keep_its_due_time(thread):
    due = thread.response_due_at

    assert hide(thread) is True
    assert not in_queue(thread)
    assert restore(thread) is True

    thread.refresh_from_db()
    assert in_queue(thread)
    assert thread.response_due_at == due


def test_post_restore_publishes_a_thread_that_was_never_public(thread):
    Thread.objects.filter(pk=thread.pk).update(
        visibility=Visibility.HIDDEN, published_at=None, response_due_at=None
    )
    before = timezone.now()

    assert restore(thread) is True

    thread.refresh_from_db()
    assert thread.visibility == Visibility.VISIBLE
    assert thread.published_at >= before
    assert thread.response_due_at >= before + timedelta(hours=1)
    assert in_queue(thread)
