"""community.locking: one lock order for a thread and its replies, inside a transaction."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.transaction import TransactionManagementError

from community.locking import lock_post, lock_reply, lock_thread
from tests.factories import ReplyFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply():
    return ReplyFactory(author=UserFactory())


# Outside the test case's transaction, with the migrations' rows kept for the next tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "lock",
    [
        lambda reply: lock_thread(reply.thread),
        lambda reply: lock_thread(reply.thread_id),
        lambda reply: lock_reply(reply),
        lambda reply: lock_post(reply.thread, reply),
    ],
    ids=["thread", "thread id", "reply", "post"],
)
def test_locks_refuse_to_run_outside_a_transaction(reply, lock):
    # A row lock lasts until the transaction ends: outside one it would hold nothing.
    with pytest.raises(TransactionManagementError):
        lock(reply)


def test_lock_reply_hands_the_locked_thread_with_the_reply(reply):
    with transaction.atomic():
        locked = lock_reply(reply)
    assert locked.pk == reply.pk
    assert locked.thread.pk == reply.thread_id


def test_lock_thread_reads_the_relations_it_is_asked_for(reply, django_assert_num_queries):
    with transaction.atomic():
        thread = lock_thread(reply.thread, select_related=("category",))
        with django_assert_num_queries(0):
            assert thread.category.pk == reply.thread.category_id


def test_lock_post_refuses_a_reply_of_another_thread(reply):
    other = ThreadFactory()
    with transaction.atomic(), pytest.raises(ValidationError):
        lock_post(other, reply)
