"""Editors' pages in English and French: French pages under /fr/, each reader sent to
the version in their language, a note where a page is not translated yet, hreflang
links between versions, and lists that show each page in the reader's language."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import services
from community.help_selectors import search_help_articles
from community.models import ContentPage, HelpArticlePage, HelpIndexPage, HomePage, LegalPage
from community.page_languages import page_language

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate(page, **fields):
    return services.page_translation_publish(page=page, language="fr", fields=fields)


@pytest.fixture
def home():
    return HomePage.objects.get()


@pytest.fixture
def help_index(home):
    return publish(home, HelpIndexPage(title="Help centre", slug="help", intro="<p>Answers.</p>"))


@pytest.fixture
def article(help_index):
    return publish(
        help_index,
        HelpArticlePage(title="Descaling your grinder", slug="descaling", summary="How to."),
    )


@pytest.fixture
def french_home(home):
    return translate(home, title="Accueil")


@pytest.fixture
def french_help(french_home, help_index):
    return translate(help_index, title="Aide en ligne", intro="<p>Des réponses.</p>")


@pytest.fixture
def french_article(french_help, article):
    return translate(article, title="Détartrer votre moulin", summary="Comment faire.")


def html_of(response) -> str:
    assert response.status_code == 200, response.get("Location")
    return response.content.decode()


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


# Addresses ---------------------------------------------------------------------------


def test_english_pages_keep_their_addresses_and_french_ones_live_under_fr(
    home, help_index, french_article, french_help, french_home
):
    assert home.url == "/"
    assert help_index.url == "/help/"
    assert french_home.url == "/fr/"
    assert french_help.url == "/fr/help/"
    assert french_article.url == "/fr/help/descaling/"
    assert page_language(french_article) == "fr"
    assert page_language(help_index) == "en"


PAGE_KINDS = ["home", "help index", "help article", "content page", "legal page"]


@pytest.fixture
def pages_of_every_kind(home, help_index, article, french_home, french_help, french_article):
    guidelines = publish(home, ContentPage(title="Guidelines", slug="guidelines", intro="Kind."))
    terms = publish(home, LegalPage(title="Terms", slug="terms", kind="terms", body="<p>T</p>"))
    return {
        "home": (home, french_home),
        "help index": (help_index, french_help),
        "help article": (article, french_article),
        "content page": (guidelines, translate(guidelines, title="Charte", intro="Bienveillance.")),
        "legal page": (terms, translate(terms, title="Conditions", body="<p>Les conditions.</p>")),
    }


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_every_kind_of_page_reads_in_each_language(pages_of_every_kind, kind):
    english, french = pages_of_every_kind[kind]

    english_html = html_of(Client().get(english.url, **ENGLISH))
    french_html = html_of(Client().get(french.url, **ENGLISH))

    assert '<html lang="en">' in english_html
    # The address decides: /fr/... is French for everyone, interface included.
    assert '<html lang="fr">' in french_html
    if kind != "home":  # the home page shows its sections, not its title
        assert english.title in english_html and french.title in french_html
    assert 'data-testid="translation-missing"' not in english_html + french_html


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_french_reader_is_sent_to_the_french_version(pages_of_every_kind, kind):
    english, french = pages_of_every_kind[kind]

    response = Client().get(english.url, **FRENCH)

    assert response.status_code == 302
    assert response["Location"] == french.url


def test_a_member_who_chose_french_is_sent_to_the_french_version(french_article, article):
    from tests.factories import UserFactory

    member = UserFactory(language="fr")
    client = Client()
    client.force_login(member)

    assert client.get(article.url, **ENGLISH)["Location"] == french_article.url


def test_an_untranslated_page_says_so_in_the_readers_language(article, french_home):
    html = html_of(Client().get(article.url, **FRENCH))

    assert '<html lang="fr">' in html  # the interface is the reader's
    assert "pas encore disponible en français" in html
    assert "Descaling your grinder" in html
    # The page's own text carries its language.
    assert re.search(r'<div class="[^"]*" lang="en">', main_of(html))


def test_an_english_reader_on_an_english_page_gets_no_note(article):
    html = html_of(Client().get(article.url, **ENGLISH))

    assert 'data-testid="translation-missing"' not in html
    assert ' lang="en">' not in main_of(html)


def test_a_french_address_of_an_untranslated_page_leads_to_the_english_one(article, french_home):
    response = Client().get("/fr/help/descaling/", **FRENCH)

    assert response.status_code == 302
    assert response["Location"] == "/help/descaling/"


def test_the_french_address_of_a_site_without_french_pages_leads_home(home):
    response = Client().get("/fr/", **FRENCH)

    assert response["Location"] == "/"
    assert "pas encore disponible" in html_of(Client().get("/", **FRENCH))


def test_an_address_only_the_french_tree_has_leads_to_the_readers_version(french_article):
    french_slug = HelpArticlePage.objects.get(pk=french_article.pk)
    french_slug.slug = "detartrage"
    french_slug.save_revision().publish()

    assert Client().get("/help/detartrage/", **FRENCH)["Location"] == "/fr/help/detartrage/"
    assert Client().get("/help/detartrage/", **ENGLISH)["Location"] == "/help/descaling/"
    # A /fr/ address makes its reader French: the old French address leads to the new.
    assert Client().get("/fr/help/descaling/", **ENGLISH)["Location"] == "/fr/help/detartrage/"


def test_an_unknown_address_is_not_found_in_either_language(french_home):
    assert Client().get("/no-such-page/", **FRENCH).status_code == 404
    assert Client().get("/fr/no-such-page/", **FRENCH).status_code == 404


def test_a_draft_translation_is_not_shown(article, french_help):
    french = article.copy_for_translation(french_help.locale)  # a draft, never published

    assert not french.live
    response = Client().get(article.url, **FRENCH)
    assert response.status_code == 200  # the English page, with the note
    assert Client().get("/fr/help/descaling/", **FRENCH)["Location"] == article.url


def test_an_alias_parent_is_no_translation(home, article):
    # Translating an article whose index is not translated copies the index as an alias.
    services.page_translation_publish(page=article, language="fr", fields={"title": "Détartrer"})

    assert HelpIndexPage.objects.get(slug="help", alias_of__isnull=False).url == "/fr/help/"
    assert Client().get("/fr/help/", **FRENCH)["Location"] == "/help/"
    assert "pas encore disponible" in html_of(Client().get("/help/", **FRENCH))


# Switching language --------------------------------------------------------------------


def test_the_switcher_leads_to_the_pages_translation(french_article, article):
    visitor = Client()
    visitor.get(french_article.url)

    response = visitor.post("/i18n/setlang/", {"language": "en", "next": french_article.url})

    assert response["Location"] == article.url
    assert "Descaling your grinder" in html_of(visitor.get(article.url))


def test_the_switcher_on_an_untranslated_page_leads_to_it_with_the_note(article, french_home):
    visitor = Client()
    response = visitor.post("/i18n/setlang/", {"language": "fr", "next": article.url})

    assert response["Location"] == "/fr/help/descaling/"
    assert visitor.get(response["Location"])["Location"] == article.url
    assert "pas encore disponible" in html_of(visitor.get(article.url))


# hreflang ------------------------------------------------------------------------------


def alternates(html: str) -> dict:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_every_version_links_both_versions_and_the_default(article, french_article):
    # Absolute addresses on the site's own domain (the Wagtail site's).
    expected = {
        "en": article.full_url,
        "fr": french_article.full_url,
        "x-default": article.full_url,
    }
    assert french_article.full_url.endswith("/fr/help/descaling/")
    for page in (article, french_article):
        html = html_of(Client().get(page.url, **ENGLISH))
        assert alternates(html) == expected
        # Each version is its own canonical address.
        assert f'<link rel="canonical" href="http://testserver{page.url}">' in html


def test_an_untranslated_page_links_only_itself(article):
    html = html_of(Client().get(article.url, **ENGLISH))

    assert alternates(html) == {"en": article.full_url, "x-default": article.full_url}


def test_the_sitemap_lists_both_versions(article, french_article):
    content = Client().get("/sitemap-pages.xml").content.decode()

    assert f"<loc>{article.full_url}</loc>" in content
    assert f"<loc>{french_article.full_url}</loc>" in content
    assert f"<loc>{french_article.get_parent().get_parent().full_url}</loc>" in content


# Legal pages by kind ----------------------------------------------------------------


def test_a_legal_page_by_kind_is_the_readers_language(home, french_home):
    terms = publish(home, LegalPage(title="Terms", slug="terms", kind="terms", body="<p>T</p>"))
    english_client, french_client = Client(), Client()
    french_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert french_client.get("/legal/terms/")["Location"] == "/terms/"  # not translated yet
    french = translate(terms, title="Conditions", body="<p>Les conditions.</p>")
    assert french_client.get("/legal/terms/")["Location"] == french.url
    assert english_client.get("/legal/terms/")["Location"] == "/terms/"


def test_a_translated_legal_page_is_no_second_page_of_its_kind(home, french_home):
    terms = publish(home, LegalPage(title="Terms", slug="terms", kind="terms", body="<p>T</p>"))
    french = translate(terms, title="Conditions")

    french.full_clean()  # no "There is already a page of this kind"


# Lists in the reader's language ---------------------------------------------------------


def test_the_help_index_lists_each_article_in_the_readers_language(
    help_index, article, french_article, french_help
):
    untranslated = publish(
        help_index, HelpArticlePage(title="Cleaning the milk wand", slug="wand", summary="Wipe.")
    )

    french_html = main_of(html_of(Client().get(french_help.url)))
    english_html = main_of(html_of(Client().get(help_index.url, **ENGLISH)))

    assert "Détartrer votre moulin" in french_html
    assert "Descaling your grinder" not in french_html
    assert untranslated.title in french_html  # the English one, until it is translated
    assert "Descaling your grinder" in english_html
    assert "Détartrer" not in english_html


def test_help_search_shows_each_article_in_the_readers_language(article, french_article):
    from django.utils import translation

    with translation.override("fr"):
        found = search_help_articles(query="grinder")
    with translation.override("en"):
        english = search_help_articles(query="grinder")

    assert [page.pk for page in found] == [french_article.pk]
    assert [page.pk for page in english] == [article.pk]


def count_queries(path, **headers) -> int:
    from django.core.cache import cache

    from community.cache import forget_process_state

    cache.clear()
    forget_process_state()
    with CaptureQueriesContext(connection) as context:
        html_of(Client().get(path, **headers))
    return len(context.captured_queries)


def test_the_french_help_index_costs_the_same_queries_for_1_and_50_articles(
    help_index, french_help, french_article
):
    with_one = count_queries(french_help.url)
    for number in range(49):
        english = publish(
            help_index,
            HelpArticlePage(title=f"Article {number}", slug=f"article-{number}", summary="S."),
        )
        if number % 2:
            translate(english, title=f"Article en français {number}")

    assert count_queries(french_help.url) == with_one


def test_a_translated_page_costs_the_same_queries_as_an_untranslated_one(article, french_home):
    untranslated = count_queries(article.url, **FRENCH)
    french = translate(article, title="Détartrer", summary="Comment.")  # now the reader is sent on

    assert count_queries(french.url, **FRENCH) <= untranslated + 1
