"""The members' answers to "How satisfied are you with the help?", for moderators:
filtered by score and category, the most recent first."""

from django.core.paginator import Page, Paginator

from community.models import Category, SatisfactionRating

ANSWERS_PER_PAGE = 50

# The score filter's values: a band of scores, as CSAT reads them.
SCORE_BANDS = {
    "satisfied": (4, 5),
    "neutral": (3, 3),
    "dissatisfied": (1, 2),
}


def clean_score_band(value: str) -> str:
    return value if value in SCORE_BANDS else ""


def satisfaction_answers(
    *, band: str = "", category: Category | None = None, page_number=1
) -> Page:
    """Answered ratings on visible threads, with their thread, its category and the
    member loaded: two queries a page (the count and the rows), whatever its size."""
    answers = SatisfactionRating.objects.filter(
        score__isnull=False, thread__visibility="visible"
    ).select_related("thread__category", "member")
    if band in SCORE_BANDS:
        answers = answers.filter(score__range=SCORE_BANDS[band])
    if category is not None:
        answers = answers.filter(thread__category=category)
    answers = answers.order_by("-answered_at", "-pk")
    return Paginator(answers, ANSWERS_PER_PAGE).get_page(page_number)
