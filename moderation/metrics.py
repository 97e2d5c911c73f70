"""Support metrics: how quickly and how well the brand answers, read from the rows.

Pure reads, in the selectors style: every function takes `now`, `period_days` and
`category` as keyword arguments, so a test states the moment it measures at
instead of freezing the clock.

Definitions (the metrics page explains them in the same words):

- The period is the last `period_days` calendar days in the current time zone,
  today included: from midnight `period_days - 1` days ago until `now`. Whole
  days keep the daily series honest (no half day at either end).
- A thread counts in the period when it was asked (created_at) inside it and
  is visible now. Pending questions are not public yet, and hidden ones were
  taken down by a moderator, so neither counts.
- Response times run from the posting of the question (the start of the
  official-reply clock, so a wait for approval counts) to the first official
  reply; solution times from the posting to the accepted answer. Every time is
  counted in the team's business hours (CommunitySettings.business_calendar:
  nights, weekends and closed days left out), which is the plain clock until
  editors set opening hours. Follow-ups, the wait on the customer and the time to
  resolution: moderation.conversation_metrics.
- Within target: answered officially no later than the due time. The
  denominator is the threads that were answered or whose due time has passed,
  so an unanswered thread that is still inside its target is not a miss yet.
- Median: `statistics.median` (the mean of the two middle values for an even
  count). 90th percentile: nearest rank, the smallest duration that at least
  90 % of the durations do not exceed (ordered[ceil(0.9 * n) - 1]). Both are
  computed in Python from one list of durations, so SQLite and PostgreSQL agree.
- A peer is anyone whose reply is not official. The top helpers are members who
  are not staff, ranked by accepted solutions plus staff-recommended replies on
  the period's threads.

The whole report costs six queries, whatever the number of threads.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language, gettext

from accounts.querysets import staff_flag_expression
from community.cache import content_version
from community.models import (
    Category,
    CommunitySettings,
    Deflection,
    MeToo,
    Reply,
    ResolutionCheck,
    SatisfactionRating,
    Thread,
    Visibility,
    WidgetVisit,
)
from community.querysets import officially_answered_q, overdue_q, solved_q
from moderation.conversation_metrics import (
    ConversationTimes,
    SatisfactionGroup,
    conversation_times,
    satisfaction_by_category,
    satisfaction_by_moderator,
)

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_HELPERS = 10
P90 = 90


# Small pure helpers -------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`; None when there is nothing to divide."""
    if not whole:
        return None
    return 100 * part / whole


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], pct: int) -> float | None:
    """Nearest-rank percentile: ordered[ceil(pct / 100 * n) - 1]; None for no values.

    The rank is computed in integers, so 90 % of 30 values is rank 27, not 28 from
    a float that came out a hair above 27.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-pct * len(ordered) // 100))
    return ordered[rank - 1]


# The period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    days: int
    start: datetime
    end: datetime

    @property
    def dates(self) -> list[date]:
        first = timezone.localtime(self.start).date()
        return [first + timedelta(days=offset) for offset in range(self.days)]

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end).date()


def clean_period(value) -> int:
    """7, 30 or 90 from a query parameter; anything else is the default, 30."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def metrics_period(*, now: datetime, period_days: int) -> Period:
    tz = timezone.get_current_timezone()
    first_day = timezone.localtime(now, tz).date() - timedelta(days=period_days - 1)
    start = timezone.make_aware(datetime.combine(first_day, time.min), tz)
    return Period(days=period_days, start=start, end=now)


def period_threads(
    *, now: datetime, period_days: int, category: Category | None, language: str = ""
) -> QuerySet:
    """Visible threads asked in the period (in `category` and written in `language`,
    one of the site's languages, when given)."""
    period = metrics_period(now=now, period_days=period_days)
    threads = Thread.objects.visible().filter(
        created_at__gte=period.start, created_at__lte=period.end
    )
    if category is not None:
        threads = threads.filter(category=category)
    if language:
        threads = threads.in_language(language)
    return threads.order_by()


def answered_before_asking(
    *, now: datetime, period_days: int, category: Category | None, language: str = ""
) -> int:
    """Members who were about to ask and found their answer in a suggestion instead.

    With a category: the suggested threads of that category, and the help articles
    related to it. With a language: the suggested threads written in it, and the
    help articles of that locale.
    """
    period = metrics_period(now=now, period_days=period_days)
    deflections = Deflection.objects.filter(
        created_at__gte=period.start, created_at__lte=period.end
    )
    if category is not None:
        deflections = deflections.filter(
            Q(thread__category=category) | Q(help_article__related_categories=category)
        ).distinct()
    if language:
        deflections = deflections.filter(
            Q(thread__language=language) | Q(help_article__locale__language_code=language)
        )
    return deflections.count()


def _answered_or_due(now: datetime) -> Q:
    return officially_answered_q() | Q(response_due_at__lte=now)


def _within_target() -> Q:
    return Q(first_official_reply_at__lte=F("response_due_at"))


# The figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadCounts:
    asked: int
    answered: int
    target_due: int
    within_target: int
    solved: int
    solved_by_peer: int


def thread_counts(
    *, now: datetime, period_days: int, category: Category | None, language: str = ""
) -> ThreadCounts:
    """Every count of the period in one aggregate query."""
    counts = period_threads(
        now=now, period_days=period_days, category=category, language=language
    ).aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=officially_answered_q()),
        target_due=Count("pk", filter=_answered_or_due(now)),
        within_target=Count("pk", filter=_within_target()),
        solved=Count("pk", filter=solved_q()),
        solved_by_peer=Count("pk", filter=solved_q() & Q(solution__is_official=False)),
    )
    return ThreadCounts(**counts)


@dataclass(frozen=True)
class Conversation:
    """Following the conversation, for the threads of the period: how many the brand
    answered, how many of those the customer reopened ("Not yet", or the asker or a
    "me too" member writing after the brand's first official reply), and the
    satisfaction questions asked, answered and answered 4 or 5."""

    answered: int = 0
    reopened: int = 0
    ratings_asked: int = 0
    ratings_answered: int = 0
    satisfied: int = 0


def conversation(
    *, now: datetime, period_days: int, category: Category | None, language: str = ""
) -> Conversation:
    """In two aggregate queries."""
    threads = period_threads(now=now, period_days=period_days, category=category, language=language)
    said_not_yet = ResolutionCheck.objects.filter(
        thread=OuterRef("pk"), answer=ResolutionCheck.Answer.NOT_YET
    )
    came_back = Reply.objects.filter(
        thread=OuterRef("pk"),
        visibility=Visibility.VISIBLE,
        created_at__gt=OuterRef("first_official_reply_at"),
    ).filter(
        Q(author_id=OuterRef("author_id"))
        | Q(author_id__in=MeToo.objects.filter(thread=OuterRef(OuterRef("pk"))).values("user_id"))
    )
    replies = threads.filter(officially_answered_q()).aggregate(
        answered=Count("pk"),
        reopened=Count("pk", filter=Q(Exists(said_not_yet)) | Q(Exists(came_back))),
    )
    ratings = SatisfactionRating.objects.filter(thread__in=threads).aggregate(
        ratings_asked=Count("pk"),
        ratings_answered=Count("pk", filter=Q(score__isnull=False)),
        satisfied=Count("pk", filter=Q(score__gte=4)),
    )
    return Conversation(**replies, **ratings)


@dataclass(frozen=True)
class Durations:
    """Business seconds from the posting of the question, one value per thread."""

    first_response: list[float]
    solution: list[float]


def durations(
    *,
    now: datetime,
    period_days: int,
    category: Category | None,
    language: str = "",
    calendar=None,
) -> Durations:
    """Response and solution times of the period, in one query (one row per thread),
    in the business hours of `calendar` (the team's, by default)."""
    calendar = calendar or CommunitySettings.load().business_calendar
    period = metrics_period(now=now, period_days=period_days)
    rows = (
        period_threads(now=now, period_days=period_days, category=category, language=language)
        .filter(officially_answered_q() | Q(solved_at__isnull=False))
        .values_list("created_at", "first_official_reply_at", "solution_id", "solved_at")
    )
    ruler = calendar.ruler(period.start, now)
    first_response, solution = [], []
    for asked_at, answered_at, solution_id, solved_at in rows:
        if answered_at is not None:
            first_response.append(ruler.seconds_between(asked_at, answered_at))
        if solution_id is not None and solved_at is not None:
            solution.append(ruler.seconds_between(asked_at, solved_at))
    return Durations(first_response=first_response, solution=solution)


@dataclass(frozen=True)
class Day:
    date: date
    asked: int = 0
    answered: int = 0
    target_due: int = 0
    within_target: int = 0

    @property
    def within_target_share(self) -> float | None:
        return share(self.within_target, self.target_due)


def daily_series(
    *, now: datetime, period_days: int, category: Category | None, language: str = ""
) -> list[Day]:
    """One row per day of the period, in two grouped queries.

    Questions are counted on the day they were asked, with their target
    outcome; official answers on the day of the first official reply. Days are
    the current time zone's.
    """
    tz = timezone.get_current_timezone()
    threads = period_threads(now=now, period_days=period_days, category=category, language=language)
    asked = (
        threads.annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            asked=Count("pk"),
            target_due=Count("pk", filter=_answered_or_due(now)),
            within_target=Count("pk", filter=_within_target()),
        )
        .order_by()
    )
    answered = (
        threads.officially_answered()
        .annotate(day=TruncDate("first_official_reply_at", tzinfo=tz))
        .values("day")
        .annotate(answered=Count("pk"))
        .order_by()
    )
    by_day = {row["day"]: row for row in asked}
    answered_by_day = {row["day"]: row["answered"] for row in answered}
    period = metrics_period(now=now, period_days=period_days)
    series = []
    for day in period.dates:
        row = by_day.get(day, {})
        series.append(
            Day(
                date=day,
                asked=row.get("asked", 0),
                answered=answered_by_day.get(day, 0),
                target_due=row.get("target_due", 0),
                within_target=row.get("within_target", 0),
            )
        )
    return series


@dataclass(frozen=True)
class Bucket:
    """A run of days (a week, or a single day) of the within-target series."""

    first_day: date
    last_day: date
    target_due: int
    within_target: int

    @property
    def within_target_share(self) -> float | None:
        return share(self.within_target, self.target_due)


def target_buckets(*, days: list[Day], size: int) -> list[Bucket]:
    """Groups the daily series in runs of `size` days counted back from the last day,
    so the last bucket always ends today and only the first one may be shorter."""
    buckets = []
    end = len(days)
    while end > 0:
        chunk = days[max(0, end - size) : end]
        buckets.append(
            Bucket(
                first_day=chunk[0].date,
                last_day=chunk[-1].date,
                target_due=sum(day.target_due for day in chunk),
                within_target=sum(day.within_target for day in chunk),
            )
        )
        end -= size
    return buckets[::-1]


@dataclass(frozen=True)
class Helper:
    username: str
    display_name: str
    solutions: int
    recommended: int
    # A closed account's replies still count, signed "former member".
    closed: bool = False

    @property
    def public_name(self) -> str:
        if self.closed:
            return gettext("Former member")
        return self.display_name or self.username

    @property
    def total(self) -> int:
        return self.solutions + self.recommended


def top_helpers(
    *,
    now: datetime,
    period_days: int,
    category: Category | None,
    language: str = "",
    limit: int = TOP_HELPERS,
) -> list[Helper]:
    """Members (not staff) whose visible replies on the period's threads were accepted
    as the solution or recommended by staff, best first, in one query."""
    period = metrics_period(now=now, period_days=period_days)
    is_solution = Q(thread__solution=F("pk"))
    is_recommended = Q(recommended_at__isnull=False)
    replies = Reply.objects.filter(
        thread__visibility=Visibility.VISIBLE,
        thread__created_at__gte=period.start,
        thread__created_at__lte=period.end,
        visibility=Visibility.VISIBLE,
        is_official=False,
    )
    if category is not None:
        replies = replies.filter(thread__category=category)
    if language:
        replies = replies.filter(thread__language=language)
    rows = (
        replies.filter(is_solution | is_recommended)
        .alias(author_is_staff=staff_flag_expression("author"))
        .filter(author_is_staff=False)
        .values("author_id", "author__username", "author__display_name", "author__closed_at")
        .annotate(
            solutions=Count("pk", filter=is_solution),
            recommended=Count("pk", filter=is_recommended),
        )
        .annotate(score=F("solutions") + F("recommended"))
        .order_by("-score", "-solutions", "author__username")[:limit]
    )
    return [
        Helper(
            username=row["author__username"],
            display_name=row["author__display_name"],
            closed=row["author__closed_at"] is not None,
            solutions=row["solutions"],
            recommended=row["recommended"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Backlog:
    awaiting: int
    overdue: int


def backlog(*, now: datetime, category: Category | None, language: str = "") -> Backlog:
    """The queue as it stands now (not bound to the period), in one query."""
    threads = Thread.objects.awaiting_brand()
    if category is not None:
        threads = threads.filter(category=category)
    if language:
        threads = threads.in_language(language)
    counts = threads.aggregate(awaiting=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))
    return Backlog(**counts)


# The whole report ---------------------------------------------------------------------


@dataclass(frozen=True)
class SupportMetrics:
    period: Period
    category: Category | None
    counts: ThreadCounts
    first_response_median: float | None
    first_response_p90: float | None
    solution_median: float | None
    backlog: Backlog
    days: list[Day]
    helpers: list[Helper]
    answered_before_asking: int = 0
    conversation: Conversation = Conversation()
    times: ConversationTimes = field(default_factory=ConversationTimes)
    satisfaction_by_category: tuple[SatisfactionGroup, ...] = ()
    satisfaction_by_moderator: tuple[SatisfactionGroup, ...] = ()
    widget: tuple["WidgetOrigin", ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.counts.asked == 0

    @property
    def answered_share(self) -> float | None:
        return share(self.counts.answered, self.counts.asked)

    @property
    def within_target_share(self) -> float | None:
        return share(self.counts.within_target, self.counts.target_due)

    @property
    def solved_share(self) -> float | None:
        return share(self.counts.solved, self.counts.asked)

    @property
    def peer_solution_share(self) -> float | None:
        """Of the solved threads, the share whose accepted answer is not official."""
        return share(self.counts.solved_by_peer, self.counts.solved)

    @property
    def reopen_share(self) -> float | None:
        """Of the threads the brand answered, the share the customer reopened."""
        return share(self.conversation.reopened, self.conversation.answered)

    @property
    def satisfaction_response_share(self) -> float | None:
        return share(self.conversation.ratings_answered, self.conversation.ratings_asked)

    @property
    def satisfaction_score(self) -> float | None:
        """CSAT: the share of the answers that say 4 or 5 out of 5."""
        return share(self.conversation.satisfied, self.conversation.ratings_answered)

    @property
    def follow_up_median(self) -> float | None:
        return median(self.times.follow_up)

    @property
    def follow_up_p90(self) -> float | None:
        return percentile(self.times.follow_up, P90)

    @property
    def resolution_median(self) -> float | None:
        return median(self.times.resolution)

    @property
    def resolution_p90(self) -> float | None:
        return percentile(self.times.resolution, P90)

    @property
    def waiting_median(self) -> float | None:
        return median(self.times.waiting)

    @property
    def target_buckets(self) -> list[Bucket]:
        """The within-target series: per day over a week, per week over longer periods."""
        return target_buckets(days=self.days, size=1 if self.period.days <= 7 else 7)


@dataclass(frozen=True)
class WidgetOrigin:
    """The help widget on one brand site, over the period."""

    origin: str
    questions: int = 0
    searching_visits: int = 0
    deflected: int = 0

    @property
    def deflection_share(self) -> float | None:
        """Of the panel openings that searched, the share that ended without asking."""
        return share(self.deflected, self.searching_visits)


def widget_usage(
    *, now: datetime, period_days: int, category: Category | None, language: str = ""
) -> list[WidgetOrigin]:
    """Per site, the questions asked from the widget (in `category` and `language`
    when given) and its searches that ended without asking (for every category and
    language: a search belongs to none). Two queries."""
    period = metrics_period(now=now, period_days=period_days)
    visits = (
        WidgetVisit.objects.filter(started_at__gte=period.start, started_at__lte=period.end)
        .values("origin")
        .annotate(visits=Count("pk"), deflected=Count("pk", filter=Q(thread__isnull=True)))
        .order_by()
    )
    asked = Thread.objects.exclude(asked_from="").filter(
        created_at__gte=period.start, created_at__lte=period.end
    )
    if category is not None:
        asked = asked.filter(category=category)
    if language:
        asked = asked.in_language(language)
    questions = dict(
        asked.values("asked_from").annotate(count=Count("pk")).values_list("asked_from", "count")
    )
    rows = {
        row["origin"]: WidgetOrigin(
            origin=row["origin"],
            searching_visits=row["visits"],
            deflected=row["deflected"],
            questions=questions.get(row["origin"], 0),
        )
        for row in visits
    }
    for origin, count in questions.items():
        rows.setdefault(origin, WidgetOrigin(origin=origin, questions=count))
    return sorted(
        rows.values(), key=lambda row: (-row.questions - row.searching_visits, row.origin)
    )


def support_metrics(
    *,
    now: datetime | None = None,
    period_days: int = DEFAULT_PERIOD,
    category: Category | None = None,
    language: str = "",
) -> SupportMetrics:
    """Everything the metrics page and its CSV show, in fifteen queries; `language`
    (one of the site's, or "" for all) narrows every figure to the threads written in it."""
    now = now or timezone.now()
    period_days = clean_period(period_days)
    scope = {"now": now, "period_days": period_days, "category": category, "language": language}
    calendar = CommunitySettings.load().business_calendar
    times = durations(**scope, calendar=calendar)
    threads = period_threads(**scope)
    period = metrics_period(now=now, period_days=period_days)
    return SupportMetrics(
        period=metrics_period(now=now, period_days=period_days),
        category=category,
        counts=thread_counts(**scope),
        first_response_median=median(times.first_response),
        first_response_p90=percentile(times.first_response, P90),
        solution_median=median(times.solution),
        backlog=backlog(now=now, category=category, language=language),
        days=daily_series(**scope),
        helpers=top_helpers(**scope),
        answered_before_asking=answered_before_asking(**scope),
        conversation=conversation(**scope),
        times=conversation_times(threads, now=now, start=period.start, calendar=calendar),
        satisfaction_by_category=tuple(satisfaction_by_category(threads)),
        satisfaction_by_moderator=tuple(satisfaction_by_moderator(threads)),
        widget=tuple(widget_usage(**scope)),
    )


# The metrics page reads the report from the cache for this long at most: within
# the minute it was measured in and until the next write (the content version).
REPORT_CACHE_SECONDS = 60


def support_metrics_for_page(
    *,
    now: datetime,
    period_days: int = DEFAULT_PERIOD,
    category: Category | None = None,
    language: str = "",
) -> SupportMetrics:
    """support_metrics() as the metrics page shows it: measured once a minute, or after
    any write, for every moderator asking for the same figures (they hold no viewer's
    own data). The CSV export measures afresh."""
    minute = now.replace(second=0, microsecond=0)
    key = "relais:support-metrics:{}:{}:{}:{}:{}:{}:{}".format(
        content_version(),
        minute.isoformat(),
        clean_period(period_days),
        category.pk if category else "",
        language,
        get_language(),
        timezone.get_current_timezone_name(),
    )
    report = cache.get(key)
    if report is None:
        report = support_metrics(
            now=now, period_days=period_days, category=category, language=language
        )
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return report
