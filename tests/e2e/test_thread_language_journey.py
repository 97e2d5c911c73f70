"""Threads in the reader's language: a French visitor's browser (locale fr-FR) lists
the French discussions, switches to every language, searches "détartrage" and gets
the French descaling threads before the English one; a French member asks a
question, in French from the start, and its page says so. On a phone and a desktop."""

import re

import pytest
from playwright.sync_api import Page, expect

from community import services
from community.models import Thread
from tests.e2e.conftest import DESKTOP_VIEWPORT, MOBILE_VIEWPORT, _new_page
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENS = {"mobile": MOBILE_VIEWPORT, "desktop": DESKTOP_VIEWPORT}
FRENCH_DESCALING = [
    "Le voyant Détartrer reste allumé après le détartrage",
    "Combien de détartrant pour un détartrage complet ?",
]
ENGLISH_DESCALING = "Error E04 right after descaling"
ENGLISH_OTHER = "The grinder jams with oily beans"
NEW_TITLE = "La buse vapeur ne chauffe plus le lait"
THREAD_PATH = re.compile(r"/community/t/\d+/[\w-]+/$")


@pytest.fixture(params=list(SCREENS))
def french_page(request, browser, live_server):
    """A fresh page whose browser speaks French (Accept-Language from the locale)."""
    yield from _new_page(request, browser, live_server, SCREENS[request.param], locale="fr-FR")


@pytest.fixture
def scene():
    """Threads written through the services, so the search index follows on commit."""
    coffee = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    for title in FRENCH_DESCALING:
        services.thread_create(
            author=UserFactory(language="fr"),
            category=coffee,
            title=title,
            body="J'ai suivi la notice du détartrage pas à pas.",
            tags=["detartrage"],
            language="fr",
        )
    for title in (ENGLISH_DESCALING, ENGLISH_OTHER):
        services.thread_create(
            author=UserFactory(language="en"),
            category=coffee,
            title=title,
            body="I followed the booklet step by step.",
            # The brand's one vocabulary: descaling threads carry both words.
            tags=["descaling", "detartrage"] if title == ENGLISH_DESCALING else ["grinder"],
            language="en",
        )
    return {"coffee": coffee, "member": UserFactory(username="claire", language="fr")}


def _listed_titles(page: Page) -> list[str]:
    return page.locator("main .thread-row__title").all_inner_texts()


def test_a_french_reader_lists_searches_and_asks_in_french(french_page, sign_in, scene):
    page = french_page

    # The list shows the discussions in French, and says how to see the others.
    page.goto("/community/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("list-language")).to_be_visible()
    assert sorted(_listed_titles(page)) == sorted(FRENCH_DESCALING)

    page.get_by_test_id("all-languages").click()
    expect(page).to_have_url(re.compile(r"language=all"))
    titles = _listed_titles(page)
    assert sorted(titles[:2]) == sorted(FRENCH_DESCALING)
    assert sorted(titles[2:]) == sorted([ENGLISH_DESCALING, ENGLISH_OTHER])
    english_row = page.locator("main .thread-row__title", has_text=ENGLISH_DESCALING)
    expect(english_row).to_have_attribute("lang", "en")
    expect(page.locator("#filter-language")).to_have_value("all")

    # A search: the French descaling threads first, then the English one.
    page.goto("/community/search/?q=d%C3%A9tartrage")
    titles = _listed_titles(page)
    assert sorted(titles[:2]) == sorted(FRENCH_DESCALING)
    assert titles[2:] == [ENGLISH_DESCALING]

    # A French member asks: the question's language is French from the start.
    sign_in(page, scene["member"])
    page.goto("/community/ask/")
    expect(page.locator("#id_language")).to_have_value("fr")
    page.locator("#id_title").fill(NEW_TITLE)
    page.locator("#id_body").fill("Depuis ce matin la buse siffle mais le lait reste froid.")
    page.locator("#id_category").select_option(str(scene["coffee"].pk))
    page.locator("main form[action='/community/ask/'] button[type=submit]").first.click()
    expect(page).to_have_url(THREAD_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#thread-title")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("question-body")).to_have_attribute("lang", "fr")
    assert Thread.objects.get(title=NEW_TITLE).language == "fr"
