"""How satisfied members are with the help (CSAT): asked once per thread when it is
solved, of the asker and, when the site says so, of the members who said "me too".
Only staff read the answers (moderation shows them on the thread and in the metrics)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import permissions
from community.cache import content_changed
from community.locking import lock_thread
from community.models import (
    CommunitySettings,
    MeToo,
    Notification,
    Reply,
    SatisfactionRating,
    Thread,
    Visibility,
    WebhookEvent,
)
from community.notifications import notify
from community.webhooks import webhook_event_emit


def satisfaction_ask(*, thread: Thread, reply: Reply) -> set[int]:
    """Ask how satisfied they are, now that `reply` solved `thread` (or, for a thread
    that closed, was the brand's last reply): once per thread and member, in the bell
    and by e-mail. Returns the ids of the members asked now (they hear of the
    solution through this question alone)."""
    if thread.visibility != Visibility.VISIBLE:
        return set()
    members = {thread.author_id}
    if CommunitySettings.load().satisfaction_ask_me_too:
        members |= set(MeToo.objects.filter(thread=thread).values_list("user_id", flat=True))
    # Not the member whose reply solved it; nobody asked before; active accounts only.
    members -= {reply.author_id}
    members -= set(
        SatisfactionRating.objects.filter(thread=thread).values_list("member_id", flat=True)
    )
    members = set(User.objects.filter(pk__in=members, is_active=True).values_list("pk", flat=True))
    if not members:
        return set()
    SatisfactionRating.objects.bulk_create(
        [SatisfactionRating(thread=thread, member_id=pk) for pk in sorted(members)],
        ignore_conflicts=True,
    )
    notify(
        recipient_ids=members,
        kind=Notification.Kind.SATISFACTION,
        actor=reply.author,
        thread=thread,
        reply=reply,
    )
    return members


def satisfaction_ask_closed(*, at=None, limit: int = 500) -> int:
    """Ask the members of each thread that closed (the customer stayed silent after
    the brand's reply) how satisfied they are; returns how many threads. Safe on any
    schedule: a missed run is caught up by the next, and a repeated or concurrent run
    asks nobody twice (a rating row is created once per thread and member, in the
    transaction that sends its question)."""
    at = at or timezone.now()
    rules = CommunitySettings.load()
    closed = (
        Thread.objects.closed(at=at, close_after=rules.close_after)
        .exclude(satisfaction_ratings__member_id=F("author_id"))
        .filter(author__is_active=True)
        .order_by("last_official_reply_at", "pk")
    )
    asked = 0
    for thread_id in closed.values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            thread = lock_thread(thread_id)
            last_reply = (
                thread.replies.visible().filter(is_official=True).order_by("-created_at").first()
            )
            if last_reply is None or thread.solution_id is not None:
                continue
            if satisfaction_ask(thread=thread, reply=last_reply):
                asked += 1
    return asked


@transaction.atomic
def satisfaction_answer(
    *, user, thread: Thread, score: int, comment: str = ""
) -> SatisfactionRating:
    """The member's score (1 to 5) and comment. The first answer is kept, so a form
    sent twice changes nothing."""
    rating = (
        SatisfactionRating.objects.select_for_update()
        .select_related("thread")
        .filter(thread_id=thread.pk, member_id=user.pk)
        .first()
    )
    if rating is None:
        raise PermissionDenied(_("You were not asked about this thread."))
    permissions.check_rate_satisfaction(user, rating)
    if rating.is_answered:
        return rating
    if score not in range(1, 6):
        raise ValidationError(_("Choose a score from 1 to 5."), code="bad_score")
    comment = comment.strip()
    if len(comment) > SatisfactionRating.COMMENT_MAX_LENGTH:
        raise ValidationError(_("The comment is too long."), code="long_comment")
    rating.score, rating.comment, rating.answered_at = score, comment, timezone.now()
    rating.save(update_fields=["score", "comment", "answered_at"])
    # For the brand's own systems, as for its staff pages: dropped if the thread is
    # not public.
    webhook_event_emit(
        event=WebhookEvent.SATISFACTION_RECEIVED,
        thread_id=thread.pk,
        extra={
            "rating": {
                "score": score,
                "comment": comment,
                "member": user.username,
                "answered_at": rating.answered_at.isoformat(),
            }
        },
    )
    # The staff's pages and the metrics show it on their next reading.
    transaction.on_commit(content_changed)
    return rating
