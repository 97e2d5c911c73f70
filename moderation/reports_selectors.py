"""What the reports page reads, in a fixed number of queries whatever the number of rows.

Open reports are shown one row per reported post (a thread, or one reply), with
how many members reported it and why; resolved reports one row each, newest first.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Q

from community.models import Reply, Thread, Visibility
from moderation.models import Report
from moderation.selectors import kept_until_next_write

REPORTS_PER_PAGE = 50
REPORT_STATUSES = ("open", "resolved")


@dataclass
class ReportedPost:
    """One reported thread or reply and what its open reports say."""

    thread: Thread
    reply: Reply | None
    reporters: int
    report_count: int
    first_reported_at: datetime
    last_reported_at: datetime
    reasons: list[tuple[str, int]] = field(default_factory=list)
    notes: list[Report] = field(default_factory=list)

    @property
    def post(self):
        return self.reply or self.thread

    @property
    def kind(self) -> str:
        return "reply" if self.reply is not None else "thread"

    @property
    def is_hidden(self) -> bool:
        return self.post.visibility == Visibility.HIDDEN


def _reason_key(value: str) -> str:
    return f"reason_{value}"


def reported_post_list(*, page_number=1) -> Page:
    """Posts with open reports, the longest-waiting first (50 a page).

    Queries: the count, the page of grouped reports, the threads, the replies (when
    the page holds any) and the notes.
    """
    reason_counts = {
        _reason_key(value): Count("pk", filter=Q(reason=value)) for value in Report.Reason.values
    }
    groups = (
        Report.objects.filter(status=Report.Status.OPEN)
        .values("thread_id", "reply_id")
        .annotate(
            reporters=Count("reporter_id", distinct=True),
            report_count=Count("pk"),
            first_reported_at=Min("created_at"),
            last_reported_at=Max("created_at"),
            **reason_counts,
        )
        .order_by("first_reported_at", "thread_id", "reply_id")
    )
    page = Paginator(groups, REPORTS_PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    if not rows:
        page.object_list = []
        return page

    thread_ids = {row["thread_id"] for row in rows}
    reply_ids = {row["reply_id"] for row in rows if row["reply_id"]}
    thread_item_ids = {row["thread_id"] for row in rows if not row["reply_id"]}
    threads = Thread.objects.with_author().select_related("category").in_bulk(thread_ids)
    replies = Reply.objects.with_author().in_bulk(reply_ids) if reply_ids else {}
    notes: dict[tuple[int, int | None], list[Report]] = {}
    for report in (
        Report.objects.filter(status=Report.Status.OPEN)
        .exclude(note="")
        .filter(Q(reply_id__in=reply_ids) | Q(reply__isnull=True, thread_id__in=thread_item_ids))
        .select_related("reporter")
        .order_by("created_at", "pk")
    ):
        notes.setdefault((report.thread_id, report.reply_id), []).append(report)

    labels = dict(Report.Reason.choices)
    items = []
    for row in rows:
        thread = threads[row["thread_id"]]
        reply = replies.get(row["reply_id"]) if row["reply_id"] else None
        if reply is not None:
            reply.thread = thread  # already loaded: the template links through it
        items.append(
            ReportedPost(
                thread=thread,
                reply=reply,
                reporters=row["reporters"],
                report_count=row["report_count"],
                first_reported_at=row["first_reported_at"],
                last_reported_at=row["last_reported_at"],
                reasons=[
                    (labels[value], row[_reason_key(value)])
                    for value in Report.Reason.values
                    if row[_reason_key(value)]
                ],
                notes=notes.get((row["thread_id"], row["reply_id"]), []),
            )
        )
    page.object_list = items
    return page


def resolved_report_list(*, page_number=1) -> Page:
    """Reports moderators have closed, the most recently resolved first (50 a page)."""
    reports = (
        Report.objects.exclude(status=Report.Status.OPEN)
        .select_related("reporter", "resolved_by", "thread", "reply")
        .order_by("-resolved_at", "-pk")
    )
    return Paginator(reports, REPORTS_PER_PAGE).get_page(page_number)


def open_report_count() -> int:
    """For the header of every moderator's page: kept until the next write."""
    return kept_until_next_write(
        "open-report-count", Report.objects.filter(status=Report.Status.OPEN).count
    )


def open_reports_on(*, thread: Thread, reply: Reply | None = None):
    """The open reports on one post, with their reporters (for the suspend form)."""
    reports = Report.objects.filter(status=Report.Status.OPEN, thread=thread)
    reports = reports.filter(reply=reply) if reply is not None else reports.filter(reply=None)
    return reports.select_related("reporter").order_by("created_at", "pk")
