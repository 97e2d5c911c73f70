"""Following the conversation, measured from the rows, in the team's business hours.

Per thread the brand answered, its timeline is read from the visible replies (the
brand's official ones, and those of its customers: the asker and the "me too"
members) and the "Not yet" answers:

- The brand's last official reply starts a wait on the customer; the customer's next
  reply or "Not yet" ends it and starts a follow-up, which the brand's next official
  reply ends. A second official reply in a row changes nothing.
- Time to follow-up: from the customer coming back to the brand's next official
  reply, for every follow-up answered.
- Time waiting on the customer: the sum of the waits, per thread, until its solution
  (or until now when it is not solved).
- Time to resolution: from the posting to the accepted solution, less the time the
  thread waited on the customer: the time that was the brand's to act.

Satisfaction is grouped per category of the thread, and per moderator who replied
officially on it (a thread two moderators answered counts for each).

Each function costs a fixed number of queries, whatever the number of threads.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from community.business_hours import BusinessCalendar
from community.models import MeToo, Reply, ResolutionCheck, SatisfactionRating, Visibility
from community.querysets import officially_answered_q

BRAND, CUSTOMER = "brand", "customer"


@dataclass(frozen=True)
class ConversationTimes:
    """Business seconds: one value per follow-up, per answered thread (waiting) and
    per solved thread (resolution)."""

    follow_up: list[float] = field(default_factory=list)
    waiting: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)


def _events(threads: QuerySet) -> dict[int, list[tuple[datetime, str]]]:
    """Each answered thread's official replies and customers' messages, in order."""
    is_customer = Q(author_id=F("thread__author_id")) | Q(
        Exists(MeToo.objects.filter(thread_id=OuterRef("thread_id"), user_id=OuterRef("author_id")))
    )
    replies = (
        Reply.objects.filter(thread__in=threads, visibility=Visibility.VISIBLE)
        .filter(Q(is_official=True) | is_customer)
        .values_list("thread_id", "created_at", "is_official")
    )
    not_yet = ResolutionCheck.objects.filter(
        thread__in=threads, answer=ResolutionCheck.Answer.NOT_YET, answered_at__isnull=False
    ).values_list("thread_id", "answered_at")
    events = defaultdict(list)
    for thread_id, at, is_official in replies:
        events[thread_id].append((at, BRAND if is_official else CUSTOMER))
    for thread_id, at in not_yet:
        events[thread_id].append((at, CUSTOMER))
    for timeline in events.values():
        timeline.sort()
    return events


def conversation_times(
    threads: QuerySet, *, now: datetime, start: datetime, calendar: BusinessCalendar
) -> ConversationTimes:
    """For the period's `threads` (asked from `start`), in three queries."""
    answered = threads.filter(officially_answered_q())
    rows = list(answered.values_list("pk", "created_at", "solved_at"))
    if not rows:
        return ConversationTimes()
    events = _events(answered)
    ruler = calendar.ruler(min(start, *(row[1] for row in rows)), now)
    times = ConversationTimes()
    for pk, asked_at, solved_at in rows:
        end = min(solved_at or now, now)
        waited, waiting_since, back_since = 0.0, None, None
        for at, who in events.get(pk, []):
            if at > end:
                break
            if who == BRAND:
                if back_since is not None:
                    times.follow_up.append(ruler.seconds_between(back_since, at))
                    back_since = None
                waiting_since = waiting_since or at
            elif waiting_since is not None:
                waited += ruler.seconds_between(waiting_since, at)
                waiting_since, back_since = None, at
        if waiting_since is not None:
            waited += ruler.seconds_between(waiting_since, end)
        times.waiting.append(waited)
        if solved_at is not None:
            times.resolution.append(max(0.0, ruler.seconds_between(asked_at, solved_at) - waited))
    return times


@dataclass(frozen=True)
class SatisfactionGroup:
    """The satisfaction answers of one category or one moderator."""

    key: int
    asked: int
    answered: int
    satisfied: int
    # The category's slug or the moderator's username (for the CSV), and the
    # moderator's public name.
    handle: str = ""
    name: str = ""

    @property
    def score(self) -> float | None:
        return 100 * self.satisfied / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.asked if self.asked else None


def _counts() -> dict:
    return {
        "asked": Count("pk", distinct=True),
        "answered": Count("pk", filter=Q(score__isnull=False), distinct=True),
        "satisfied": Count("pk", filter=Q(score__gte=4), distinct=True),
    }


def satisfaction_by_category(threads: QuerySet) -> list[SatisfactionGroup]:
    """One query; `key` is the category's id (the page shows its name in the
    reader's language)."""
    rows = (
        SatisfactionRating.objects.filter(thread__in=threads)
        .values("thread__category_id", "thread__category__slug")
        .annotate(**_counts())
        .order_by("thread__category__slug")
    )
    return [
        SatisfactionGroup(
            key=row["thread__category_id"],
            handle=row["thread__category__slug"],
            asked=row["asked"],
            answered=row["answered"],
            satisfied=row["satisfied"],
        )
        for row in rows
    ]


def satisfaction_by_moderator(threads: QuerySet) -> list[SatisfactionGroup]:
    """One query: the ratings of the threads each staff member replied to officially."""
    official = Q(thread__replies__is_official=True, thread__replies__visibility=Visibility.VISIBLE)
    rows = (
        SatisfactionRating.objects.filter(thread__in=threads)
        .filter(official)
        .values(
            "thread__replies__author_id",
            "thread__replies__author__display_name",
            "thread__replies__author__username",
        )
        .annotate(**_counts())
        .order_by("-answered", "thread__replies__author__username")
    )
    return [
        SatisfactionGroup(
            key=row["thread__replies__author_id"],
            handle=row["thread__replies__author__username"],
            name=row["thread__replies__author__display_name"]
            or row["thread__replies__author__username"],
            asked=row["asked"],
            answered=row["answered"],
            satisfied=row["satisfied"],
        )
        for row in rows
    ]
