"""A visitor switches the interface to French and back, on the home page and on a
help article, on a desktop and on a phone.

Both pages are cached for visitors (community.cache): another visitor loads them
first, so the page this visitor gets is the shared rendering, and its language
switcher must carry this visitor's own CSRF token (it answered 403 when the
first visitor's token was cached with the page).
"""

import pytest
from playwright.sync_api import Page, expect

from community.models import HelpArticlePage, HelpIndexPage, HomePage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ENGLISH = {"lang": "en", "home": "Recent discussions", "help": "Was this article helpful?"}
FRENCH = {"lang": "fr", "home": "Discussions récentes", "help": "Cet article vous a-t-il aidé ?"}


def _help_article() -> str:
    index = HelpIndexPage(title="Help centre", slug="help")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    article = HelpArticlePage(
        title="Descaling your Barista 3", slug="descaling", summary="Every two months."
    )
    index.add_child(instance=article)
    article.save_revision().publish()
    return article.url


def _origin(page: Page) -> str:
    return page.evaluate("location.origin")


def _another_visitor_loads(page: Page, *paths: str) -> None:
    """Another person's browser (its own cookies) opens these pages."""
    context = page.context.browser.new_context(base_url=_origin(page))
    try:
        other = context.new_page()
        for path in paths:
            assert other.goto(path).status == 200, path
    finally:
        context.close()


def _switch(page: Page, button: str, expected: dict, kind: str, statuses: list) -> None:
    statuses.clear()
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", expected["lang"])
    expect(page.get_by_text(expected[kind], exact=True).first).to_be_visible()
    assert 403 not in statuses, statuses
    assert statuses and statuses[-1] == 200, statuses
    switcher = page.locator(".language-switcher")
    pressed = {"en": "English", "fr": "Français"}[expected["lang"]]
    expect(switcher.get_by_role("button", name=pressed, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


@pytest.mark.parametrize("viewport", ["page", "mobile_page"])
def test_a_visitor_switches_to_french_and_back_on_cached_pages(request, viewport):
    page = request.getfixturevalue(viewport)
    help_path = _help_article()
    statuses: list[int] = []
    page.on(
        "response",
        lambda response: (
            statuses.append(response.status)
            if response.request.resource_type == "document"
            else None
        ),
    )
    page.goto("/")
    # Another visitor's requests fill the cache for both pages first.
    _another_visitor_loads(page, "/", help_path)

    page.goto("/")
    expect(page.get_by_text(ENGLISH["home"], exact=True).first).to_be_visible()
    _switch(page, "Français", FRENCH, "home", statuses)
    expect(page).to_have_url(_origin(page) + "/")
    _switch(page, "English", ENGLISH, "home", statuses)

    page.goto(help_path)
    expect(page.get_by_text(ENGLISH["help"], exact=True)).to_be_visible()
    _switch(page, "Français", FRENCH, "help", statuses)
    expect(page).to_have_url(_origin(page) + help_path)
    _switch(page, "English", ENGLISH, "help", statuses)
