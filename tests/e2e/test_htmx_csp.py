"""htmx under the Content-Security-Policy: a swap adds no inline style.

The policy (community/config/security.py) allows styles from our own stylesheets
only. htmx would insert a <style> for its request indicators on start-up; the
htmx-config meta in base.html turns that off and relais.css styles the
indicators. The page fixtures fail on any violation Chromium logs; these tests
also listen for the violations themselves and do real swaps (preview, vote).
"""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import CategoryFactory, ReplyFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _watch(page: Page) -> None:
    page.add_init_script(LISTEN_FOR_VIOLATIONS)


def _assert_no_inline_style(page: Page) -> None:
    assert page.evaluate("window.__cspViolations") == []
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0


def _mark(page: Page) -> None:
    page.evaluate("window.__noReload = true")


def _assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page reloaded"


@pytest.mark.parametrize("viewport", ["page", "mobile_page"])
def test_an_htmx_vote_adds_no_inline_style(request, viewport, sign_in):
    page = request.getfixturevalue(viewport)
    thread = ThreadFactory(title="Grinder jams on fine settings")
    reply = ReplyFactory(thread=thread, body="Clean the burrs with rice tablets.")
    voter = UserFactory()
    _watch(page)
    sign_in(page, voter)

    page.goto(thread.get_absolute_url())
    _mark(page)
    helpful = page.locator(f"#helpful-{reply.pk}").get_by_role("button", name="Helpful")
    helpful.click()

    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.get_by_test_id("helpful-count")).to_have_text("1")
    _assert_not_reloaded(page)
    _assert_no_inline_style(page)


def test_an_htmx_preview_adds_no_inline_style(page, sign_in):
    CategoryFactory(name="Espresso machines", slug="espresso-machines")
    _watch(page)
    sign_in(page, UserFactory())

    page.goto("/community/ask/")
    page.get_by_label("Title", exact=True).fill("Steam wand spits water")
    page.get_by_label("Details", exact=True).fill("It **spits** hot water.")
    _mark(page)
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#preview strong")).to_have_text("spits")
    _assert_not_reloaded(page)
    _assert_no_inline_style(page)
