"""Support metrics for moderators: the figures, two charts, the top peer helpers, a CSV."""

import csv
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from community.models import Category
from moderation import metrics as support
from moderation import permissions

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


# Formatting ---------------------------------------------------------------------------


def _number(value: float) -> str:
    """A localized number with one decimal, or none when it is whole."""
    value = round(value, 1)
    return number_format(value, decimal_pos=0 if float(value).is_integer() else 1)


def _plural_count(value: float) -> int:
    """The count that picks a plural form: a whole number as is, a fraction as plural."""
    value = round(value, 1)
    return int(value) if float(value).is_integer() else 2


def format_duration(seconds: float | None) -> str | None:
    """Minutes under an hour, hours under 48 hours, days beyond; None stays None."""
    if seconds is None:
        return None
    if seconds < MINUTE:
        return _("under a minute")
    minutes = round(seconds / MINUTE)
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours = seconds / HOUR
    if round(hours, 1) < 48:
        return ngettext("%(value)s hour", "%(value)s hours", _plural_count(hours)) % {
            "value": _number(hours)
        }
    days = seconds / DAY
    return ngettext("%(value)s day", "%(value)s days", _plural_count(days)) % {
        "value": _number(days)
    }


def format_percent(value: float | None) -> str | None:
    if value is None:
        return None
    return _("%(value)s%%") % {"value": _number(value)}


def _day_label(day) -> str:
    return date_format(day, "MONTH_DAY_FORMAT")


def _range(first: str, last: str) -> str:
    return _("%(first)s – %(last)s") % {"first": first, "last": last}  # noqa: RUF001


def _range_label(first_day, last_day) -> str:
    if first_day == last_day:
        return _day_label(first_day)
    return _range(_day_label(first_day), _day_label(last_day))


# The request --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period_days: int
    category: Category | None
    language: str = ""

    @property
    def query(self) -> str:
        """The filters as a query string, defaults left out ("" for the default view)."""
        params = {}
        if self.period_days != support.DEFAULT_PERIOD:
            params["period"] = self.period_days
        if self.category is not None:
            params["category"] = self.category.slug
        if self.language:
            params["language"] = self.language
        return urlencode(params)

    def with_period(self, days: int) -> str:
        return Filters(period_days=days, category=self.category, language=self.language).query


def _filters(request) -> Filters:
    """period=7|30|90 (anything else: 30); category=<slug> (unknown: all categories);
    language=en|fr (anything else: all languages)."""
    slug = request.GET.get("category", "")[:80]
    category = Category.objects.originals().filter(slug=slug).first() if slug else None
    language = request.GET.get("language", "")
    return Filters(
        period_days=support.clean_period(request.GET.get("period")),
        category=category,
        language=language if language in dict(settings.LANGUAGES) else "",
    )


# Cards and charts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    label: str
    value: str | None
    detail: str
    figure: str | None = None
    link: str = ""
    link_text: str = ""


def _of(part: int, whole: int) -> str | None:
    """The counts behind a share, like "12 of 40 threads"; None when there are none."""
    if not whole:
        return None
    return ngettext("%(part)s of %(whole)s thread", "%(part)s of %(whole)s threads", whole) % {
        "part": part,
        "whole": whole,
    }


def _count_card(label: str, count: int, detail: str, **link) -> Card:
    return Card(label=label, value=_number(count), detail=detail, **link)


def _share_card(label: str, detail: str, part: int, whole: int) -> Card:
    """A share of threads (the same as the report's *_share properties), with the
    counts behind it."""
    share = support.share(part, whole)
    return Card(label=label, value=format_percent(share), detail=detail, figure=_of(part, whole))


def _duration_card(label: str, seconds: float | None, detail: str) -> Card:
    return Card(label=label, value=format_duration(seconds), detail=detail)


def _reply_cards(report: support.SupportMetrics) -> list[Card]:
    counts = report.counts
    return [
        _count_card(
            _("Questions asked"),
            counts.asked,
            _(
                "Threads asked in the period that are visible now. Questions awaiting "
                "approval and hidden threads are left out."
            ),
        ),
        _share_card(
            _("Official reply rate"),
            _("Questions of the period that have an official reply."),
            counts.answered,
            counts.asked,
        ),
        _share_card(
            _("Official reply within target"),
            _(
                "Answered officially by the due time, out of the threads answered or past "
                "their target: an unanswered thread still inside its target is not a miss yet."
            ),
            counts.within_target,
            counts.target_due,
        ),
        _duration_card(
            _("Median first response"),
            report.first_response_median,
            _(
                "Half of the answered threads got their first official reply within this "
                "time, counted from when the question was posted (a wait for approval "
                "counts)."
            ),
        ),
        _duration_card(
            _("First response, 90th percentile"),
            report.first_response_p90,
            _(
                "Nine answered threads in ten got their first official reply within this "
                "time (nearest rank)."
            ),
        ),
    ]


def _solution_cards(report: support.SupportMetrics) -> list[Card]:
    counts = report.counts
    return [
        _share_card(
            _("Solved"),
            _("Questions of the period with an accepted solution."),
            counts.solved,
            counts.asked,
        ),
        _share_card(
            _("Solved by a peer, of solved threads"),
            _("Solved threads whose accepted answer is not an official reply."),
            counts.solved_by_peer,
            counts.solved,
        ),
        _duration_card(
            _("Median time to solution"),
            report.solution_median,
            _("From the posting of the question to the accepted answer, over the solved threads."),
        ),
        _count_card(
            _("Questions answered before asking"),
            report.answered_before_asking,
            _(
                "Members about to ask who said a suggested discussion or help article "
                "solved their problem."
            ),
        ),
    ]


def _answers_card(label: str, detail: str, part: int, whole: int) -> Card:
    """A share of the satisfaction answers, with the counts behind it."""
    figure = None
    if whole:
        figure = ngettext(
            "%(part)s of %(whole)s answer", "%(part)s of %(whole)s answers", whole
        ) % {"part": part, "whole": whole}
    return Card(
        label=label, value=format_percent(support.share(part, whole)), detail=detail, figure=figure
    )


def _conversation_cards(report: support.SupportMetrics) -> list[Card]:
    figures = report.conversation
    asked = figures.ratings_asked
    return [
        _share_card(
            _("Reopened by the customer"),
            _(
                "Threads answered officially where the asker said “Not yet”, or the asker "
                "or a “me too” member wrote again after the brand’s first reply."  # noqa: RUF001
            ),
            figures.reopened,
            figures.answered,
        ),
        _answers_card(
            _("Satisfaction (CSAT)"),
            _("Answers of 4 or 5 out of 5 to “How satisfied are you with the help?”."),
            figures.satisfied,
            figures.ratings_answered,
        ),
        Card(
            label=_("Satisfaction response rate"),
            value=format_percent(report.satisfaction_response_share),
            detail=_("Members asked after their thread was solved or closed who answered."),
            figure=ngettext("%(part)s of %(whole)s asked", "%(part)s of %(whole)s asked", asked)
            % {"part": figures.ratings_answered, "whole": asked}
            if asked
            else None,
        ),
    ]


def _timing_cards(report: support.SupportMetrics) -> list[Card]:
    return [
        _duration_card(
            _("Median time to follow-up"),
            report.follow_up_median,
            _(
                "From the customer writing back (or answering “Not yet”) to the brand’s "  # noqa: RUF001
                "next official reply, in business hours."
            ),
        ),
        _duration_card(
            _("Follow-up, 90th percentile"),
            report.follow_up_p90,
            _("Nine follow-ups in ten were answered within this time, in business hours."),
        ),
        _duration_card(
            _("Median time to resolution"),
            report.resolution_median,
            _(
                "From the posting to the accepted solution, in business hours, leaving out "
                "the time the thread waited on the customer."
            ),
        ),
        _duration_card(
            _("Resolution, 90th percentile"),
            report.resolution_p90,
            _("Nine solved threads in ten were solved within this time, counted the same way."),
        ),
        _duration_card(
            _("Median time waiting on the customer"),
            report.waiting_median,
            _(
                "Per thread answered officially: business hours between the brand’s reply "  # noqa: RUF001
                "and the customer’s answer, until the solution or now."  # noqa: RUF001
            ),
        ),
    ]


@dataclass(frozen=True)
class SatisfactionRow:
    name: str
    score: str | None
    answered: int
    asked: int
    response_rate: str | None


def _satisfaction_rows(groups, names: dict[int, str] | None = None) -> list[SatisfactionRow]:
    return [
        SatisfactionRow(
            name=(names or {}).get(group.key, group.name) or group.handle,
            score=format_percent(group.score),
            answered=group.answered,
            asked=group.asked,
            response_rate=format_percent(group.response_rate),
        )
        for group in groups
    ]


def _queue_link(filters: Filters, **params) -> str:
    if filters.language:
        params = {"language": filters.language, **params}
    if filters.category is not None:
        params = {"category": filters.category.slug, **params}
    url = reverse("moderation:queue")
    return f"{url}?{urlencode(params)}" if params else url


def _backlog_cards(report: support.SupportMetrics, filters: Filters) -> list[Card]:
    return [
        _count_card(
            _("Awaiting an official reply now"),
            report.backlog.awaiting,
            _("Visible threads in the queue right now, whenever they were asked."),
            link=_queue_link(filters),
            link_text=_("Open the queue"),
        ),
        _count_card(
            _("Overdue now"),
            report.backlog.overdue,
            _("Threads in the queue whose due time has passed."),
            link=_queue_link(filters, filter="overdue"),
            link_text=_("See the overdue threads"),
        ),
    ]


@dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class ChartTick:
    label: str
    top: int  # percent from the top of the plot


@dataclass(frozen=True)
class Chart:
    """What templates/moderation/_chart_bars.html draws (see its header)."""

    id: str
    title: str
    description: str
    series: list[str]
    width: int
    bars: list[ChartBar]
    ticks: list[ChartTick]
    x_labels: list[str]
    columns: list[str]
    rows: list[list[str]]


SLOT = 10  # viewBox units per group of bars; the plot is 100 units high


def _nice_max(value: float) -> int:
    """The smallest of 2, 4, 6, 8, 10, 20, 40, … at or above `value`: even, so the
    middle grid line falls on a whole number."""
    scale = 1
    while True:
        for step in (2, 4, 6, 8, 10):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    series: list[str],
    labels: list[str],
    values: list[list[float | None]],
    titles: list[list[str]],
    y_max: float,
    y_format,
    columns: list[str],
    rows: list[list[str]],
    stub_zero: bool = False,
) -> Chart:
    """Bars for `values` (one list per group, one value per series). None draws no
    bar; 0 draws none either, unless `stub_zero` (a share of 0 % is a result, so it
    gets a sliver to tell it from a day without data)."""
    bars = []
    inner = SLOT * 0.8
    width = inner / len(series)
    for index, group in enumerate(values):
        for number, value in enumerate(group):
            if value is None or (value == 0 and not stub_zero):
                continue
            height = max(1.0, 100 * value / y_max)
            bars.append(
                ChartBar(
                    x=round(index * SLOT + (SLOT - inner) / 2 + number * width, 2),
                    y=round(100 - height, 2),
                    width=round(width * 0.9, 2),
                    height=round(height, 2),
                    series=number + 1,
                    title=titles[index][number],
                )
            )
    # The first, middle and last labels under the plot; the table has them all.
    x_labels = [labels[0], labels[len(labels) // 2], labels[-1]] if len(labels) > 3 else labels
    return Chart(
        id=id,
        title=title,
        description=description,
        series=series,
        width=len(values) * SLOT,
        bars=bars,
        ticks=[
            ChartTick(label=y_format(y_max), top=0),
            ChartTick(label=y_format(y_max / 2), top=50),
            ChartTick(label=y_format(0), top=100),
        ],
        x_labels=x_labels,
        columns=columns,
        rows=rows,
    )


def _activity_chart(report: support.SupportMetrics) -> Chart:
    days = report.days
    labels = [_day_label(day.date) for day in days]
    busiest = max(days, key=lambda day: day.asked)
    asked = _("Questions asked")
    answered = _("Answered officially")
    return _bar_chart(
        id="chart-activity",
        title=_("Questions and official replies per day"),
        description=_(
            "%(asked)s questions asked and %(answered)s first official replies over %(days)s "
            "days; the busiest day was %(busiest)s with %(peak)s questions."
        )
        % {
            "asked": report.counts.asked,
            "answered": sum(day.answered for day in days),
            "days": report.period.days,
            "busiest": _day_label(busiest.date),
            "peak": busiest.asked,
        },
        series=[asked, answered],
        labels=labels,
        values=[[day.asked, day.answered] for day in days],
        titles=[
            [f"{label}: {asked} {day.asked}", f"{label}: {answered} {day.answered}"]
            for label, day in zip(labels, days, strict=True)
        ],
        y_max=_nice_max(max(max(day.asked, day.answered) for day in days)),
        y_format=_number,
        columns=[_("Day"), asked, answered],
        rows=[
            [label, _number(day.asked), _number(day.answered)]
            for label, day in zip(labels, days, strict=True)
        ],
    )


def _target_chart(report: support.SupportMetrics) -> Chart:
    buckets = report.target_buckets
    labels = [_range_label(bucket.first_day, bucket.last_day) for bucket in buckets]
    shares = [bucket.within_target_share for bucket in buckets]
    figures = [format_percent(value) or _("no data") for value in shares]
    daily = report.period.days <= 7
    series = _("Within target")
    return _bar_chart(
        id="chart-target",
        title=_("Official reply within target, per day")
        if daily
        else _("Official reply within target, per week"),
        description="; ".join(
            f"{label}: {figure}" for label, figure in zip(labels, figures, strict=True)
        ),
        series=[series],
        labels=[_day_label(bucket.last_day) for bucket in buckets],
        values=[[value] for value in shares],
        titles=[[f"{label}: {figure}"] for label, figure in zip(labels, figures, strict=True)],
        y_max=100,
        y_format=format_percent,
        stub_zero=True,
        columns=[_("Day") if daily else _("Week"), series, _("Answered or due")],
        rows=[
            [label, figure, _number(bucket.target_due)]
            for label, figure, bucket in zip(labels, figures, buckets, strict=True)
        ],
    )


# Views --------------------------------------------------------------------------------


def _report(request, *, cached: bool = False) -> tuple[Filters, support.SupportMetrics]:
    """The page and its CSV show the same figures: moderators only, for the filters
    asked, measured now (the page: within the minute, see support_metrics_for_page)."""
    permissions.check_moderate(request.user)
    filters = _filters(request)
    measure = support.support_metrics_for_page if cached else support.support_metrics
    report = measure(
        now=timezone.now(),
        period_days=filters.period_days,
        category=filters.category,
        language=filters.language,
    )
    return filters, report


@login_required
@require_GET
def metrics(request):
    filters, report = _report(request, cached=True)
    categories = list(Category.objects.originals())
    return render(
        request,
        "moderation/metrics.html",
        {
            "report": report,
            "filters": filters,
            "categories": categories,
            "languages": settings.LANGUAGES,
            "period_tabs": [
                {
                    "days": days,
                    "label": ngettext("%(days)s day", "%(days)s days", days) % {"days": days},
                    "query": filters.with_period(days),
                    "current": days == filters.period_days,
                }
                for days in support.PERIODS
            ],
            "period_label": _range(
                date_format(report.period.first_day, "DATE_FORMAT"),
                date_format(report.period.last_day, "DATE_FORMAT"),
            ),
            "time_zone": timezone.get_current_timezone_name(),
            "reply_cards": _reply_cards(report),
            "solution_cards": _solution_cards(report),
            "conversation_cards": _conversation_cards(report),
            "timing_cards": _timing_cards(report),
            "satisfaction_tables": [
                {
                    "id": "metrics-satisfaction-category",
                    "caption": _("Satisfaction by category"),
                    "column": _("Category"),
                    "rows": _satisfaction_rows(
                        report.satisfaction_by_category,
                        {category.pk: category.local_name for category in categories},
                    ),
                },
                {
                    "id": "metrics-satisfaction-moderator",
                    "caption": _("Satisfaction by moderator"),
                    "column": _("Moderator"),
                    "rows": _satisfaction_rows(report.satisfaction_by_moderator),
                },
            ],
            "widget_rows": [
                {
                    "origin": row.origin,
                    "questions": row.questions,
                    "searches": row.searching_visits,
                    "deflected": row.deflected,
                    "deflection": format_percent(row.deflection_share),
                }
                for row in report.widget
            ],
            "backlog_cards": _backlog_cards(report, filters),
            "charts": [] if report.is_empty else [_activity_chart(report), _target_chart(report)],
        },
    )


def _plain(value: float | None, *, scale: float = 1) -> str:
    """A CSV number: one decimal, a dot, no grouping; empty when there is none."""
    return "" if value is None else f"{value / scale:.1f}"


@login_required
@require_GET
def metrics_csv(request):
    filters, report = _report(request)
    slug = filters.category.slug if filters.category else "all"
    language = filters.language or "all"
    # The language shows in the name only when chosen: the name stays what it was.
    scope = f"{slug}-{filters.language}" if filters.language else slug
    filename = f"support-metrics-{filters.period_days}d-{scope}-{report.period.last_day}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    counts = report.counts
    writer = csv.writer(response)
    writer.writerow(["metric", "value", "unit", "date"])
    writer.writerows(
        [
            ["period_first_day", report.period.first_day.isoformat(), "date", ""],
            ["period_last_day", report.period.last_day.isoformat(), "date", ""],
            ["period_days", filters.period_days, "days", ""],
            ["category", slug, "slug", ""],
            ["language", language, "language", ""],
            ["threads_asked", counts.asked, "count", ""],
            ["threads_answered_officially", counts.answered, "count", ""],
            ["official_reply_share", _plain(report.answered_share), "percent", ""],
            [
                "first_response_median",
                _plain(report.first_response_median, scale=3600),
                "hours",
                "",
            ],
            ["first_response_p90", _plain(report.first_response_p90, scale=3600), "hours", ""],
            ["threads_answered_or_due", counts.target_due, "count", ""],
            ["threads_answered_within_target", counts.within_target, "count", ""],
            ["within_target_share", _plain(report.within_target_share), "percent", ""],
            ["threads_solved", counts.solved, "count", ""],
            ["solved_share", _plain(report.solved_share), "percent", ""],
            ["threads_solved_by_peer", counts.solved_by_peer, "count", ""],
            ["peer_solution_share_of_solved", _plain(report.peer_solution_share), "percent", ""],
            ["solution_median", _plain(report.solution_median, scale=3600), "hours", ""],
            ["questions_answered_before_asking", report.answered_before_asking, "count", ""],
            ["threads_reopened", report.conversation.reopened, "count", ""],
            ["reopen_share_of_answered", _plain(report.reopen_share), "percent", ""],
            ["satisfaction_asked", report.conversation.ratings_asked, "count", ""],
            ["satisfaction_answered", report.conversation.ratings_answered, "count", ""],
            ["satisfaction_4_or_5", report.conversation.satisfied, "count", ""],
            ["satisfaction_score", _plain(report.satisfaction_score), "percent", ""],
            ["follow_up_median", _plain(report.follow_up_median, scale=3600), "hours", ""],
            ["follow_up_p90", _plain(report.follow_up_p90, scale=3600), "hours", ""],
            ["resolution_median", _plain(report.resolution_median, scale=3600), "hours", ""],
            ["resolution_p90", _plain(report.resolution_p90, scale=3600), "hours", ""],
            [
                "waiting_on_customer_median",
                _plain(report.waiting_median, scale=3600),
                "hours",
                "",
            ],
            ["awaiting_official_reply_now", report.backlog.awaiting, "count", ""],
            ["overdue_now", report.backlog.overdue, "count", ""],
        ]
    )
    for kind, groups in (
        ("category", report.satisfaction_by_category),
        ("moderator", report.satisfaction_by_moderator),
    ):
        for group in groups:
            suffix = f"{kind}:{group.handle}"
            writer.writerow([f"satisfaction_asked:{suffix}", group.asked, "count", ""])
            writer.writerow([f"satisfaction_answered:{suffix}", group.answered, "count", ""])
            writer.writerow([f"satisfaction_score:{suffix}", _plain(group.score), "percent", ""])
    for day in report.days:
        iso = day.date.isoformat()
        writer.writerow(["daily_threads_asked", day.asked, "count", iso])
        writer.writerow(["daily_threads_answered_officially", day.answered, "count", iso])
        writer.writerow(
            ["daily_within_target_share", _plain(day.within_target_share), "percent", iso]
        )
    return response
