"""Pre-moderation: a moderator approves or rejects a new member's pending post,
or a change to a public post that waits (community/services/editing.py).

Approving makes the post public through the community services. A thread's
official-reply clock has run since it was asked: approval does not restart it.
Rejecting hides it with a reason the author reads; nothing is deleted, and the
restore actions undo it. An approved change replaces the post's text, the earlier
one kept as a revision; a rejected one is kept with the reason its author reads.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community import services as community_services
from community.locking import lock_reply, lock_thread
from community.models import ProposedEdit, Reply, Thread, Visibility
from moderation import permissions
from moderation.audit import (
    EDIT_APPROVE,
    EDIT_REJECT,
    REPLY_APPROVE,
    REPLY_REJECT,
    THREAD_APPROVE,
    THREAD_REJECT,
)
from moderation.services.actions import lock
from moderation.services.reasons import clean_reason


def _already_public() -> ValidationError:
    return ValidationError(
        _("This post is already public: hide it from its page if it should not be."),
        code="already_public",
    )


@transaction.atomic
def thread_approve(*, moderator, thread: Thread) -> Thread:
    """Publish a pending thread; it enters the official-reply queue, due from when it
    was asked."""
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


def thread_reject(*, moderator, thread: Thread, reason: str) -> Thread:
    """Keep a pending thread out of public view, with a reason its author reads."""
    return _reject(moderator=moderator, post=thread, reason=reason)


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


def reply_reject(*, moderator, reply: Reply, reason: str) -> Reply:
    """Keep a pending reply out of public view, with a reason its author reads.

    A pending reply was never counted, so no counter moves; restoring it later
    (reply_restore) counts it.
    """
    return _reject(moderator=moderator, post=reply, reason=reason)


@transaction.atomic
def _reject(*, moderator, post: Thread | Reply, reason: str) -> Thread | Reply:
    """Hide a pending post with the moderator's reason. A post rejected (or hidden)
    already is left as it is; a public one is refused: hiding it is another action."""
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    post = lock(post)
    if isinstance(post, Reply):
        action, data = REPLY_REJECT, {"reason": reason, "thread": post.thread_id}
    else:
        action, data = THREAD_REJECT, {"reason": reason}
    if post.visibility == Visibility.HIDDEN:
        return post
    if post.visibility != Visibility.PENDING:
        raise _already_public()
    community_services.post_hide(post, reason=reason)
    log(post, action, user=moderator, data=data)
    return post


def _edit_decided() -> ValidationError:
    return ValidationError(
        _("This change was decided on already, or its author replaced it with a newer one."),
        code="edit_decided",
    )


def _locked_waiting_edit(edit: ProposedEdit) -> tuple[ProposedEdit, Thread | Reply]:
    """The change and its post, locked in that order (the edit services lock the
    post first, then read the change: both orders end on the post's row lock)."""
    post = lock(edit.thread if edit.thread_id else edit.reply)
    edit = ProposedEdit.objects.select_for_update().get(pk=edit.pk)
    if edit.status != ProposedEdit.Status.PENDING:
        raise _edit_decided()
    return edit, post


@transaction.atomic
def edit_approve(*, moderator, edit: ProposedEdit) -> ProposedEdit:
    """Apply a waiting change to its post, as its author wrote it; the earlier text
    is kept as a revision. A change decided on or replaced already is refused."""
    permissions.check_moderate(moderator)
    edit, post = _locked_waiting_edit(edit)
    community_services.edit_apply(
        post=post,
        editor=edit.editor,
        title=edit.title if isinstance(post, Thread) else "",
        body=edit.body,
        body_html=edit.body_html,
    )
    edit.status = ProposedEdit.Status.APPROVED
    edit.decided_by, edit.decided_at = moderator, timezone.now()
    edit.save(update_fields=["status", "decided_by", "decided_at"])
    log(post, EDIT_APPROVE, user=moderator, data={"edit": edit.pk, "editor": edit.editor_id})
    return edit


@transaction.atomic
def edit_reject(*, moderator, edit: ProposedEdit, reason: str) -> ProposedEdit:
    """Keep a post as it is and tell the change's author why (on its edit page);
    the change itself is kept."""
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    edit, post = _locked_waiting_edit(edit)
    edit.status = ProposedEdit.Status.REJECTED
    edit.decided_by, edit.decided_at, edit.reason = moderator, timezone.now(), reason
    edit.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    log(post, EDIT_REJECT, user=moderator, data={"edit": edit.pk, "reason": reason})
    return edit
