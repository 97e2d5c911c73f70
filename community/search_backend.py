"""The database search backend, with each thread stemmed in its own language.

On PostgreSQL, full-text search reduces words to their stems with a text search
configuration ("english", "french"); modelsearch uses one configuration for the
whole index. Here an object that says its language (Thread.language) is indexed
with that language's configuration, and a search names the configuration of the
language it looks in (search_in_language), so "chauffer" finds a French thread
that says "chauffait". SQLite's FTS5 does not stem: there the backend is
modelsearch's own.
"""

import copy
from collections import defaultdict
from functools import cache

from django.db import connection
from modelsearch.backends import get_search_backend
from modelsearch.backends.database import SearchBackend as database_search_backend

# PostgreSQL's text search configuration for each of the site's languages.
TEXT_SEARCH_CONFIGS = {"en": "english", "fr": "french"}


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

    class LanguagePostgresSearchBackend(PostgresSearchBackend):
        index_class = LanguagePostgresIndex
        stems_by_language = True

    return LanguagePostgresSearchBackend
