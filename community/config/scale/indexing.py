"""Indexing the scale community for search, a chunk of threads at a time."""

from community.indexing import threads_index_bulk
from community.models import Thread

INDEX_CHUNK_SIZE = 1000


def index_threads(first_id: int, last_id: int, *, progress=None) -> int:
    """Index threads first_id..last_id in chunks, as update_index does for a model,
    each chunk's replies read in one query (community.indexing.threads_index_bulk), so
    indexing costs a few queries per thousand threads instead of one per thread.
    `progress`, if given, is called with the running total after each chunk.
    Returns how many.
    """
    queryset = Thread.get_indexed_objects().order_by("pk")
    done = 0
    for start in range(first_id, last_id + 1, INDEX_CHUNK_SIZE):
        end = min(start + INDEX_CHUNK_SIZE - 1, last_id)
        chunk = list(queryset.filter(pk__gte=start, pk__lte=end))
        threads_index_bulk(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done
