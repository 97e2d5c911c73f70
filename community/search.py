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

from community.folding import fold
from community.markdown import plain_text

# Results read from the index per search: pages past this are not worth reading.
SEARCH_RESULTS_MAX = 500
# At equal relevance a thread with an accepted answer, then one the brand answered,
# comes first; the factors are small so that a better textual match still wins.
SOLVED_BOOST = 1.3
OFFICIAL_BOOST = 1.15
# A thread whose title holds every word of the query counts twice as relevant.
TITLE_BOOST = 1.0
EXCERPT_LENGTH = 220
# Words sharing this many first letters are taken for the same word in a title.
STEM_LENGTH = 5
# Words too short to say anything about a problem ("my", "a", "is").
MIN_WORD_LENGTH = 3


def thread_reindex_on_commit(*, thread_id: int) -> None:
    from community.tasks import index_thread_task

    transaction.on_commit(partial(index_thread_task.enqueue, thread_id))


def category_reindex_on_commit(*, category_id: int) -> None:
    """Re-index a category's threads once its change is committed: each thread's
    entry holds the category's name."""
    from community.tasks import index_category_threads_task

    transaction.on_commit(partial(index_category_threads_task.enqueue, category_id))


def relevance(
    score: float | None, *, solved: bool, official: bool, title_share: float = 0.0
) -> float:
    # The backends disagree on sign (SQLite's bm25 is negative, best lowest;
    # PostgreSQL's rank is positive, best highest): the magnitude is the match.
    value = abs(score or 0.0)
    # SQLite's bm25 weighs every column alike: a thread whose title holds the words
    # the member typed is what they look for, before one that only mentions them.
    value *= 1 + TITLE_BOOST * title_share
    if solved:
        value *= SOLVED_BOOST
    if official:
        value *= OFFICIAL_BOOST
    return value


def query_words(query: str) -> list[str]:
    return [word for word in re.findall(r"\w+", query) if len(word) >= MIN_WORD_LENGTH]


def _same_word(typed: str, written: str) -> bool:
    # A rough stemmer: "descale" and "descaling", "machine" and "machines".
    if typed.startswith(written) or written.startswith(typed):
        return min(len(typed), len(written)) >= MIN_WORD_LENGTH
    return len(typed) >= STEM_LENGTH and typed[:STEM_LENGTH] == written[:STEM_LENGTH]


def title_share(title: str, words: list[str]) -> float:
    """The share of the query's words (folded) that a title holds, accents and case aside."""
    if not words:
        return 0.0
    written = re.findall(r"\w+", fold(title).casefold())
    typed = [fold(word).casefold() for word in words]
    found = sum(1 for word in typed if any(_same_word(word, other) for other in written))
    return found / len(typed)


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """fold(text), and for each of its characters the position it came from in text."""
    folded, positions = [], []
    for position, char in enumerate(text):
        for folded_char in fold(char):
            folded.append(folded_char)
            positions.append(position)
    return "".join(folded), positions


def excerpt(markup: str, query: str, *, length: int = EXCERPT_LENGTH) -> SafeString:
    """Plain text of a post around the first word of the query it contains, with the
    query's words in <mark>. Everything from the post is escaped first."""
    text = plain_text(markup)
    words = query_words(fold(query))
    pattern = (
        re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE) if words else None
    )
    # The words are looked for in the folded text, then marked in the text as written.
    folded, positions = _folded_with_positions(text)
    spans = [
        (positions[match.start()], positions[match.end() - 1] + 1)
        for match in (pattern.finditer(folded) if pattern else ())
    ]
    first = spans[0] if spans else None
    start = max(0, first[0] - length // 3) if first else 0
    if start:
        # Start on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first[0] if first else len(text)) else start
    end = start + length
    cut = end < len(text)
    pieces, position = [], start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    # Only escaped text and our own <mark> tags are joined here.
    return mark_safe(("… " if start else "") + "".join(pieces) + (" …" if cut else ""))  # noqa: S308
