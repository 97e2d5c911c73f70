"""Indexing the scale community for search, a chunk of threads at a time."""

from django.db import transaction
from wagtail.search.backends import get_search_backends

from community.models import SEARCH_REPLIES_INDEXED, Reply, Thread, Visibility

INDEX_CHUNK_SIZE = 1000


def index_threads(first_id: int, last_id: int, *, progress=None) -> int:
    """Index threads first_id..last_id in chunks, as update_index does for a model.

    Thread.search_replies_text queries each thread's replies; here one query per
    chunk reads them and each thread is handed its text, so indexing costs a few
    queries per thousand threads instead of one per thread. `progress`, if given,
    is called with the running total after each chunk. Returns how many.
    """
    backends = list(get_search_backends(with_auto_update=True))
    queryset = Thread.get_indexed_objects().order_by("pk")
    done = 0
    for start in range(first_id, last_id + 1, INDEX_CHUNK_SIZE):
        end = min(start + INDEX_CHUNK_SIZE - 1, last_id)
        chunk = list(queryset.filter(pk__gte=start, pk__lte=end))
        texts = _replies_text([thread.pk for thread in chunk])
        for thread in chunk:
            text = texts.get(thread.pk, "")
            # An instance attribute hides the method; the indexer calls either.
            thread.search_replies_text = lambda text=text: text
        with transaction.atomic():
            for backend in backends:
                backend.add_bulk(Thread, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


def _replies_text(thread_ids: list[int]) -> dict[int, str]:
    """What Thread.search_replies_text returns, for many threads in one query."""
    bodies: dict[int, list[str]] = {}
    rows = (
        Reply.objects.filter(thread_id__in=thread_ids, visibility=Visibility.VISIBLE)
        .order_by("thread_id", "pk")
        .values_list("thread_id", "body")
    )
    for thread_id, body in rows.iterator(chunk_size=10_000):
        kept = bodies.setdefault(thread_id, [])
        if len(kept) < SEARCH_REPLIES_INDEXED:
            kept.append(body)
    return {thread_id: " ".join(kept) for thread_id, kept in bodies.items()}
