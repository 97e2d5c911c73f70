"""The digest e-mails: a member's daily or weekly digest, and the moderators' daily
summary, sent by `manage.py send_digests` (run from cron every hour).

A digest holds the questions asked and the solutions accepted, since the last
one, in the categories and tags the member follows, and a few questions still
unanswered where a peer could help (in what they follow, or anywhere when they
follow nothing). The moderators' summary holds the threads whose official reply
is overdue and those the customer reopened since the last summary. Each is
written in its recipient's language; an empty one is not sent.

Who is due and who may receive anything is read by accounts' UserQuerySet
(digest_due, moderator_summary_due, reachable_by_email); what each e-mail holds,
by the ThreadQuerySet verbs, in a fixed number of queries per recipient.

Idempotent: each send is claimed by moving the recipient's *_sent_at on from the
value it was read with, in the transaction that sends it (the pattern of the
notification e-mails, community/tasks.py). Two runs at once, or one repeated,
send nothing twice; a failure rolls its claim back and the next run sends it; a
missed run leaves the due digests to the next one, which covers the whole time
since the last digest.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import DigestFrequency, User
from accounts.querysets import DIGEST_PERIODS, MODERATOR_SUMMARY_PERIOD
from accounts.roles import MODERATE_PERMISSION, is_moderator
from accounts.tokens import make_unsubscribe_token
from community.mail.links import absolute_url, one_line
from community.models.forum import Thread
from community.models.marks import CategoryFollow, TagFollow
from community.models.site_settings import CommunitySettings

logger = logging.getLogger(__name__)

# At most this many threads in each list of an e-mail; the rest is on the site.
LIST_MAX = 20
UNANSWERED_MAX = 5
# A digest never reaches back further than this: a member who turns the digest on
# again after months gets recent news, not a year of it.
LOOKBACK_MAX = timedelta(days=28)


@dataclass
class Digest:
    since: datetime
    new_threads: list = field(default_factory=list)
    solutions: list = field(default_factory=list)
    unanswered: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.new_threads or self.solutions or self.unanswered)


@dataclass
class ModeratorSummary:
    since: datetime
    overdue: list = field(default_factory=list)
    overdue_count: int = 0
    reopened: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.reopened)


# Who ---------------------------------------------------------------------------------


def digest_recipients(*, at: datetime):
    """Members due a digest who may receive it, each with `follows_any` (whether they
    follow a category or a tag), oldest digest first."""
    return (
        User.objects.reachable_by_email(at=at)
        .digest_due(at=at)
        .annotate(
            follows_any=Exists(CategoryFollow.objects.filter(user=OuterRef("pk")))
            | Exists(TagFollow.objects.filter(user=OuterRef("pk")))
        )
        .order_by("digest_sent_at", "pk")
    )


def moderator_summary_recipients(*, at: datetime):
    """Moderators due their summary who may receive it."""
    return (
        User.objects.reachable_by_email(at=at)
        .moderator_summary_due(at=at)
        .holding_permission(MODERATE_PERMISSION)
        .order_by("moderator_summary_sent_at", "pk")
    )


# What --------------------------------------------------------------------------------


def _since(last_sent: datetime | None, *, period: timedelta, at: datetime) -> datetime:
    if last_sent is None:
        return at - period
    return max(last_sent, at - LOOKBACK_MAX)


def digest_for(member: User, *, since: datetime, until: datetime) -> Digest:
    """What `member`'s digest holds for the period: three queries, whatever the rows.
    Their own questions are left out: they know of them."""
    followed = Thread.objects.visible().followed_by(member).exclude(author=member)
    new_threads = (
        followed.published_between(since, until)
        .select_related("category")
        .order_by("-published_at", "-pk")[:LIST_MAX]
    )
    solutions = (
        followed.solved_between(since, until)
        .select_related("category")
        .order_by("-solved_at", "-pk")[:LIST_MAX]
    )
    unanswered = Thread.objects.awaiting_peer_help().exclude(author=member)
    if getattr(member, "follows_any", True):
        unanswered = unanswered.followed_by(member)
    unanswered = unanswered.select_related("category").reader_language_first(
        member.language, "-published_at", "-pk"
    )[:UNANSWERED_MAX]
    return Digest(
        since=since,
        new_threads=list(new_threads),
        solutions=list(solutions),
        unanswered=list(unanswered),
    )


def moderator_summary_for(*, since: datetime, until: datetime) -> ModeratorSummary:
    """What the moderators' summary holds: the threads overdue at `until`, the most
    overdue first, and those reopened in the period (the customer wrote again, or
    said "not yet", after the brand's reply). Three queries."""
    overdue = Thread.objects.awaiting_brand().overdue(until).select_related("category")
    reopened = (
        Thread.objects.awaiting_follow_up()
        .filter(follow_up_since__gte=since, follow_up_since__lt=until)
        .select_related("category")
        .order_by("-follow_up_since", "-pk")
    )
    return ModeratorSummary(
        since=since,
        overdue=list(overdue.order_by("due_at", "pk")[:LIST_MAX]),
        overdue_count=overdue.count(),
        reopened=list(reopened[:LIST_MAX]),
    )


# Sending -----------------------------------------------------------------------------


def _claim(member: User, field_name: str, *, at: datetime) -> bool:
    """Move the member's `field_name` on to `at` if it still holds what it was read
    with; False when another run moved it first."""
    previous = getattr(member, field_name)
    unchanged = {f"{field_name}__isnull": True} if previous is None else {field_name: previous}
    return bool(User.objects.filter(pk=member.pk, **unchanged).update(**{field_name: at}))


def _send(member: User, *, kind: str, subject: str, template: str, context: dict) -> None:
    unsubscribe_url = absolute_url(
        reverse("accounts:unsubscribe", kwargs={"token": make_unsubscribe_token(member)})
        + f"?kind={kind}"
    )
    context = {
        **context,
        "member": member,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(reverse("accounts:profile_edit")),
        "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    }
    text = render_to_string(f"community/email/{template}.txt", context)
    html = render_to_string(f"community/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text,
        to=[member.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _digest_send_one(member: User, *, at: datetime, community_name: str) -> bool:
    period = DIGEST_PERIODS[member.digest]
    with transaction.atomic():
        if not _claim(member, "digest_sent_at", at=at):
            return False
        digest = digest_for(
            member, since=_since(member.digest_sent_at, period=period, at=at), until=at
        )
        if digest.is_empty:
            return False  # the period is covered: nothing happened in it
        # In the member's language, and its dates in that language's formats.
        with translation.override(member.language or settings.LANGUAGE_CODE):
            subject = (
                _("Your daily digest")
                if member.digest == DigestFrequency.DAILY
                else _("Your weekly digest")
            )
            _send(
                member,
                kind="digest",
                subject=f"[{one_line(community_name)}] {subject}",
                template="digest",
                context={"digest": digest, "community_name": community_name, "title": subject},
            )
    return True


def _summary_send_one(member: User, *, at: datetime, community_name: str) -> bool:
    with transaction.atomic():
        if not _claim(member, "moderator_summary_sent_at", at=at):
            return False
        since = _since(member.moderator_summary_sent_at, period=MODERATOR_SUMMARY_PERIOD, at=at)
        summary = moderator_summary_for(since=since, until=at)
        if summary.is_empty:
            return False
        with translation.override(member.language or settings.LANGUAGE_CODE):
            subject = _("Daily moderation summary")
            _send(
                member,
                kind="moderator_summary",
                subject=f"[{one_line(community_name)}] {subject}",
                template="moderator_summary",
                context={"summary": summary, "community_name": community_name, "title": subject},
            )
    return True


def _send_each(recipients, send_one, *, at: datetime, what: str) -> int:
    community_name = CommunitySettings.load().display_name
    sent = 0
    failures = []
    for member in recipients:
        try:
            if send_one(member, at=at, community_name=community_name):
                sent += 1
        except Exception as error:  # one bad send must not stop the others
            logger.warning("%s for member %s not sent (%s)", what, member.pk, error)
            failures.append(error)
    if failures:
        raise failures[0]
    return sent


def digests_send(*, at: datetime | None = None, limit: int = 500) -> int:
    """Send every digest due at `at` (at most `limit`); returns how many were sent."""
    at = at or timezone.now()
    recipients = digest_recipients(at=at)[:limit]
    return _send_each(recipients, _digest_send_one, at=at, what="Digest")


def moderator_summaries_send(*, at: datetime | None = None, limit: int = 500) -> int:
    """Send every moderators' summary due at `at` (at most `limit`); returns how many."""
    at = at or timezone.now()
    # The role as the rest of the site reads it too (a superuser, a group's grant).
    recipients = [
        member for member in moderator_summary_recipients(at=at)[:limit] if is_moderator(member)
    ]
    return _send_each(recipients, _summary_send_one, at=at, what="Moderation summary")
