"""Threads carry the language they are written in: asking in one, the thread page
saying it, and the lists showing the reader's language unless asked for all."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from community import services
from community.models import Thread
from tests.factories import CategoryFactory, ThreadFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

ASK = {"title": "The frother does not heat the milk", "body": "It stays cold.", "tags": "milk"}


def _selected_language(content: str) -> str:
    select = re.search(r'<select name="language".*?</select>', content, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected>', select).group(1)


# Asking ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_ask_form_starts_in_the_members_own_language(language):
    member = UserFactory(language=language)

    content = client_for(member).get("/community/ask/").content.decode()

    assert _selected_language(content) == language


def test_a_member_without_a_saved_language_asks_in_the_pages_language():
    member = UserFactory(language="")

    content = client_for(member).get("/community/ask/", HTTP_ACCEPT_LANGUAGE="fr").content
    assert _selected_language(content.decode()) == "fr"


def test_the_question_is_saved_in_the_language_chosen(category):
    member = UserFactory(language="en")

    response = client_for(member).post(
        "/community/ask/", {**ASK, "category": category.pk, "language": "fr"}
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert thread.language == "fr"


def test_a_question_sent_without_a_language_is_in_the_authors(category):
    member = UserFactory(language="fr")

    client_for(member).post("/community/ask/", {**ASK, "category": category.pk})

    assert Thread.objects.get().language == "fr"


def test_an_unknown_language_is_a_form_error_that_keeps_what_was_typed(category):
    member = UserFactory(language="en")

    response = client_for(member).post(
        "/community/ask/", {**ASK, "category": category.pk, "language": "xx"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_language_error"' in content
    assert f'value="{ASK["title"]}"' in content
    assert f"{ASK['body']}</textarea>" in content
    assert not Thread.objects.exists()


def test_the_service_refuses_a_language_the_site_does_not_offer(member, category):
    with pytest.raises(ValidationError):
        services.thread_create(
            author=member, category=category, title="Une question", body="Oui.", language="de"
        )
    assert not Thread.objects.exists()


# The thread page -----------------------------------------------------------------------


def test_the_thread_page_marks_its_posts_in_the_threads_language(client, member):
    thread = services.thread_create(
        author=member,
        category=CategoryFactory(),
        title="La buse vapeur siffle",
        body="Depuis hier.",
        language="fr",
    )
    services.reply_create(author=UserFactory(), thread=thread, body="Nettoyez la buse.")

    content = client.get(thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # The interface stays English; the members' words are French.
    assert '<html lang="en"' in content
    assert '<h1 id="thread-title" lang="fr">' in content
    assert re.search(r'<div class="post__body" lang="fr" data-testid="question-body">', content)
    assert re.search(r'<div class="post__body" lang="fr">\s*<p>Nettoyez la buse.</p>', content)


# Lists -------------------------------------------------------------------------------


@pytest.fixture
def bilingual(category):
    english = ThreadFactory(category=category, title="The milk frother drips", language="en")
    french = ThreadFactory(category=category, title="La buse à lait goutte", language="fr")
    return english, french


def _titles(content: str) -> list[str]:
    return re.findall(r'<h3 class="thread-row__title"[^>]*><a href="[^"]*">([^<]*)</a>', content)


@pytest.mark.parametrize("path", ["/community/", "/community/c/coffee/"])
def test_lists_show_the_readers_language_by_default(client, bilingual, path):
    english, french = bilingual

    in_french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    in_english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _titles(in_french) == [french.title]
    assert _titles(in_english) == [english.title]
    assert 'data-testid="all-languages"' in in_french


@pytest.mark.parametrize("path", ["/community/", "/community/c/coffee/"])
def test_all_languages_shows_every_thread_the_readers_first(client, bilingual, path):
    english, french = bilingual
    # The English one is the more recent: the reader's language comes first all the same.
    Thread.objects.filter(pk=english.pk).update(last_activity_at=french.last_activity_at)
    Thread.objects.filter(pk=french.pk).update(
        last_activity_at=french.last_activity_at.replace(year=2020)
    )

    content = client.get(f"{path}?language=all", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert _titles(content) == [french.title, english.title]
    # The English title says its language on the French page; the French one need not.
    assert f'<h3 class="thread-row__title" lang="en"><a href="{english.get_absolute_url()}">' in (
        content
    )
    assert f'<h3 class="thread-row__title"><a href="{french.get_absolute_url()}">' in content
    assert '<option value="all" selected>' in content


def test_one_language_can_be_asked_for_by_name(client, bilingual):
    english, _french = bilingual

    content = client.get("/community/?language=en", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert _titles(content) == [english.title]


@pytest.mark.parametrize("value", ["xx", "", "ALL", "fr-ca", "../", "é" * 300])
def test_an_unknown_language_value_lists_the_readers_language(client, bilingual, value):
    english, _french = bilingual

    response = client.get("/community/", {"language": value}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert _titles(response.content.decode()) == [english.title]


def test_the_language_filter_combines_with_status_sort_and_tag(client, category):
    solved_fr = ThreadFactory(category=category, title="Résolu en français", language="fr")
    solved_fr.tags.add("lait")
    open_fr = ThreadFactory(category=category, title="Ouvert en français", language="fr")
    open_fr.tags.add("lait")
    reply = services.reply_create(author=UserFactory(), thread=solved_fr, body="Voilà.")
    services.thread_accept_reply(user=solved_fr.author, thread=solved_fr, reply=reply)
    ThreadFactory(category=category, title="Solved in English", language="en").tags.add("lait")

    content = client.get(
        "/community/?status=unanswered&tag=lait&sort=newest", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert _titles(content) == [open_fr.title]


def test_pagination_links_keep_the_language_chosen(client, category):
    for number in range(31):
        ThreadFactory(category=category, language="en", title=f"English thread {number}")

    content = client.get("/community/?language=all", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert 'rel="next" href="?language=all&amp;page=2"' in content


def test_the_home_pages_latest_threads_put_the_readers_language_first():
    from community.selectors import latest_threads

    category = CategoryFactory()
    french = ThreadFactory(category=category, language="fr", title="Plus ancien")
    Thread.objects.filter(pk=french.pk).update(
        last_activity_at=french.last_activity_at.replace(year=2020)
    )
    english = ThreadFactory(category=category, language="en", title="Newer")

    assert latest_threads(show="active", limit=5, reader="fr") == [french, english]
    assert latest_threads(show="active", limit=5, reader="en") == [english, french]


# Search ------------------------------------------------------------------------------


@pytest.fixture
def indexed(django_capture_on_commit_callbacks, category):
    """Ask through the service, its index task run as after a committed request."""

    def ask(title, body, *, language):
        with django_capture_on_commit_callbacks(execute=True):
            return services.thread_create(
                author=UserFactory(), category=category, title=title, body=body, language=language
            )

    return ask


def _search_titles(client, query, language) -> list[str]:
    content = client.get(
        "/community/search/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    return re.findall(r'<h3 class="thread-row__title"[^>]*><a href="[^"]*">([^<]*)</a>', content)


def test_search_puts_the_readers_language_first_then_the_others(client, indexed):
    # The English thread is the better match (the word in its title, twice)...
    english = indexed(
        "Descaling: detartrage step by step", "Detartrage every month.", language="en"
    )
    french = indexed("La machine fait du bruit", "Un détartrage a suffi.", language="fr")

    # ...yet a French reader sees the French one first, and an English reader the other.
    assert _search_titles(client, "détartrage", "fr") == [french.title, english.title]
    assert _search_titles(client, "détartrage", "en") == [english.title, french.title]


def test_search_results_are_kept_apart_per_reader_language(client, indexed):
    indexed("Le broyeur se bloque", "Depuis hier.", language="fr")
    indexed("The grinder jams (broyeur)", "Since yesterday.", language="en")

    first = _search_titles(client, "broyeur", "fr")
    # Cached rankings are per reader language: the English reader's order is its own.
    assert _search_titles(client, "broyeur", "en") == list(reversed(first))


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite's full-text search does not stem",
)
def test_on_postgresql_each_thread_is_stemmed_in_its_own_language(client, indexed):
    french = indexed("La buse vapeur", "Elle ne chauffait plus du tout.", language="fr")
    # The same word in an English thread is not French to the English stemmer.
    indexed("Steam wand", "My French friend said it chauffait.", language="en")

    # French stems "chauffer" and "chauffait" alike ("chauff"); English does not.
    assert _search_titles(client, "chauffer", "fr") == [french.title]
    assert _search_titles(client, "chauffer", "en") == [french.title]
