"""What the moderation pages read: the official-reply queue, in a fixed number of queries."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from community.models import Category, Reply, Thread, Visibility

QUEUE_PER_PAGE = 50
QUEUE_FILTERS = ("overdue",)
QUEUE_SORTS = {
    "due": ("response_due_at", "pk"),
    "impact": ("-me_too_count", "response_due_at", "pk"),
}


def awaiting_official_reply():
    """Every visible thread without an official reply: the queue, straight from the rows.

    Only an official reply takes a thread out (first_official_reply_at is set by
    posting one); peer replies, edits, "me too" and an accepted peer answer change
    nothing here.
    """
    return Thread.objects.filter(
        visibility=Visibility.VISIBLE, first_official_reply_at__isnull=True
    )


def queue_list(
    *, category: Category | None = None, overdue: bool = False, sort: str = "due", page_number=1
) -> Page:
    now = timezone.now()
    recommended = Reply.objects.filter(
        thread=OuterRef("pk"), visibility=Visibility.VISIBLE, recommended_at__isnull=False
    )
    threads = (
        awaiting_official_reply()
        .with_author()
        .select_related("category")
        .annotate(
            has_recommended=Exists(recommended),
            is_overdue=ExpressionWrapper(Q(response_due_at__lt=now), output_field=BooleanField()),
        )
    )
    if category is not None:
        threads = threads.filter(category=category)
    if overdue:
        threads = threads.filter(response_due_at__lt=now)
    threads = threads.order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["due"]))
    return Paginator(threads, QUEUE_PER_PAGE).get_page(page_number)


@dataclass(frozen=True)
class QueueCounts:
    awaiting: int
    overdue: int


def queue_counts() -> QueueCounts:
    counts = awaiting_official_reply().aggregate(
        awaiting=Count("pk"), overdue=Count("pk", filter=Q(response_due_at__lt=timezone.now()))
    )
    return QueueCounts(**counts)


def queue_problems() -> list[str]:
    """Every thread that breaks the official-reply guarantee (an empty list when all is well).

    The queue is read from the rows, so what can break is the stored state it
    reads: a thread marked answered without a visible official reply, one with an
    official reply but still marked unanswered, or one with no due time.
    """
    visible_official = Reply.objects.filter(
        thread=OuterRef("pk"), visibility=Visibility.VISIBLE, is_official=True
    )
    threads = Thread.objects.filter(visibility=Visibility.VISIBLE).annotate(
        answered=Exists(visible_official)
    )
    problems = []
    for thread in threads.filter(answered=False, first_official_reply_at__isnull=False):
        problems.append(f"thread {thread.pk}: marked answered, but no visible official reply")
    for thread in threads.filter(answered=True, first_official_reply_at__isnull=True):
        problems.append(f"thread {thread.pk}: has an official reply, but is still in the queue")
    for thread in threads.filter(response_due_at__isnull=True):
        problems.append(f"thread {thread.pk}: visible without a due time")
    return problems
