"""The asker's answer to "Did this solve your problem?" (community.services.conversation
asks it)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community import permissions
from community.cache import content_changed
from community.locking import lock_thread
from community.models import (
    CommunitySettings,
    Notification,
    ResolutionCheck,
    Thread,
    Visibility,
    WebhookEvent,
)
from community.notifications import notify
from community.services.conversation import customer_came_back_changes
from community.services.solutions import thread_accept_reply
from community.webhooks import webhook_event_emit


@transaction.atomic
def resolution_check_answer(*, user, check: ResolutionCheck, answer: str) -> ResolutionCheck:
    """The asker's answer. "Solved" on a recommended answer marks it as the solution;
    on an official reply the asker then picks the reply that solved it. "Not yet"
    puts the thread back in the queue with a follow-up due time and tells the staff
    member who replied. An answered question keeps its first answer, so a link
    followed twice changes nothing."""
    thread = lock_thread(check.thread_id, select_related=("category", "author"))
    check = ResolutionCheck.objects.select_for_update().select_related("reply").get(pk=check.pk)
    check.thread = thread
    permissions.check_answer_resolution_check(user, check)
    if answer not in ResolutionCheck.Answer.values:
        raise ValidationError(_("Say whether your problem is solved."), code="bad_answer")
    if check.is_answered:
        return check
    now = timezone.now()
    check.answer, check.answered_at = answer, now
    check.save(update_fields=["answer", "answered_at"])
    if answer == ResolutionCheck.Answer.NOT_YET:
        if thread.solution_id is None:
            Thread.objects.filter(pk=thread.pk).update(
                **customer_came_back_changes(thread, now), last_activity_at=now
            )
        if check.asked_for_id:
            notify(
                recipient_ids=[check.asked_for_id],
                kind=Notification.Kind.NOT_YET,
                actor=user,
                thread=thread,
                reply=check.reply,
            )
        webhook_event_emit(
            event=WebhookEvent.RESOLUTION_NOT_YET,
            thread_id=thread.pk,
            reply_id=check.reply_id,
            extra={"answered_at": now.isoformat()},
        )
    elif not check.reply.is_official and check.reply.visibility == Visibility.VISIBLE:
        # A recommended answer: "yes" confirms it as the solution.
        thread_accept_reply(user=user, thread=thread, reply=check.reply)
    # Answered from an e-mail link, without a session: the pages must still see it.
    transaction.on_commit(content_changed)
    return check


def resolution_checks_due_for_reminder(at):
    """Questions still unanswered `resolution_reminder_days` after they were asked, on
    a thread still public and unsolved, whose asker has not been reminded."""
    rules = CommunitySettings.load()
    return ResolutionCheck.objects.filter(
        answer="",
        reminded_at__isnull=True,
        asked_at__lte=at - rules.resolution_reminder_after,
        asker__is_active=True,
        thread__visibility=Visibility.VISIBLE,
        thread__solution__isnull=True,
    )


def resolution_checks_remind(*, at=None, limit: int = 500) -> int:
    """Remind each asker once, in the bell and by e-mail, of a question they left
    unanswered; returns how many were reminded. Safe to run on any schedule: a tick
    that is missed sends its reminders at the next one, and a tick that runs twice,
    or two at once, cannot remind anyone twice (each reminder is marked in the
    transaction that sends it, on a row the other tick skips while it is locked)."""
    at = at or timezone.now()
    reminded = 0
    for check_id in resolution_checks_due_for_reminder(at).values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            check = (
                resolution_checks_due_for_reminder(at)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("thread", "reply__author", "asked_for")
                .filter(pk=check_id)
                .first()
            )
            if check is None:  # answered, reminded or being reminded meanwhile
                continue
            check.reminded_at = at
            check.save(update_fields=["reminded_at"])
            notify(
                recipient_ids=[check.asker_id],
                kind=Notification.Kind.RESOLUTION_CHECK,
                actor=check.asked_for or check.reply.author,
                thread=check.thread,
                reply=check.reply,
            )
            reminded += 1
    return reminded
