"""Moderation actions: each checks the moderator, keeps every row (hide, never delete),
is reversible, and writes Wagtail's audit log with who, what and why (promise 3)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community.models import Reply, Thread, Visibility
from community.services import thread_refresh_replies
from moderation import permissions
from moderation.wagtail_hooks import (
    REPLY_HIDE,
    REPLY_RESTORE,
    THREAD_HIDE,
    THREAD_LOCK,
    THREAD_RESTORE,
    THREAD_UNLOCK,
)

REASON_MAX_LENGTH = 500


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Say why: the author will read it."), code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)s characters."),
            code="reason_too_long",
            params={"limit": REASON_MAX_LENGTH},
        )
    return reason


def _locked_reply(reply: Reply) -> Reply:
    # Lock the thread first (as posting a reply does) so counters move in one order.
    Thread.objects.select_for_update().get(pk=reply.thread_id)
    return Reply.objects.select_for_update().select_related("thread").get(pk=reply.pk)


@transaction.atomic
def reply_hide(*, moderator, reply: Reply, reason: str) -> Reply:
    permissions.check_moderate(moderator)
    reason = _clean_reason(reason)
    reply = _locked_reply(reply)
    if reply.visibility == Visibility.HIDDEN:
        return reply  # already hidden: a double submit changes nothing
    reply.visibility, reply.hidden_reason = Visibility.HIDDEN, reason
    reply.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    thread_refresh_replies(reply.thread)
    log(reply, REPLY_HIDE, user=moderator, data={"reason": reason, "thread": reply.thread_id})
    return reply


@transaction.atomic
def reply_restore(*, moderator, reply: Reply, reason: str = "") -> Reply:
    permissions.check_moderate(moderator)
    reply = _locked_reply(reply)
    if reply.visibility != Visibility.HIDDEN:
        return reply
    reply.visibility, reply.hidden_reason = Visibility.VISIBLE, ""
    reply.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    thread_refresh_replies(reply.thread)
    log(
        reply,
        REPLY_RESTORE,
        user=moderator,
        data={"reason": " ".join((reason or "").split()), "thread": reply.thread_id},
    )
    return reply


def _locked_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().get(pk=thread.pk)


@transaction.atomic
def thread_hide(*, moderator, thread: Thread, reason: str) -> Thread:
    """Hide a thread: out of every list and of the queue, kept whole for its author."""
    permissions.check_moderate(moderator)
    reason = _clean_reason(reason)
    thread = _locked_thread(thread)
    if thread.visibility == Visibility.HIDDEN:
        return thread
    previous = thread.visibility
    thread.visibility, thread.hidden_reason = Visibility.HIDDEN, reason
    thread.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    log(thread, THREAD_HIDE, user=moderator, data={"reason": reason, "previous": previous})
    return thread


@transaction.atomic
def thread_restore(*, moderator, thread: Thread, reason: str = "") -> Thread:
    """Make a hidden thread visible again; without an official reply it is back in the
    queue with the due time it was given when asked."""
    permissions.check_moderate(moderator)
    thread = _locked_thread(thread)
    if thread.visibility != Visibility.HIDDEN:
        return thread
    thread.visibility, thread.hidden_reason = Visibility.VISIBLE, ""
    thread.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    log(thread, THREAD_RESTORE, user=moderator, data={"reason": " ".join(reason.split())})
    return thread


@transaction.atomic
def thread_set_locked(*, moderator, thread: Thread, locked: bool, reason: str = "") -> Thread:
    """Lock a thread (no more replies from members) or unlock it."""
    permissions.check_moderate(moderator)
    reason = _clean_reason(reason) if locked else " ".join((reason or "").split())
    thread = _locked_thread(thread)
    if thread.is_locked == locked:
        return thread
    thread.is_locked = locked
    thread.save(update_fields=["is_locked", "updated_at"])
    log(thread, THREAD_LOCK if locked else THREAD_UNLOCK, user=moderator, data={"reason": reason})
    return thread
