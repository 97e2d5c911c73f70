"""A visitor becomes a member: sign up, confirm the e-mail, sign in, switch to French, sign out."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.journeys import confirmation_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-and-unusual-passphrase-42"
SMALL_SCREEN_WIDTH = 360


def _label(text: str) -> re.Pattern:
    # Django's label_tag ends labels with a colon; match the words, not the punctuation.
    return re.compile(rf"^{re.escape(text)}:?$")


def test_account_journey_sign_up_confirm_sign_in_switch_language_sign_out(page, mailoutbox):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("banner").get_by_role("link", name="Sign up", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label(_label("Email")).fill("camille@example.com")
    page.get_by_label(_label("Username")).fill("camille")
    page.get_by_label(_label("Display name")).fill("Camille Martin")
    page.get_by_label(_label("Password")).fill(PASSWORD)
    page.get_by_label(_label("Password (again)")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^I accept the terms of use")).check()
    page.get_by_role("main").get_by_role("button", name="Sign Up").click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert User.objects.get(username="camille").display_name == "Camille Martin"

    page.goto(confirmation_link(mailoutbox, "camille@example.com"))
    page.get_by_role("main").get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(_label("Login")).fill("camille")
    page.get_by_label(_label("Password")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("header-user-name")).to_have_text("Camille Martin")

    page.get_by_role("contentinfo").locator('button[name="language"][value="fr"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/$"))
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Communauté", exact=True)).to_be_visible()
    expect(page.get_by_test_id("header-user-name")).to_have_text("Camille Martin")

    header.locator("details.account-menu > summary").click()
    header.get_by_role("button", name="Se déconnecter").click()

    expect(header.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    expect(page.get_by_test_id("header-user-name")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "fr")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("path", ["/", "/accounts/signup/"])
def test_small_screen_page_has_no_horizontal_scroll(mobile_page, live_server, path, language):
    # French labels run longer than English ones: both must fit.
    mobile_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    mobile_page.goto(path)
    expect(mobile_page.locator("html")).to_have_attribute("lang", language)
    expect(mobile_page.get_by_role("heading", level=1)).to_be_visible()
    scroll_width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= SMALL_SCREEN_WIDTH, (
        f"{path} is {scroll_width}px wide on a {SMALL_SCREEN_WIDTH}px screen"
    )


def test_small_screen_account_menu_opens_inside_the_screen(mobile_page, sign_in):
    sign_in(mobile_page, UserFactory(display_name="Camille Martin"))
    mobile_page.goto("/")

    mobile_page.locator("details.account-menu > summary").click()
    panel = mobile_page.locator(".account-menu__panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0, f"the account menu starts {-box['x']:.0f}px left of the screen"
    assert box["x"] + box["width"] <= SMALL_SCREEN_WIDTH, (
        f"the account menu ends {box['x'] + box['width'] - SMALL_SCREEN_WIDTH:.0f}px "
        "right of the screen"
    )
