"""Writing many threads to the search index at once: after a category changes
(community.tasks) and for the scale community (community.config.scale)."""

from django.db import transaction
from wagtail.search.backends import get_search_backends

from community.models.forum import SEARCH_REPLIES_INDEXED, Reply, Thread, Visibility


def threads_index_bulk(threads: list) -> None:
    """Write the index entries of many threads at once, as update_index does for a model.

    Thread.search_replies_text reads each thread's replies; here one query reads
    them for all the threads, and each thread is handed its text. The threads come
    from Thread.get_indexed_objects() (category and tags loaded with them).
    """
    if not threads:
        return
    bodies: dict[int, list[str]] = {}
    rows = (
        Reply.objects.filter(thread_id__in=[t.pk for t in threads], visibility=Visibility.VISIBLE)
        .order_by("thread_id", "pk")
        .values_list("thread_id", "body")
    )
    for thread_id, body in rows.iterator(chunk_size=10_000):
        kept = bodies.setdefault(thread_id, [])
        if len(kept) < SEARCH_REPLIES_INDEXED:
            kept.append(body)
    for thread in threads:
        text = " ".join(bodies.get(thread.pk, ()))
        # An instance attribute hides the method; the indexer calls either.
        thread.search_replies_text = lambda text=text: text
    with transaction.atomic():
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(Thread, threads)
