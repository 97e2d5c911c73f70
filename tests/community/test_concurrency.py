"""Counters tell the truth under concurrent requests (promise 4), on PostgreSQL.

Each test fires a round of at least 100 service calls at once, each in its own
thread on its own database connection; a barrier releases them together so their
transactions really overlap. Afterwards every counter must equal a recount of its
rows and there is exactly one row per (member, reply) or (member, thread). Each
round adds its operations and its lost updates (|stored - recount| summed over
every counter) to the "concurrency" figure of the security suite.

The last test shows the harness is able to catch a lost update: the same
concurrency applied to a naive read-modify-write counter leaves it too low.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais \
        .venv/bin/python -m pytest tests/community/test_concurrency.py -q
"""

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models import Count, Min

from accounts.models import EmailNotifications, User
from community import services
from community.models import (
    Follow,
    HelpfulVote,
    MeToo,
    Notification,
    Reply,
    Thread,
    Visibility,
)
from tests.community.test_services_counters import assert_counters_true
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.security.figures import record

# Shared with the other concurrency tests (tests/moderation/test_queue_concurrency.py).
CONCURRENT_ON_POSTGRES = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises every writer, "
        "so it cannot show concurrent requests racing",
    ),
    # Real transactions in real threads; restore the data migrations' rows afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
pytestmark = CONCURRENT_ON_POSTGRES

# PostgreSQL's default max_connections is 100 (3 of them reserved for superusers,
# which the test role is). run_together closes the test's own connection before a
# round, so all 100 connections can go to the workers: one operation, one thread,
# one connection each.
WORKERS = 100
BARRIER_TIMEOUT = 60


def run_together(calls: Sequence[Callable[[], object]]) -> list[object]:
    """Run every call in its own thread and connection, all released at once.

    Each call first loads what it needs (opening its connection), then waits at
    the barrier, so the writes start together. Exceptions are re-raised here.
    The test's own connection is closed first, so the round may use every
    connection the server allows; afterwards no worker connection is left open.
    """
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    wait_for_free_connections(len(calls))
    connection.close()

    def worker(call):
        try:
            try:
                connect_patiently()
                prepared = call()
            except BaseException:
                barrier.abort()  # the others stop waiting; this error is the one to see
                raise
            barrier.wait()
            return prepared()
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(worker, call) for call in calls]
        wait(futures, timeout=BARRIER_TIMEOUT * 2)
    errors = [future.exception() for future in futures if future.exception()]
    if errors:
        # Report the cause, not the BrokenBarrierError it left in the other workers.
        raise next(
            (e for e in errors if not isinstance(e, threading.BrokenBarrierError)), errors[0]
        )
    results = [future.result() for future in futures]
    assert_no_connection_left_open()
    return results


def free_connections() -> int:
    """Connections the server can still open once this test's own is closed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) "
            "FROM pg_stat_activity WHERE backend_type = 'client backend'"
        )
        return cursor.fetchone()[0] + 1


def wait_for_free_connections(needed: int, patience: float = 180) -> None:
    """Wait until the server has a connection for every worker of the round.

    A round of 100 takes every connection a default PostgreSQL allows; while
    another client (say, a second test run on the same server) holds some, the
    round waits for them rather than failing on "too many clients".
    """
    deadline = time.monotonic() + patience
    while (free := free_connections()) < needed:
        if time.monotonic() > deadline:
            pytest.fail(
                f"a round of {needed} needs {needed} connections; the server has {free} "
                "free: other clients hold the rest. Run again when they are done."
            )
        time.sleep(0.5)


def connect_patiently(patience: float = BARRIER_TIMEOUT * 0.75) -> None:
    """Open this thread's connection, waiting while the server is full.

    A round takes every connection the server has; another test run on the same
    server may hold one for a moment. Waiting for it beats a spurious failure.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as error:
            if "too many clients" not in str(error) or time.monotonic() > deadline:
                raise
            connection.close()
            time.sleep(0.2)


def open_connections() -> int:
    """Connections to the test database, this test's own included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def assert_no_connection_left_open() -> None:
    # A backend leaves pg_stat_activity a moment after its client hung up.
    deadline = time.monotonic() + 10
    while (count := open_connections()) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert count == 1, f"{count - 1} worker connections left open after the round"


def lost_updates(*threads: Thread) -> int:
    """Sum over every counter of the threads and their replies of |stored - recount|."""
    lost = 0
    for thread in Thread.objects.filter(pk__in=[t.pk for t in threads]):
        visible = Reply.objects.filter(thread=thread, visibility=Visibility.VISIBLE)
        lost += abs(thread.reply_count - visible.count())
        lost += abs(thread.me_too_count - MeToo.objects.filter(thread=thread).count())
        earliest = visible.filter(is_official=True).aggregate(first=Min("created_at"))["first"]
        lost += int(thread.first_official_reply_at != earliest)
        for reply in Reply.objects.filter(thread=thread):
            lost += abs(reply.helpful_count - HelpfulVote.objects.filter(reply=reply).count())
    return lost


def record_round(calls: Sequence[object], *threads: Thread, queue_errors: int = 0) -> None:
    """Add a round to the security suite's "concurrency" figure (before asserting).

    Failures are the lost updates of the threads' counters, plus `queue_errors`:
    threads the moderation queue got wrong (tests/moderation/test_queue_concurrency.py).
    """
    failures = lost_updates(*threads) + queue_errors
    record("concurrency", cases=len(calls), failures=failures)
    assert len(calls) >= 100, "a round is at least 100 simultaneous operations"


def members(count: int, **kwargs) -> list[User]:
    # No e-mail: the test is about rows and counters (e-mails are tested elsewhere).
    kwargs.setdefault("email_notifications", EmailNotifications.NONE)
    return UserFactory.create_batch(count, **kwargs)


def new_thread() -> Thread:
    return services.thread_create(
        author=UserFactory(email_notifications=EmailNotifications.NONE),
        category=CategoryFactory(),
        title="The dishwasher stops mid-cycle",
        body="It beeps three times and stops.",
    )


def one_row_per_member(model, **owner) -> bool:
    return not model.objects.filter(**owner).values("user").annotate(n=Count("pk")).filter(n__gt=1)


# --- replies -----------------------------------------------------------------


def reply_call(user_pk: int, thread_pk: int, body: str):
    def prepare():
        author = User.objects.get(pk=user_pk)
        thread = Thread.objects.get(pk=thread_pk)
        return lambda: services.reply_create(author=author, thread=thread, body=body)

    return prepare


def test_concurrent_replies_keep_the_reply_count_true():
    thread = new_thread()
    authors = members(WORKERS - 5) + [
        ModeratorFactory(email_notifications=EmailNotifications.NONE) for _ in range(5)
    ]

    calls = [reply_call(a.pk, thread.pk, f"Reply from {a}") for a in authors]
    replies = run_together(calls)

    record_round(calls, thread)
    thread = assert_counters_true(thread)
    assert thread.reply_count == len(authors) == len({reply.pk for reply in replies})
    assert Reply.objects.filter(thread=thread, is_official=True).count() == 5
    assert thread.first_official_reply_at is not None
    assert thread.last_activity_at == max(reply.created_at for reply in replies)
    assert one_row_per_member(Follow, thread=thread)
    assert Follow.objects.filter(thread=thread).count() == len(authors) + 1  # and the asker


def test_concurrent_replies_from_one_member_are_all_counted():
    thread = new_thread()
    author = members(1)[0]

    calls = [reply_call(author.pk, thread.pk, f"Double post {n}") for n in range(WORKERS)]
    run_together(calls)

    record_round(calls, thread)
    assert assert_counters_true(thread).reply_count == WORKERS
    assert Follow.objects.filter(thread=thread, user=author).count() == 1


# --- helpful votes -----------------------------------------------------------


def helpful_call(user_pk: int, reply_pk: int, helpful: bool):
    def prepare():
        user = User.objects.get(pk=user_pk)
        reply = Reply.objects.get(pk=reply_pk)
        return lambda: services.reply_set_helpful(user=user, reply=reply, helpful=helpful)

    return prepare


@pytest.fixture
def reply():
    thread = new_thread()
    return services.reply_create(author=members(1)[0], thread=thread, body="Clean the filter.")


def test_concurrent_helpful_votes_from_distinct_members(reply):
    voters = members(WORKERS)

    calls = [helpful_call(voter.pk, reply.pk, True) for voter in voters]
    run_together(calls)

    record_round(calls, reply.thread)
    assert_counters_true(reply.thread)
    reply.refresh_from_db()
    assert reply.helpful_count == WORKERS == HelpfulVote.objects.filter(reply=reply).count()
    assert one_row_per_member(HelpfulVote, reply=reply)


def test_concurrent_double_submits_leave_one_vote(reply):
    voter = members(1)[0]

    calls = [helpful_call(voter.pk, reply.pk, True) for _ in range(WORKERS)]
    results = run_together(calls)

    record_round(calls, reply.thread)
    assert all(result is True for result in results)
    assert_counters_true(reply.thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 1
    assert HelpfulVote.objects.filter(reply=reply, user=voter).count() == 1


def test_concurrent_helpful_toggles_in_both_directions(reply):
    leaving = members(30)
    for voter in leaving:
        services.reply_set_helpful(user=voter, reply=reply, helpful=True)
    double_off = members(1)[0]
    services.reply_set_helpful(user=double_off, reply=reply, helpful=True)
    arriving = members(40)
    double_on = members(1)[0]

    calls = (
        [helpful_call(voter.pk, reply.pk, False) for voter in leaving]
        + [helpful_call(double_off.pk, reply.pk, False) for _ in range(10)]
        + [helpful_call(voter.pk, reply.pk, True) for voter in arriving]
        + [helpful_call(double_on.pk, reply.pk, True) for _ in range(20)]
    )
    run_together(calls)

    record_round(calls, reply.thread)
    assert_counters_true(reply.thread)
    reply.refresh_from_db()
    assert reply.helpful_count == len(arriving) + 1
    assert set(HelpfulVote.objects.filter(reply=reply).values_list("user", flat=True)) == {
        voter.pk for voter in [*arriving, double_on]
    }
    assert one_row_per_member(HelpfulVote, reply=reply)


# --- me too ------------------------------------------------------------------


def me_too_call(user_pk: int, thread_pk: int, me_too: bool):
    def prepare():
        user = User.objects.get(pk=user_pk)
        thread = Thread.objects.get(pk=thread_pk)
        return lambda: services.thread_set_me_too(user=user, thread=thread, me_too=me_too)

    return prepare


def test_concurrent_me_too_from_distinct_members_and_double_submits():
    thread = new_thread()
    others = members(WORKERS - 10)
    double = members(1)[0]

    calls = [me_too_call(member.pk, thread.pk, True) for member in others] + [
        me_too_call(double.pk, thread.pk, True) for _ in range(10)
    ]
    run_together(calls)

    record_round(calls, thread)
    thread = assert_counters_true(thread)
    assert thread.me_too_count == 1 + len(others) + 1  # the asker, the others, the double
    assert one_row_per_member(MeToo, thread=thread)
    assert one_row_per_member(Follow, thread=thread)
    assert Follow.objects.filter(thread=thread, user=double).count() == 1


def test_concurrent_me_too_on_and_off():
    thread = new_thread()
    leaving = members(40)
    for member in leaving:
        services.thread_set_me_too(user=member, thread=thread, me_too=True)
    arriving = members(50)
    flapping = members(1)[0]
    services.thread_set_me_too(user=flapping, thread=thread, me_too=True)

    calls = (
        [me_too_call(member.pk, thread.pk, False) for member in leaving]
        + [me_too_call(member.pk, thread.pk, True) for member in arriving]
        + [me_too_call(flapping.pk, thread.pk, False) for _ in range(10)]
    )
    run_together(calls)

    record_round(calls, thread)
    thread = assert_counters_true(thread)
    assert thread.me_too_count == 1 + len(arriving)
    assert one_row_per_member(MeToo, thread=thread)


# --- everything at once on one thread ----------------------------------------


def test_replies_votes_and_me_too_at_once_keep_every_counter_true(reply):
    thread = reply.thread
    people = members(WORKERS)
    calls = []
    for number, person in enumerate(people):
        kind = number % 3
        if kind == 0:
            calls.append(reply_call(person.pk, thread.pk, f"Reply {number}"))
        elif kind == 1:
            calls.append(helpful_call(person.pk, reply.pk, True))
        else:
            calls.append(me_too_call(person.pk, thread.pk, True))

    run_together(calls)

    record_round(calls, thread)
    thread = assert_counters_true(thread)
    assert thread.reply_count == 1 + len(people[0::3])
    assert thread.me_too_count == 1 + len(people[2::3])
    reply.refresh_from_db()
    assert reply.helpful_count == len(people[1::3])


# --- accepting and recommending ----------------------------------------------
# The thread (accept) or the reply (recommend) is locked first (community.locking),
# so overlapping requests take turns: one solution, one recommendation, and one
# notification per change actually made.


def accept_call(user_pk: int, thread_pk: int, reply_pk: int | None):
    def prepare():
        user = User.objects.get(pk=user_pk)
        thread = Thread.objects.get(pk=thread_pk)
        reply = Reply.objects.get(pk=reply_pk) if reply_pk else None
        return lambda: services.thread_accept_reply(user=user, thread=thread, reply=reply)

    return prepare


def recommend_call(moderator_pk: int, reply_pk: int, recommended: bool):
    def prepare():
        moderator = User.objects.get(pk=moderator_pk)
        reply = Reply.objects.get(pk=reply_pk)
        return lambda: services.reply_set_recommended(
            moderator=moderator, reply=reply, recommended=recommended
        )

    return prepare


def two_peer_replies() -> tuple[Thread, Reply, Reply]:
    thread = new_thread()
    first, second = (
        services.reply_create(author=author, thread=thread, body=body)
        for author, body in zip(members(2), ("Clean the filter.", "Reset it."), strict=True)
    )
    return thread, first, second


def solution_state_is_whole(thread: Thread) -> bool:
    """A solution with who marked it and when, or none of the three."""
    thread.refresh_from_db()
    marked = (thread.solution_id, thread.solution_marked_by_id, thread.solved_at)
    return all(value is None for value in marked) or all(value is not None for value in marked)


def told(kind, **about) -> int:
    return Notification.objects.filter(kind=kind, **about).count()


def test_concurrent_accepts_of_two_replies_leave_one_whole_solution():
    thread, first, second = two_peer_replies()
    # Two moderators: once staff marked a solution the asker may no longer change it,
    # so an asker racing a moderator would be refused rather than race.
    deciders = [ModeratorFactory(email_notifications=EmailNotifications.NONE).pk for _ in range(2)]

    calls = [
        accept_call(deciders[n % 2], thread.pk, (first, second)[n // 2 % 2].pk)
        for n in range(WORKERS)
    ]
    run_together(calls)

    broken = int(not solution_state_is_whole(thread))
    record_round(calls, thread, queue_errors=broken)
    thread = assert_counters_true(thread)
    assert thread.solution_id in {first.pk, second.pk}
    assert broken == 0
    # Each change of solution told the reply's author once: never more changes than calls.
    accepted = told(Notification.Kind.ACCEPTED, thread=thread)
    assert 1 <= accepted <= WORKERS
    assert told(Notification.Kind.ACCEPTED, reply_id=thread.solution_id) >= 1


def test_concurrent_accept_and_undo_leave_the_solution_whole():
    thread, first, _ = two_peer_replies()
    calls = [
        accept_call(thread.author_id, thread.pk, first.pk if n % 2 else None)
        for n in range(WORKERS)
    ]
    run_together(calls)

    broken = int(not solution_state_is_whole(thread))
    record_round(calls, thread, queue_errors=broken)
    assert broken == 0
    assert thread.solution_id in {None, first.pk}
    assert_counters_true(thread)


def test_concurrent_double_accepts_tell_the_author_once():
    thread, first, _ = two_peer_replies()
    calls = [accept_call(thread.author_id, thread.pk, first.pk) for _ in range(WORKERS)]
    run_together(calls)

    extra = max(0, told(Notification.Kind.ACCEPTED, reply=first) - 1)
    record("double_submit", cases=1, failures=extra)
    record_round(calls, thread)
    thread.refresh_from_db()
    assert thread.solution_id == first.pk
    assert extra == 0


def test_concurrent_recommends_leave_one_recommendation():
    thread, first, _ = two_peer_replies()
    moderators = [ModeratorFactory(email_notifications=EmailNotifications.NONE) for _ in range(10)]
    calls = [recommend_call(moderators[n % 10].pk, first.pk, True) for n in range(WORKERS)]
    run_together(calls)

    extra = max(0, told(Notification.Kind.RECOMMENDED, reply=first) - 1)
    record("double_submit", cases=1, failures=extra)
    record_round(calls, thread)
    first.refresh_from_db()
    assert first.recommended_by_id in {m.pk for m in moderators}
    assert first.recommended_at is not None
    assert extra == 0


def test_concurrent_recommend_and_withdraw_leave_the_reply_whole():
    thread, first, _ = two_peer_replies()
    moderator = ModeratorFactory(email_notifications=EmailNotifications.NONE)
    calls = [recommend_call(moderator.pk, first.pk, bool(n % 2)) for n in range(WORKERS)]
    run_together(calls)

    first.refresh_from_db()
    broken = int((first.recommended_by_id is None) != (first.recommended_at is None))
    record_round(calls, thread, queue_errors=broken)
    assert broken == 0


# --- the harness catches a lost update ---------------------------------------


def naive_me_too(*, user, thread) -> None:
    """A deliberately wrong counter update: read in Python, add one, write back."""
    with transaction.atomic():
        MeToo.objects.create(thread=thread, user=user)
        count = Thread.objects.get(pk=thread.pk).me_too_count
        time.sleep(0.02)  # widen the window between the read and the write
        Thread.objects.filter(pk=thread.pk).update(me_too_count=count + 1)


def naive_call(user_pk: int, thread_pk: int):
    def prepare():
        user = User.objects.get(pk=user_pk)
        thread = Thread.objects.get(pk=thread_pk)
        return lambda: naive_me_too(user=user, thread=thread)

    return prepare


def test_the_harness_catches_a_naive_counter_losing_updates():
    lost = []
    for _round in range(3):
        thread = new_thread()
        run_together([naive_call(member.pk, thread.pk) for member in members(20)])
        thread.refresh_from_db()
        rows = MeToo.objects.filter(thread=thread).count()
        assert thread.me_too_count <= rows == 21
        if thread.me_too_count < rows:
            lost.append(rows - thread.me_too_count)
            with pytest.raises(AssertionError, match="me_too_count"):
                assert_counters_true(thread)
            break

    assert lost, "the naive read-modify-write never lost an update: the harness proves nothing"
