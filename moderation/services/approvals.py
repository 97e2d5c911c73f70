"""Pre-moderation: a moderator approves or rejects a new member's pending post.

Approving makes the post public through the community services (for a thread
the official-reply clock starts then). Rejecting hides it with a reason the
author reads; nothing is deleted, and the restore actions undo it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community import services as community_services
from community.locking import lock_reply, lock_thread
from community.models import Reply, Thread, Visibility
from community.search import thread_reindex_on_commit
from moderation import permissions
from moderation.audit import REPLY_APPROVE, REPLY_REJECT, THREAD_APPROVE, THREAD_REJECT
from moderation.services.reasons import clean_reason


def _already_public() -> ValidationError:
    return ValidationError(
        _("This post is already public: hide it from its page if it should not be."),
        code="already_public",
    )


@transaction.atomic
def thread_approve(*, moderator, thread: Thread) -> Thread:
    """Publish a pending thread; it enters the official-reply queue, due from now."""
    permissions.check_moderate(moderator)
    thread = lock_thread(thread)
    if thread.visibility != Visibility.PENDING:
        return thread  # approved (or rejected) already: a double submit changes nothing
    thread = community_services.thread_publish(thread=thread)
    log(
        thread,
        THREAD_APPROVE,
        user=moderator,
        data={"response_due_at": thread.response_due_at.isoformat()},
    )
    return thread


@transaction.atomic
def thread_reject(*, moderator, thread: Thread, reason: str) -> Thread:
    """Keep a pending thread out of public view, with a reason its author reads."""
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    thread = lock_thread(thread)
    if thread.visibility == Visibility.HIDDEN:
        return thread
    if thread.visibility != Visibility.PENDING:
        raise _already_public()
    thread.visibility, thread.hidden_reason = Visibility.HIDDEN, reason
    thread.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    thread_reindex_on_commit(thread_id=thread.pk)
    log(thread, THREAD_REJECT, user=moderator, data={"reason": reason})
    return thread


@transaction.atomic
def reply_approve(*, moderator, reply: Reply) -> Reply:
    """Publish a pending reply: it counts on its thread and notifies from now."""
    permissions.check_moderate(moderator)
    reply = lock_reply(reply)
    if reply.visibility != Visibility.PENDING:
        return reply
    reply = community_services.reply_publish(reply=reply)
    log(reply, REPLY_APPROVE, user=moderator, data={"thread": reply.thread_id})
    return reply


@transaction.atomic
def reply_reject(*, moderator, reply: Reply, reason: str) -> Reply:
    """Keep a pending reply out of public view, with a reason its author reads.

    A pending reply was never counted, so no counter moves; restoring it later
    (reply_restore) counts it.
    """
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    reply = lock_reply(reply)
    if reply.visibility == Visibility.HIDDEN:
        return reply
    if reply.visibility != Visibility.PENDING:
        raise _already_public()
    reply.visibility, reply.hidden_reason = Visibility.HIDDEN, reason
    reply.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    log(reply, REPLY_REJECT, user=moderator, data={"reason": reason, "thread": reply.thread_id})
    return reply
