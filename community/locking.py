"""Row locks for writes on a thread and its replies, always in one order.

Every write that changes a thread's counters or state locks the thread's row
first, then the reply's, so two writes on one thread queue behind each other
instead of deadlocking (promise 4: counters stay true under concurrent requests).
Locks last until the transaction ends, so these refuse to run outside one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext as _

from community.models import Reply, Thread


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "Row locks last until the transaction ends: lock inside transaction.atomic."
        )


def lock_thread(thread: Thread | int, *, select_related: tuple[str, ...] = ()) -> Thread:
    """The thread's row, locked, with fresh values (and the relations named, which
    are read but not locked)."""
    _require_transaction()
    pk = thread if isinstance(thread, int) else thread.pk
    rows = Thread.objects.select_for_update(of=("self",)).select_related(*select_related)
    return rows.get(pk=pk)


def lock_reply(reply: Reply) -> Reply:
    """The reply's row, locked after its thread's; `reply.thread` is the locked thread."""
    thread = lock_thread(reply.thread_id)
    locked = Reply.objects.select_for_update(of=("self",)).get(pk=reply.pk)
    locked.thread = thread
    return locked


def lock_post(thread: Thread, reply: Reply | None = None) -> tuple[Thread, Reply | None]:
    """The thread, then the reply when one is given, locked in that order."""
    if reply is None:
        return lock_thread(thread), None
    if reply.thread_id != thread.pk:
        raise ValidationError(_("That reply is not part of this thread."), code="wrong_reply")
    reply = lock_reply(reply)
    return reply.thread, reply
