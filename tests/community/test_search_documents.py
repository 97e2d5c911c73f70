"""Search ranked from the threads' stored vectors on PostgreSQL, among a bounded set
of candidates (issue 18): the same results as the index where there are few, the
title matches and the newest kept where there are many, and every write seen at once.
The tests that need PostgreSQL run with DATABASE_URL set; the others on both."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from modelsearch.backends import get_search_backend

from community import search_backend, selectors, services
from community.config.scale.indexing import index_threads
from community.models import Thread, ThreadSearchDocument
from moderation.services import actions
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): the stored vectors are PostgreSQL's",
)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def coffee():
    return CategoryFactory(name="Coffee", slug="coffee")


@pytest.fixture
def ask(committed, coffee):
    def ask_(title, body="Details of the problem.", *, tags=(), language="en", days_ago=0):
        with committed():
            thread = services.thread_create(
                author=UserFactory(),
                category=coffee,
                title=title,
                body=body,
                tags=tags,
                language=language,
            )
        if days_ago:
            # Older activity, as a thread nobody wrote in for a while.
            moment = timezone.now() - timedelta(days=days_ago)
            Thread.objects.filter(pk=thread.pk).update(last_activity_at=moment)
        return thread

    return ask_


def titles(page) -> list[str]:
    return [thread.title for thread in page.object_list]


@pytest.fixture
def through_the_index(monkeypatch):
    """Search as before the stored vectors: through the index entries, every match ranked."""

    def switch():
        monkeypatch.setattr(type(get_search_backend()), "stores_documents", False, raising=False)

    return switch


# Both databases -------------------------------------------------------------------------


def test_an_older_thread_with_the_words_in_its_title_comes_before_newer_mentions(ask):
    titled = ask("Grinder jams every morning", days_ago=30)
    mentions = [ask(f"Coffee tastes odd, case {n}", body="The grinder is fine.") for n in range(3)]

    found = titles(selectors.search_threads(query="grinder"))

    assert found[0] == titled.title
    assert set(found) == {titled.title, *(thread.title for thread in mentions)}


def test_an_edit_and_a_hide_change_the_results_at_once(ask, committed):
    thread = ask("Kettle switches off too early")
    other = ask("Kettle lid squeaks")
    assert set(titles(selectors.search_threads(query="kettle"))) == {thread.title, other.title}

    with committed():
        services.thread_edit(
            editor=thread.author, thread=thread, title="Toaster burns one side", body=thread.body
        )
    assert titles(selectors.search_threads(query="kettle")) == [other.title]
    assert titles(selectors.search_threads(query="toaster")) == ["Toaster burns one side"]

    with committed():
        actions.thread_hide(moderator=ModeratorFactory(), thread=other, reason="Off topic")
    assert titles(selectors.search_threads(query="kettle")) == []
    assert titles(selectors.search_threads(query="squeaks")) == []


def test_categories_named_by_the_query_count_their_visible_threads_at_once(ask, committed):
    tea = CategoryFactory(name="Tea makers", slug="tea-makers")
    ask("Pump hums but nothing comes out")
    hidden = ask("Grinder jams")
    with committed():
        actions.thread_hide(moderator=ModeratorFactory(), thread=hidden, reason="Spam")

    found = selectors.search_categories(query="coffee tea")
    assert [(c.slug, c.visible_thread_count) for c in found] == [("coffee", 1), ("tea-makers", 0)]

    ThreadFactory(category=tea, title="Kettle whistles too early")
    found = selectors.search_categories(query="coffee tea")
    assert [(c.slug, c.visible_thread_count) for c in found] == [("coffee", 1), ("tea-makers", 1)]
    assert selectors.search_categories(query="juicer") == []


# PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
@on_postgresql
def test_the_backend_stores_each_threads_vectors_weighted_in_its_language(ask, committed):
    english = ask("Steam wand drips", body="It drips all night.", tags=["espresso"])
    with committed():
        services.reply_create(author=UserFactory(), thread=english, body="Descale it first.")
    french = ask("La buse vapeur", body="Elle ne chauffait plus.", language="fr")

    vectors = dict(
        ThreadSearchDocument.objects.filter(thread__in=[english, french]).values_list(
            "thread_id", "document"
        )
    )
    title = ThreadSearchDocument.objects.get(thread=english).title

    # Title A, question and tags B, replies C, category names D (unmarked); English stems.
    assert re.search(r"'wand':\d+A", vectors[english.pk])
    assert re.search(r"'espresso':\d+B", vectors[english.pk])
    assert re.search(r"'descal':\d+C", vectors[english.pk])
    assert re.search(r"'coffe':\d+( |$)", vectors[english.pk])
    assert "drip" in title and "descal" not in title
    # French stems "chauffait" as "chauff".
    assert "'chauff'" in vectors[french.pk]


@pytest.mark.postgres
@on_postgresql
def test_with_few_matches_the_stored_vectors_find_what_the_index_finds(
    ask, committed, through_the_index
):
    # The control: below the candidate bound both paths rank every match.
    ask("Pump hums but no coffee comes out", body="The pump hums loudly.")
    ask("Display stays dark", body="Maybe the pump is broken.")
    ask("Water tank leaks", body="Under the pump area.", days_ago=40)
    ask("Milk frother is silent")
    queries = ["pump", "pump hums", "tank leaks", "frother", "nothing here"]

    stored = {query: titles(selectors.search_threads(query=query)) for query in queries}
    through_the_index()
    indexed = {query: titles(selectors.search_threads(query=query)) for query in queries}

    assert {q: set(found) for q, found in stored.items()} == {
        q: set(found) for q, found in indexed.items()
    }
    assert len(stored["pump"]) == 3
    assert stored["pump"][0] == indexed["pump"][0] == "Pump hums but no coffee comes out"


@pytest.mark.postgres
@on_postgresql
def test_a_common_word_ranks_only_the_newest_matches_and_every_title_match(ask, monkeypatch):
    monkeypatch.setattr(search_backend, "SEARCH_CANDIDATES", 3)
    old_title = ask("Descaling light never goes off", days_ago=90)
    old_mentions = [
        ask(f"Old question {n}", body="I tried descaling.", days_ago=60) for n in range(3)
    ]
    new_mentions = [ask(f"New question {n}", body="After descaling it beeps.") for n in range(3)]

    found = titles(selectors.search_threads(query="descaling"))

    # The three newest matches, and the title match however old; older mentions left.
    assert set(found) == {old_title.title, *(thread.title for thread in new_mentions)}
    assert found[0] == old_title.title
    assert not {thread.title for thread in old_mentions} & set(found)


@pytest.mark.postgres
@on_postgresql
def test_both_vectors_have_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            ["community_threadsearchdocument"],
        )
        indexes = dict(cursor.fetchall())

    assert "USING gin (title)" in indexes["thread_search_title_gin"]
    assert "USING gin (document)" in indexes["thread_search_document_gin"]


@pytest.mark.postgres
@on_postgresql
def test_the_migration_backfills_the_vectors_the_backend_writes(ask, committed):
    thread = ask("Grinder rattles with oily beans", body="Since Monday.", tags=["beans"])
    with committed():
        services.reply_create(author=UserFactory(), thread=thread, body="Clean the burrs.")
    written = ThreadSearchDocument.objects.values("title", "document").get(thread=thread)
    ThreadSearchDocument.objects.all().delete()
    migration = importlib.import_module("community.migrations.0031_thread_search_documents")

    with connection.schema_editor() as schema_editor:
        migration.backfill(apps, schema_editor)

    assert ThreadSearchDocument.objects.values("title", "document").get(thread=thread) == written
    assert titles(selectors.search_threads(query="burrs")) == [thread.title]


@pytest.mark.postgres
@on_postgresql
def test_the_scale_communitys_bulk_indexing_writes_the_vectors(coffee):
    written = [
        ThreadFactory(category=coffee, title=f"Bulk written thread {n} about a thermoblock")
        for n in range(3)
    ]
    assert not ThreadSearchDocument.objects.exists()

    index_threads(written[0].pk, written[-1].pk)

    assert ThreadSearchDocument.objects.count() == 3
    assert len(titles(selectors.search_threads(query="thermoblock"))) == 3
