"""Pages in the reader's language: a French visitor's browser (locale fr-FR) lands on
the French home page, opens a help article by its English address and reads it in
French, then switches to English and gets the English version at its own address.
An editor translates an English help article into French with wagtail-localize in
the admin, and a French reader then reads the French version."""

import re

import pytest
from playwright.sync_api import Page, expect

from community.models import HelpArticlePage, HelpIndexPage, HomePage
from tests.community.test_home_page import hero
from tests.community.test_page_languages import publish, translate
from tests.e2e.conftest import DESKTOP_VIEWPORT, MOBILE_VIEWPORT, _new_page
from tests.e2e.test_editor_journey import _sign_in_to_admin
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENS = {"mobile": MOBILE_VIEWPORT, "desktop": DESKTOP_VIEWPORT}


@pytest.fixture(params=list(SCREENS))
def french_page(request, browser, live_server):
    yield from _new_page(request, browser, live_server, SCREENS[request.param], locale="fr-FR")


@pytest.fixture
def scene():
    home = HomePage.objects.get(locale__language_code="en")
    home.body = [hero("Welcome to the Maison Brio community")]
    home.save_revision().publish()
    home.refresh_from_db()
    french_home = translate(
        home, title="Accueil", body=[hero("Bienvenue dans la communauté Maison Brio")]
    )
    home.refresh_from_db()
    help_index = publish(home, HelpIndexPage(title="Help centre", slug="help"))
    translate(help_index, title="Centre d'aide")
    help_index.refresh_from_db()
    article = publish(
        help_index,
        HelpArticlePage(title="Descaling your grinder", slug="descaling", summary="Step by step."),
    )
    french_article = translate(
        article, title="Détartrer votre moulin", summary="Pas à pas, sans rien démonter."
    )
    untranslated = publish(
        help_index,
        HelpArticlePage(
            title="Cleaning the steam wand", slug="steam-wand", summary="After each milk."
        ),
    )
    return {
        "french_home": french_home,
        "article": article,
        "french_article": french_article,
        "untranslated": untranslated,
    }


def test_a_french_visitor_reads_pages_in_french_and_switches_to_english(french_page: Page, scene):
    page = french_page

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/fr/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bienvenue dans la communauté Maison Brio"
    )

    # A link shared in English leads a French reader to the French version.
    page.goto(scene["article"].url)
    expect(page).to_have_url(re.compile(re.escape(scene["french_article"].url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Détartrer votre moulin")
    expect(page.locator('link[rel="alternate"][hreflang="en"]')).to_have_count(1)

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(re.escape(scene["article"].url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Descaling your grinder")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_an_editor_translates_an_article_and_a_french_reader_reads_it(
    page: Page, browser, live_server, scene
):
    editor = EditorFactory(username="ines")
    article = scene["untranslated"]
    _sign_in_to_admin(page, editor)

    page.goto(f"/admin/localize/submit/page/{article.pk}/")
    page.get_by_label("French").check()
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))

    french = HelpArticlePage.objects.get(
        translation_key=article.translation_key, locale__language_code="fr"
    )
    for source, translated in (
        ("Cleaning the steam wand", "Nettoyer la buse vapeur"),
        ("After each milk.", "Après chaque lait."),
    ):
        segment = page.locator("li", has_text=source).filter(
            has=page.get_by_role("button", name="Translate")
        )
        segment.last.get_by_role("button", name="Translate").click()
        page.locator("textarea").last.fill(translated)
        page.get_by_role("button", name="Save").last.click()
        expect(page.get_by_text(translated).first).to_be_visible()
    page.get_by_role("button", name=re.compile("Publish in French")).click()
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()

    french.refresh_from_db()
    assert french.live
    reader = _new_page_for_reader(browser, live_server)
    reader.goto(article.url)
    expect(reader.get_by_role("heading", level=1)).to_have_text("Nettoyer la buse vapeur")
    reader.context.close()


def _new_page_for_reader(browser, live_server) -> Page:
    """A French visitor's browser, not signed in."""
    context = browser.new_context(
        viewport=DESKTOP_VIEWPORT, locale="fr-FR", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    return context.new_page()
