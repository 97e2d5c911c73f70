"""What the help widget's panel records: its searches and the question asked from it,
per visit, for the deflection figures of the metrics page (moderation.metrics)."""

from django.db import transaction
from django.db.models import F

from community.models import Thread, WidgetVisit

QUERY_KEPT_LENGTH = 200


@transaction.atomic
def widget_search_record(*, visit_key: str, origin: str, query: str) -> None:
    """Count one search of the panel's visit `visit_key` on `origin`, starting the visit
    at its first search. A visit already seen on another origin is left alone: a key
    belongs to the page that opened the panel."""
    visit, created = WidgetVisit.objects.get_or_create(
        key=visit_key,
        defaults={"origin": origin, "search_count": 1, "last_query": query[:QUERY_KEPT_LENGTH]},
    )
    if not created and visit.origin == origin:
        WidgetVisit.objects.filter(pk=visit.pk).update(
            search_count=F("search_count") + 1, last_query=query[:QUERY_KEPT_LENGTH]
        )


@transaction.atomic
def widget_question_record(*, visit_key: str, origin: str, thread: Thread) -> None:
    """The visit `visit_key` ended in a question: it no longer counts as deflected."""
    WidgetVisit.objects.filter(key=visit_key, origin=origin, thread__isnull=True).update(
        thread=thread
    )
