"""The database search backend, with each thread stemmed in its own language.

On PostgreSQL, full-text search reduces words to their stems with a text search
configuration ("english", "french"); modelsearch uses one configuration for the
whole index. Here an object that says its language (Thread.language) is indexed
with that language's configuration, and a search names the configuration of the
language it looks in (search_in_language), so "chauffer" finds a French thread
that says "chauffait". SQLite's FTS5 does not stem: there the backend is
modelsearch's own.

On PostgreSQL the backend also writes each thread's stored vectors
(community.models.search) whenever it indexes the thread, and a search of threads
reads them (ranked_in_language): the index entries' combined vectors cannot be
answered from an index, so a common word would rank every match.
"""

import copy
import re
from collections import defaultdict
from functools import cache

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from modelsearch.backends import get_search_backend
from modelsearch.backends.database import SearchBackend as database_search_backend

from community.folding import fold

# PostgreSQL's text search configuration for each of the site's languages.
TEXT_SEARCH_CONFIGS = {"en": "english", "fr": "french"}
# Words in a language without its own configuration are only folded and lowercased.
PLAIN_TEXT_SEARCH_CONFIG = "simple"
# A search on the stored vectors ranks at most this many of the most recent threads
# that match, and as many of the most recent whose title does: a common word costs
# what a rare one does, and a thread naming it in its title is never left out for
# newer ones that only mention it.
SEARCH_CANDIDATES = 500


def text_search_config(language: str) -> str | None:
    return TEXT_SEARCH_CONFIGS.get(language)


# Named as modelsearch looks it up in a backend module.
def SearchBackend(params):
    if connection.vendor == "postgresql":
        return _language_postgres_backend_class()(params)
    return database_search_backend(params)


def search_in_language(queryset, query: str, *, language: str, operator=None, backend="default"):
    """`queryset.search(query)` for rows written in `language` (the caller filters
    the queryset to them): on the PostgreSQL backend the query is stemmed as they were."""
    search_backend = get_search_backend(backend)
    if getattr(search_backend, "stems_by_language", False):
        search_backend = get_search_backend(backend, SEARCH_CONFIG=text_search_config(language))
    return search_backend.search(query, queryset, operator=operator)


def ranked_in_language(
    queryset, query: str, *, language: str, limit: int, operator=None, backend="default"
) -> list:
    """The rows of `queryset` (written in `language`) matching `query`, best first,
    at most `limit`, each with its relevance in `_score`.

    Threads on the PostgreSQL backend are ranked from their stored vectors among a
    bounded set of candidates (SEARCH_CANDIDATES); anything else through the index
    (search_in_language), which ranks every match.
    """
    search_backend = get_search_backend(backend)
    if getattr(search_backend, "stores_documents", False) and _stores_documents(queryset.model):
        return _ranked_by_documents(
            queryset, query, config=_config_for(language), operator=operator, limit=limit
        )
    results = search_in_language(
        queryset, query, language=language, operator=operator, backend=backend
    )
    return list(results.annotate_score("_score")[:limit])


def _config_for(language: str) -> str:
    return text_search_config(language) or PLAIN_TEXT_SEARCH_CONFIG


def _tsquery(query: str, *, config: str, operator=None) -> SearchQuery | None:
    # The words as modelsearch reads a plain query: each quoted (nothing in it is
    # syntax), stemmed by the configuration, all of them required unless "or".
    terms = [term for term in re.split(r"[\s\-]+", query) if term]
    if not terms:
        return None
    quoted = ["'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms]
    joined = (" | " if operator == "or" else " & ").join(quoted)
    return SearchQuery(joined, search_type="raw", config=config)


def _ranked_by_documents(queryset, query: str, *, config: str, operator, limit: int) -> list:
    tsquery = _tsquery(query, config=config, operator=operator)
    if tsquery is None:
        return []
    # The candidates are chosen by the GIN indexes and the thread's recency alone
    # (walking the threads newest first while a word is common), and ranked inside
    # each part: the rank reads the vector of a candidate only.
    score = SearchRank(F("search_document__document"), tsquery)
    newest = ("-last_activity_at", "-pk")
    matching = queryset.filter(search_document__document=tsquery)
    in_title = queryset.filter(search_document__title=tsquery)
    parts = [
        part.annotate(_score=score).order_by(*newest)[:SEARCH_CANDIDATES]
        for part in (matching, in_title)
    ]
    return list(parts[0].union(parts[1]).order_by("-_score", "-pk")[:limit])


def _stores_documents(model) -> bool:
    from community.models.forum import Thread

    return issubclass(model, Thread)


# Each thread's stored vectors, computed by PostgreSQL from the texts: written in
# one statement for a chunk of threads (the title twice: alone, and weighted first
# in the whole).
_DOCUMENTS_UPSERT = """
    INSERT INTO community_threadsearchdocument (thread_id, title, document)
    SELECT v.thread_id, setweight(to_tsvector(v.config::regconfig, v.title), 'A'),
        setweight(to_tsvector(v.config::regconfig, v.title), 'A')
        || setweight(to_tsvector(v.config::regconfig, v.question), 'B')
        || setweight(to_tsvector(v.config::regconfig, v.replies), 'C')
        || setweight(to_tsvector(v.config::regconfig, v.category), 'D')
    FROM (VALUES {rows}) AS v (thread_id, config, title, question, replies, category)
    ON CONFLICT (thread_id) DO UPDATE SET title = EXCLUDED.title, document = EXCLUDED.document
"""


def thread_documents_write(threads, *, using) -> None:
    """Write the stored vectors of `threads` (from Thread.get_indexed_objects(), with
    their category and tags loaded), accents folded as the index's fields are."""
    if not threads:
        return
    params = []
    for thread in threads:
        params += [
            thread.pk,
            _config_for(thread.language),
            fold(thread.title),
            fold(" ".join([thread.body, *(tag.name for tag in thread.tags.all())])),
            fold(thread.search_replies_text()),
            fold(thread.category.search_names()),
        ]
    rows = ", ".join(["(%s::bigint, %s, %s, %s, %s, %s)"] * len(threads))
    with using.cursor() as cursor:
        cursor.execute(_DOCUMENTS_UPSERT.format(rows=rows), params)


def _replies_read_once(threads) -> None:
    # The indexer reads a thread's replies text for each vector it builds, and the
    # stored vectors once more: one query per thread is enough. (The bulk indexer
    # hands threads whose text is already read: community.indexing.)
    for thread in threads:
        if "search_replies_text" not in vars(thread):
            text = thread.search_replies_text()
            thread.search_replies_text = lambda text=text: text


class _WithConfig:
    """A backend seen with another text search configuration: what the indexer reads."""

    def __init__(self, backend, config):
        self._backend = backend
        self.config = config

    def __getattr__(self, name):
        return getattr(self._backend, name)


@cache
def _language_postgres_backend_class():
    # Imported here: the PostgreSQL backend refuses to load on another database.
    from modelsearch.backends.database.postgres.postgres import (
        PostgresIndex,
        PostgresSearchBackend,
    )

    class LanguagePostgresIndex(PostgresIndex):
        def add_items(self, model, objs):
            objs = list(objs)
            stores_documents = _stores_documents(model)
            if stores_documents:
                _replies_read_once(objs)
            groups = defaultdict(list)
            for obj in objs:
                config = text_search_config(getattr(obj, "language", "")) or self.backend.config
                groups[config].append(obj)
            for config, group in groups.items():
                # The indexer reads the configuration from the backend it is given;
                # a copy of this index carries it, the shared backend is left alone.
                index = copy.copy(self)
                index.backend = _WithConfig(self.backend, config)
                super(LanguagePostgresIndex, index).add_items(model, group)
            if stores_documents:
                thread_documents_write(objs, using=self.write_connection)

    class LanguagePostgresSearchBackend(PostgresSearchBackend):
        index_class = LanguagePostgresIndex
        stems_by_language = True
        stores_documents = True

    return LanguagePostgresSearchBackend
