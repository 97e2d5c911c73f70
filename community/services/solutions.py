"""Solutions and staff recommendations: the answers put forward under the question.

Marking and undoing a solution is limited per member and thread, and a reply
accepted once is not announced again (community/limits.py, rule 4).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community import limits, permissions
from community.locking import lock_reply, lock_thread
from community.models import MeToo, Notification, Reply, Thread, Visibility, WebhookEvent
from community.notifications import notify
from community.premoderation import is_new_member
from community.services.conversation import resolution_check_ask
from community.services.satisfaction import satisfaction_ask
from community.webhooks import webhook_event_emit


@transaction.atomic
def thread_accept_reply(*, user, thread: Thread, reply: Reply | None) -> Thread:
    """Mark `reply` as the thread's solution, or undo the solution with reply=None."""
    thread = lock_thread(thread)
    permissions.check_accept(user, thread)
    if reply is None:
        if thread.solution_id is None:
            return thread  # nothing to undo: a double submit changes nothing
        _count_change(user, thread)
        thread.solution, thread.solution_marked_by, thread.solved_at = None, None, None
        thread.save(update_fields=["solution", "solution_marked_by", "solved_at", "updated_at"])
        return thread
    if reply.thread_id != thread.pk or reply.visibility != Visibility.VISIBLE:
        raise ValidationError(_("That reply is not part of this thread."), code="wrong_reply")
    if thread.solution_id == reply.pk:
        return thread  # already the solution: a double submit changes nothing
    _count_change(user, thread)
    thread.solution, thread.solution_marked_by, thread.solved_at = reply, user, timezone.now()
    thread.save(update_fields=["solution", "solution_marked_by", "solved_at", "updated_at"])
    webhook_event_emit(
        event=WebhookEvent.THREAD_SOLVED,
        thread_id=thread.pk,
        reply_id=reply.pk,
        extra={"accepted_by": user.username},
    )
    # Told once per reply: undoing and accepting the same reply again tells nobody twice.
    told = set(
        Notification.objects.filter(
            reply=reply, kind__in=[Notification.Kind.ACCEPTED, Notification.Kind.SOLUTION]
        ).values_list("recipient_id", flat=True)
    )
    notify(
        recipient_ids={reply.author_id} - told,
        kind=Notification.Kind.ACCEPTED,
        actor=user,
        thread=thread,
        reply=reply,
    )
    # Whom the help is rated by hear of the solution through that question alone.
    asked = satisfaction_ask(thread=thread, reply=reply)
    waiting = set(MeToo.objects.filter(thread=thread).values_list("user_id", flat=True))
    waiting.add(thread.author_id)
    notify(
        recipient_ids=waiting - {reply.author_id} - told - asked,
        kind=Notification.Kind.SOLUTION,
        actor=user,
        thread=thread,
        reply=reply,
    )
    return thread


def _count_change(user, thread: Thread) -> None:
    """Count one change of the thread's solution by `user`; raises
    limits.SolutionLimitReached past the limit (community/limits.py, rule 4)."""
    limits.check_rate(
        author=user,
        kind=limits.ACCEPT,
        scope=str(thread.pk),
        is_new_member=lambda: is_new_member(user),
        error=limits.SolutionLimitReached,
    )


@transaction.atomic
def reply_set_recommended(*, moderator, reply: Reply, recommended: bool) -> Reply:
    reply = lock_reply(reply)
    permissions.check_recommend(moderator, reply)
    if recommended == reply.is_recommended:
        return reply
    if recommended:
        reply.recommended_by, reply.recommended_at = moderator, timezone.now()
    else:
        reply.recommended_by, reply.recommended_at = None, None
    reply.save(update_fields=["recommended_by", "recommended_at", "updated_at"])
    if recommended:
        notify(
            recipient_ids=[reply.author_id],
            kind=Notification.Kind.RECOMMENDED,
            actor=moderator,
            thread=reply.thread,
            reply=reply,
        )
        if reply.visibility == Visibility.VISIBLE:
            resolution_check_ask(thread=reply.thread, reply=reply, staff=moderator)
    return reply
