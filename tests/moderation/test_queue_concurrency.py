"""The official-reply queue stays exact under concurrent official replies and
hide/restore (promise 1), on PostgreSQL: the queue is read from the rows, and
what check_queue recomputes never disagrees with it.

Each round is 100 simultaneous operations (50 threads, two each); it adds them,
with every counter drift and every thread the queue gets wrong, to the
"concurrency" figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais \\
        .venv/bin/python -m pytest tests/moderation/test_queue_concurrency.py -q
"""

from accounts.models import EmailNotifications, User
from community import services as community_services
from community.models import Reply, Thread, Visibility
from moderation import services
from moderation.selectors import awaiting_official_reply, queue_problems
from tests.community.test_concurrency import (
    CONCURRENT_ON_POSTGRES,
    WORKERS,
    new_thread,
    record_round,
    run_together,
)
from tests.factories import ModeratorFactory

pytestmark = CONCURRENT_ON_POSTGRES

THREADS = WORKERS // 2  # two simultaneous operations on each thread


def queue_errors(threads: list[Thread], *, expected_awaiting: set[int]) -> int:
    """Threads the queue gets wrong, plus every disagreement check_queue finds."""
    ours = awaiting_official_reply().filter(pk__in=[t.pk for t in threads])
    awaiting = set(ours.values_list("pk", flat=True))
    return len(awaiting ^ expected_awaiting) + len(queue_problems())


def moderators(count: int) -> list[User]:
    return [ModeratorFactory(email_notifications=EmailNotifications.NONE) for _ in range(count)]


def official_reply_call(moderator_pk: int, thread_pk: int):
    def prepare():
        author = User.objects.get(pk=moderator_pk)
        thread = Thread.objects.get(pk=thread_pk)
        return lambda: community_services.reply_create(
            author=author, thread=thread, body="Official answer."
        )

    return prepare


def hide_call(moderator_pk: int, reply_pk: int, *, hide: bool):
    def prepare():
        moderator = User.objects.get(pk=moderator_pk)
        reply = Reply.objects.get(pk=reply_pk)
        if hide:
            return lambda: services.reply_hide(moderator=moderator, reply=reply, reason="Wrong")
        return lambda: services.reply_restore(moderator=moderator, reply=reply)

    return prepare


def test_concurrent_official_replies_take_every_thread_out_of_the_queue_once():
    staff = moderators(2)
    threads = [new_thread() for _ in range(THREADS)]
    assert awaiting_official_reply().count() == THREADS

    calls = [official_reply_call(m.pk, t.pk) for t in threads for m in staff]
    run_together(calls)

    record_round(calls, *threads, queue_errors=queue_errors(threads, expected_awaiting=set()))
    assert awaiting_official_reply().count() == 0
    assert queue_problems() == []
    for thread in Thread.objects.filter(pk__in=[t.pk for t in threads]):
        first = Reply.objects.filter(thread=thread, is_official=True).order_by("created_at")[0]
        assert thread.first_official_reply_at == first.created_at
        assert thread.reply_count == 2


def test_hiding_the_only_official_reply_while_another_is_posted_leaves_the_queue_exact():
    hider, poster = moderators(2)
    threads = [new_thread() for _ in range(THREADS)]
    first_replies = [
        community_services.reply_create(author=hider, thread=thread, body="First answer.")
        for thread in threads
    ]
    assert awaiting_official_reply().count() == 0

    calls = []
    for thread, reply in zip(threads, first_replies, strict=True):
        calls.append(hide_call(hider.pk, reply.pk, hide=True))
        calls.append(official_reply_call(poster.pk, thread.pk))
    run_together(calls)

    record_round(calls, *threads, queue_errors=queue_errors(threads, expected_awaiting=set()))
    # Each thread ends with one visible official reply (the new one): answered.
    assert queue_problems() == []
    assert awaiting_official_reply().count() == 0
    for thread in Thread.objects.filter(pk__in=[t.pk for t in threads]):
        visible = Reply.objects.filter(thread=thread, visibility=Visibility.VISIBLE)
        assert visible.filter(is_official=True).count() == 1
        assert thread.reply_count == visible.count() == 1


def test_concurrent_hide_and_restore_of_official_replies_keep_the_queue_exact():
    staff = moderators(2)
    threads = [new_thread() for _ in range(THREADS)]
    replies = [
        community_services.reply_create(author=staff[0], thread=thread, body="Answer.")
        for thread in threads
    ]
    # Half hidden first, so the round mixes hides of visible replies and restores.
    for reply in replies[::2]:
        services.reply_hide(moderator=staff[0], reply=reply, reason="Check")

    calls = []
    for index, reply in enumerate(replies):
        calls.append(hide_call(staff[0].pk, reply.pk, hide=index % 2 == 1))
        calls.append(hide_call(staff[1].pk, reply.pk, hide=index % 2 == 0))
    run_together(calls)

    hidden_threads = set(
        Reply.objects.filter(
            pk__in=[r.pk for r in replies], visibility=Visibility.HIDDEN
        ).values_list("thread_id", flat=True)
    )
    errors = queue_errors(threads, expected_awaiting=hidden_threads)
    record_round(calls, *threads, queue_errors=errors)
    assert queue_problems() == []
    assert set(awaiting_official_reply().values_list("pk", flat=True)) == hidden_threads
    for thread in Thread.objects.filter(pk__in=[t.pk for t in threads]):
        original_due = next(t.response_due_at for t in threads if t.pk == thread.pk)
        assert thread.response_due_at == original_due
