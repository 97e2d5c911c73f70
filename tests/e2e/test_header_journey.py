"""The site header in a browser, on a phone (360 px) and a desktop (1280 px), in
English and French: a moderator works the queue from the phone's menu, a member
opens the bell's dropdown and reads a notification, and the header stays one line.
Screenshots land in test-artifacts/e2e/ for a person to look at."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from community import services
from community.models import Visibility
from moderation.models import Report
from moderation.services.reports import report_create
from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "e2e"
# One line: 44 px targets and their padding, whatever the role and the language.
ONE_LINE_MAX_HEIGHT = 64
LANGUAGES = ["en", "fr"]
SENTENCES = {
    "en": "Ana Replier replied to “Grinder jammed after cleaning”",
    "fr": "Ana Replier a répondu à « Grinder jammed after cleaning »",
}


def _speak(page: Page, live_server, language: str) -> None:
    """The browser asks for `language`, and so does everyone in the scene once signed
    in (a member's own language wins over the cookie)."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    User.objects.update(language=language)


def _screenshot(page: Page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"header-{name}.png"))


def _header_height(page: Page) -> float:
    box = page.locator("header.site-header").bounding_box()
    assert box is not None
    return box["height"]


@pytest.fixture
def scene():
    """Threads awaiting an official reply (one overdue), a post to approve, a report."""
    category = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    asker = UserFactory(username="oliver", display_name="Oliver Bennett")
    asked = timezone.now() - timedelta(hours=50)
    overdue = ThreadFactory(
        title="Grinder jammed after cleaning",
        category=category,
        author=asker,
        created_at=asked,
        published_at=asked,
        last_activity_at=asked,
        response_due_at=asked + timedelta(hours=24),
    )
    services.thread_set_follow(user=asker, thread=overdue, following=True)
    ThreadFactory(title="Which descaler to buy?", category=category, author=asker)
    ReplyFactory(thread=overdue, visibility=Visibility.PENDING)
    report_create(reporter=UserFactory(), thread=overdue, reason=Report.Reason.values[0])
    return {
        "asker": asker,
        "overdue": overdue,
        "moderator": ModeratorFactory(display_name="Camille"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moderator_works_the_queue_from_the_phone_menu(
    mobile_page, live_server, sign_in, scene, language
):
    _speak(mobile_page, live_server, language)
    sign_in(mobile_page, scene["moderator"])
    mobile_page.goto("/community/")
    expect(mobile_page.locator("html")).to_have_attribute("lang", language)
    assert _header_height(mobile_page) <= ONE_LINE_MAX_HEIGHT

    # The menu's button says there is overdue work; the menu leads to the queue.
    expect(mobile_page.get_by_test_id("menu-badge")).to_have_text(re.compile(r"^1\b"))
    mobile_page.get_by_test_id("menu-button").click()
    queue_link = mobile_page.get_by_test_id("queue-link")
    expect(queue_link).to_be_visible()
    expect(mobile_page.get_by_test_id("queue-awaiting")).to_have_text(re.compile(r"^2\b"))
    expect(mobile_page.get_by_test_id("queue-overdue")).to_be_visible()
    expect(mobile_page.get_by_test_id("approvals-pending")).to_have_text("1")
    expect(mobile_page.get_by_test_id("open-reports")).to_have_text("1")
    panel = mobile_page.locator(".account-menu__panel").bounding_box()
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 360, panel
    _screenshot(mobile_page, f"moderator-menu-360-{language}")

    # Escape closes the menu and gives the focus back to its button.
    mobile_page.keyboard.press("Escape")
    expect(queue_link).to_be_hidden()
    expect(mobile_page.get_by_test_id("menu-button")).to_be_focused()

    mobile_page.get_by_test_id("menu-button").click()
    queue_link.click()
    expect(mobile_page).to_have_url(re.compile(r"/moderation/$"))
    assert _header_height(mobile_page) <= ONE_LINE_MAX_HEIGHT
    mobile_page.locator(".queue-table__title", has_text="Grinder jammed after cleaning").click()
    expect(mobile_page.get_by_role("heading", level=1)).to_have_text(
        "Grinder jammed after cleaning"
    )
    _screenshot(mobile_page, f"moderator-thread-360-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_a_member_opens_the_bell_and_reads_a_notification(
    request, live_server, sign_in, scene, language, viewport
):
    page = request.getfixturevalue("mobile_page" if viewport == "mobile" else "page")
    thread = scene["overdue"]
    services.reply_create(
        author=UserFactory(display_name="Ana Replier"),
        thread=thread,
        body="Unplug it, then turn the **upper burr** anticlockwise.",
    )
    _speak(page, live_server, language)
    sign_in(page, scene["asker"])
    page.goto("/community/")
    bell = page.get_by_test_id("notification-bell")
    expect(bell.get_by_test_id("unread-count")).to_have_text(re.compile(r"^1\b"))

    bell.click()
    menu = page.get_by_test_id("bell-menu")
    expect(menu).to_be_visible()
    expect(bell).to_have_attribute("aria-expanded", "true")
    expect(page).to_have_url(re.compile(r"/community/$"))  # in place, not the page
    item = menu.get_by_test_id("notification")
    expect(item).to_contain_text(SENTENCES[language])
    expect(item.get_by_test_id("notification-excerpt")).to_have_text(
        "Unplug it, then turn the upper burr anticlockwise."
    )
    box = menu.bounding_box()
    width = page.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    _screenshot(page, f"member-bell-{viewport}-{language}")

    # A click elsewhere closes it; the bell opens it again.
    page.mouse.click(4, page.viewport_size["height"] - 4)
    expect(menu).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")
    bell.click()
    menu.get_by_test_id("notification").get_by_role("button").click()

    expect(page).to_have_url(re.compile(rf"/community/t/{thread.pk}/"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["visitor", "member", "moderator"])
def test_the_header_is_one_line_on_a_phone(mobile_page, live_server, sign_in, scene, language, who):
    _speak(mobile_page, live_server, language)
    if who != "visitor":
        sign_in(mobile_page, scene["moderator"] if who == "moderator" else scene["asker"])
    mobile_page.goto("/community/")
    expect(mobile_page.locator("html")).to_have_attribute("lang", language)

    height = _header_height(mobile_page)
    assert height <= ONE_LINE_MAX_HEIGHT, f"the header is {height:.0f}px high for a {who}"
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    _screenshot(mobile_page, f"{who}-360-{language}")

    # The search icon opens the field in the header (a second line only while searching).
    mobile_page.get_by_test_id("search-link").click()
    field = mobile_page.locator("#site-search-q")
    expect(field).to_be_focused()
    field.fill("grinder")
    field.press("Enter")
    expect(mobile_page).to_have_url(re.compile(r"/community/search/\?q=grinder"))


def test_on_a_desktop_the_moderator_sees_the_queue_in_the_line(page, sign_in, scene):
    sign_in(page, scene["moderator"])
    page.goto("/community/")

    header = page.get_by_role("banner")
    expect(header.locator(".site-header__bar-link")).to_contain_text("Queue")
    expect(header.get_by_role("link", name="Community", exact=True)).to_be_visible()
    expect(page.locator("#site-search-q")).to_be_visible()
    expect(page.get_by_test_id("header-user-name")).to_have_text("Camille")
    _screenshot(page, "moderator-1280-en")
    assert _header_height(page) <= ONE_LINE_MAX_HEIGHT
    page.get_by_test_id("menu-button").click()
    _screenshot(page, "moderator-menu-1280-en")
