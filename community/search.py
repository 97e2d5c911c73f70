"""Full-text search of threads: keeping the index in step, ranking, excerpts.

The index is Wagtail's search framework (modelsearch) on the configured
backend: the database's own full-text search by default (SQLite FTS5, or
PostgreSQL with DATABASE_URL), Elasticsearch or OpenSearch by setting. The
services re-index a thread after their transaction commits, through a task, so
a request never waits on the index and a rolled-back write never reaches it.
"""

import re
from functools import partial

from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from community.markdown import plain_text

# Results read from the index per search: pages past this are not worth reading.
SEARCH_RESULTS_MAX = 500
# At equal relevance a thread with an accepted answer, then one the brand answered,
# comes first; the factors are small so that a better textual match still wins.
SOLVED_BOOST = 1.3
OFFICIAL_BOOST = 1.15
EXCERPT_LENGTH = 220
# Words too short to say anything about a problem ("my", "a", "is").
MIN_WORD_LENGTH = 3


def thread_reindex_on_commit(*, thread_id: int) -> None:
    from community.tasks import index_thread_task

    transaction.on_commit(partial(index_thread_task.enqueue, thread_id))


def relevance(score: float | None, *, solved: bool, official: bool) -> float:
    # The backends disagree on sign (SQLite's bm25 is negative, best lowest;
    # PostgreSQL's rank is positive, best highest): the magnitude is the match.
    value = abs(score or 0.0)
    if solved:
        value *= SOLVED_BOOST
    if official:
        value *= OFFICIAL_BOOST
    return value


def query_words(query: str) -> list[str]:
    return [word for word in re.findall(r"\w+", query) if len(word) >= MIN_WORD_LENGTH]


def excerpt(markup: str, query: str, *, length: int = EXCERPT_LENGTH) -> SafeString:
    """Plain text of a post around the first word of the query it contains, with the
    query's words in <mark>. Everything from the post is escaped first."""
    text = plain_text(markup)
    words = query_words(query)
    pattern = (
        re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE) if words else None
    )
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - length // 3) if first else 0
    if start:
        # Start on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else len(text)) else start
    window = text[start : start + length]
    cut = start + length < len(text)
    pieces, position = [], 0
    for match in pattern.finditer(window) if pattern else ():
        pieces.append(escape(window[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(window[position:]))
    # Only escaped text and our own <mark> tags are joined here.
    return mark_safe(("… " if start else "") + "".join(pieces) + (" …" if cut else ""))  # noqa: S308
