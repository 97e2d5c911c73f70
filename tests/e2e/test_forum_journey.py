"""Issue 3's journey, with htmx on: ask, a peer answers, staff answer and recommend,
the asker marks helpful and accepts, a visitor reads it on a desktop and a phone,
and the asker hears about it (bell, notification list, e-mail)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from community.models import HelpfulVote, Reply, Thread
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "e2e"
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
SMALL_SCREEN_WIDTH = 360
TIMEOUT_MS = 10_000

TITLE = "Descale light keeps blinking on my Barista Pro"
BODY = (
    "The **descale** light keeps blinking after I ran the full descaling cycle twice.\n\n"
    "- water tank refilled\n- machine switched off and on\n\nWhat else can I try?"
)
PEER_ANSWER = "Hold the *1 cup* and *2 cups* buttons together for five seconds: it resets."
OFFICIAL_ANSWER = (
    "Thanks for the details! Paul's reset is the right fix; we are updating the manual."
)
THREAD_PATH = re.compile(r"/community/t/(\d+)/([\w-]+)/")
SOLUTION_BADGE = re.compile(r"^(✓\s*)?Solution$")
SITE_LINK = re.compile(r"https?://\S+")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/accounts/unsubscribe/[^\s/]+/")


@pytest.fixture
def open_browser(request, browser, live_server):
    """Opens a new browser context (another person's browser); screenshots each on failure."""
    pages: list[tuple[str, Page]] = []

    def open_(name: str) -> Page:
        context = browser.new_context(
            viewport=DESKTOP_VIEWPORT, locale="en-US", base_url=live_server.url
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        pages.append((name, page))
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    for name, page in pages:
        if report is not None and report.failed:
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(
                    path=str(ARTIFACTS_DIR / f"forum-journey-{name}.png"), full_page=True
                )
            except Exception as error:  # a broken page must not hide the test's own failure
                print(f"Could not save a screenshot of {name}'s page: {error}")
        page.context.close()


def _mark_page(page: Page) -> None:
    """Leaves a mark on the window: a full page load wipes it, an htmx swap keeps it."""
    page.evaluate("window.__journeyNoReload = true")


def _assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__journeyNoReload === true"), "the page reloaded"


def _reply(page: Page, reply_id: int):
    return page.locator(f"#reply-{reply_id}")


def _assert_featured_above_all_replies(page: Page, featured_name: str) -> None:
    featured = page.get_by_role("region", name=featured_name)
    all_replies = page.get_by_role("heading", name="All replies", level=2)
    expect(featured).to_be_visible()
    featured_box, replies_box = featured.bounding_box(), all_replies.bounding_box()
    assert featured_box and replies_box
    assert featured_box["y"] + featured_box["height"] <= replies_box["y"], (
        "the featured answers are not above “All replies”"
    )


def _assert_public_thread_page(page: Page, peer_reply: Reply, official_reply: Reply) -> None:
    community = settings.WAGTAIL_SITE_NAME
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("header.page-header").get_by_text("Solved")).to_be_visible()

    heading = "Solution and recommended answers"
    _assert_featured_above_all_replies(page, heading)
    solution = page.get_by_role("region", name=heading).get_by_role("article", name="Solution")
    expect(solution).to_have_count(1)
    expect(solution).to_contain_text("1 cup")
    expect(solution.get_by_text(SOLUTION_BADGE)).to_be_visible()
    expect(solution.get_by_text("accepted by the asker")).to_be_visible()
    expect(solution.get_by_text(f"Recommended by {community}")).to_be_visible()

    official = _reply(page, official_reply.pk)
    expect(official.locator(".official-banner")).to_have_text(f"Official reply · {community}")
    expect(official.locator(".official-banner")).to_be_visible()
    expect(official.get_by_text("Staff", exact=True)).to_be_visible()
    expect(_reply(page, peer_reply.pk).get_by_text(f"Recommended by {community}")).to_be_visible()


def test_forum_journey_ask_answer_recommend_accept_read_and_get_notified(
    page, mobile_page, open_browser, sign_in, live_server, mailoutbox
):
    community = settings.WAGTAIL_SITE_NAME
    CategoryFactory(name="Espresso machines", slug="espresso-machines")
    asker = UserFactory(display_name="Alice Asker")
    peer = UserFactory(display_name="Paul Peer")
    moderator = ModeratorFactory(display_name="Morgan Staff")

    # 1. The asker asks, with a preview on the way (htmx: no reload).
    sign_in(page, asker)
    page.goto("/community/ask/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Details", exact=True).fill(BODY)
    page.get_by_label("Category", exact=True).select_option(label="Espresso machines")
    page.get_by_label("Tags", exact=True).fill("Espresso, Descaling")
    _mark_page(page)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("descale")
    expect(page.locator("#preview li")).to_have_count(2)
    _assert_not_reloaded(page)
    expect(page).to_have_url(re.compile(r"/community/ask/$"))

    page.get_by_role("button", name="Post your question").click()
    expect(page).to_have_url(re.compile(rf"{THREAD_PATH.pattern}$"))
    thread = Thread.objects.get(title=TITLE)
    thread_url = thread.get_absolute_url()
    assert urlsplit(page.url).path == thread_url
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#question strong")).to_have_text("descale")
    tags = page.get_by_role("list", name="Tags").get_by_role("link")
    expect(tags).to_have_text(["espresso", "descaling"])

    # 2. A peer answers; they may neither mark their own reply helpful nor accept it.
    peer_page = open_browser("peer")
    sign_in(peer_page, peer)
    peer_page.goto(thread_url)
    peer_page.get_by_role("textbox", name="Your reply").fill(PEER_ANSWER)
    peer_page.get_by_role("button", name="Post reply").click()
    peer_reply = Reply.objects.get(thread=thread, author=peer)
    expect(peer_page).to_have_url(re.compile(rf"{re.escape(thread_url)}#reply-{peer_reply.pk}$"))
    own_reply = _reply(peer_page, peer_reply.pk)
    expect(own_reply).to_contain_text("five seconds")
    expect(own_reply.get_by_role("button", name=re.compile("Helpful"))).to_have_count(0)
    expect(own_reply.get_by_role("button", name=re.compile("Accept as solution"))).to_have_count(0)
    expect(own_reply.get_by_role("button", name=re.compile("Recommend"))).to_have_count(0)

    # 3. Staff answer officially, then recommend the peer's answer.
    staff_page = open_browser("moderator")
    sign_in(staff_page, moderator)
    staff_page.goto(thread_url)
    staff_page.get_by_role("textbox", name="Your reply").fill(OFFICIAL_ANSWER)
    staff_page.get_by_role("button", name="Post official reply").click()
    official_reply = Reply.objects.get(thread=thread, author=moderator)
    assert official_reply.is_official
    expect(staff_page).to_have_url(re.compile(rf"#reply-{official_reply.pk}$"))
    official = _reply(staff_page, official_reply.pk)
    expect(official.locator(".official-banner")).to_have_text(f"Official reply · {community}")
    expect(official.get_by_text("Staff", exact=True)).to_be_visible()
    # Official replies speak for the brand already: only peers' replies can be recommended.
    expect(official.get_by_role("button", name=re.compile("Recommend"))).to_have_count(0)

    _mark_page(staff_page)
    _reply(staff_page, peer_reply.pk).get_by_role("button", name="Recommend").click()
    expect(staff_page.get_by_role("heading", name="Recommended answers")).to_be_visible()
    _assert_not_reloaded(staff_page)
    expect(
        _reply(staff_page, peer_reply.pk).get_by_text(f"Recommended by {community}")
    ).to_be_visible()
    expect(
        _reply(staff_page, peer_reply.pk).get_by_role("button", name="Undo recommendation")
    ).to_be_visible()

    # 4. The asker marks the peer's answer helpful (in place), cannot say "me too", accepts it.
    page.goto(thread_url)
    helpful = page.locator(f"#helpful-{peer_reply.pk}").get_by_role("button", name="Helpful")
    expect(helpful).to_have_attribute("aria-pressed", "false")
    expect(helpful.get_by_test_id("helpful-count")).to_have_text("0")
    _mark_page(page)
    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.get_by_test_id("helpful-count")).to_have_text("1")
    _assert_not_reloaded(page)
    assert HelpfulVote.objects.filter(reply=peer_reply, user=asker).count() == 1

    thread_actions = page.locator("#thread-actions")
    expect(thread_actions.get_by_role("button", name=re.compile("problem too"))).to_have_count(0)
    expect(thread_actions.get_by_test_id("me-too-count")).to_have_text("1 member has this problem")

    _reply(page, peer_reply.pk).get_by_role("button", name="Accept as solution").click()
    expect(page.get_by_role("heading", name="Solution and recommended answers")).to_be_visible()
    # The page is updated in place: the solution moves up without a reload.
    _assert_not_reloaded(page)
    expect(page).to_have_url(re.compile(rf"{re.escape(thread_url)}$"))
    solution = page.get_by_role("region", name="Solution and recommended answers").get_by_role(
        "article", name="Solution"
    )
    expect(solution.get_by_text(SOLUTION_BADGE)).to_be_visible()
    expect(solution.get_by_text("accepted by the asker")).to_be_visible()
    _assert_featured_above_all_replies(page, "Solution and recommended answers")
    expect(_reply(page, peer_reply.pk).get_by_role("button", name="Undo solution")).to_be_visible()
    thread.refresh_from_db()
    assert thread.solution_id == peer_reply.pk
    assert thread.solution_marked_by_id == asker.pk

    # 5. A visitor reads the answered thread, on a desktop and on a small phone.
    visitor_page = open_browser("visitor")
    visitor_page.goto(thread_url)
    _assert_public_thread_page(visitor_page, peer_reply, official_reply)
    expect(visitor_page.get_by_role("link", name="Sign in to reply")).to_be_visible()
    expect(visitor_page.get_by_role("button", name="Accept as solution")).to_have_count(0)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    visitor_page.screenshot(path=str(ARTIFACTS_DIR / "forum-journey-desktop.png"), full_page=True)

    mobile_page.goto(thread_url)
    _assert_public_thread_page(mobile_page, peer_reply, official_reply)
    scroll_width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= SMALL_SCREEN_WIDTH, (
        f"the thread is {scroll_width}px wide on a {SMALL_SCREEN_WIDTH}px screen"
    )
    for element in (
        mobile_page.get_by_role("region", name="Solution and recommended answers"),
        _reply(mobile_page, official_reply.pk).locator(".official-banner"),
    ):
        box = element.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= SMALL_SCREEN_WIDTH, box
    mobile_page.screenshot(path=str(ARTIFACTS_DIR / "forum-journey-mobile.png"), full_page=True)

    # 6. The asker heard about it: the bell, the notification list, e-mails. Back on
    # the thread since, they have read them: reading a thread reads its notifications.
    # Only the question that came with accepting is new: how satisfied are they?
    page.goto("/community/")
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    page.get_by_test_id("notification-bell").click()  # the latest, in place
    page.get_by_test_id("bell-menu-all").click()
    expect(page).to_have_url(re.compile(r"/community/notifications/$"))
    notifications = page.locator(".notification-list")
    expect(notifications).to_contain_text(f"Paul Peer replied to “{TITLE}”")
    expect(notifications).to_contain_text(f"Morgan Staff posted an official reply to “{TITLE}”")
    unread = page.locator(".notification--unread")
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text(f"How satisfied are you with the help you got on “{TITLE}”?")

    to_asker = [message for message in mailoutbox if asker.email in message.to]
    assert len(to_asker) >= 2, [(message.to, message.subject) for message in mailoutbox]
    for message in to_asker:
        assert TITLE in message.body, message.body
        assert UNSUBSCRIBE_LINK.search(message.body), message.body
        assert "List-Unsubscribe" in message.extra_headers, message.extra_headers
    official_mail = next(m for m in to_asker if "official reply" in m.subject.lower())
    # The link in the e-mail leads to the thread (at the reply it is about).
    link = next(
        url
        for url in SITE_LINK.findall(official_mail.body)
        if "/community/" in url and "/accounts/" not in url
    )
    page.goto(urlsplit(link).path)
    expect(page).to_have_url(re.compile(rf"{re.escape(thread_url)}#reply-{official_reply.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    # The unsubscribe link works without signing in (it asks to confirm; not submitted here).
    unsubscribe = UNSUBSCRIBE_LINK.search(official_mail.body).group(0)
    visitor_page.goto(urlsplit(unsubscribe).path)
    expect(visitor_page.get_by_role("main").get_by_role("button")).to_have_count(1)

    # The desktop screenshot again, as the asker sees the solved thread.
    page.goto(thread_url)
    expect(page.get_by_role("heading", name="Solution and recommended answers")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS_DIR / "forum-journey-asker-desktop.png"), full_page=True)
    # ... and on a small phone, with the reply form and the action buttons.
    page.set_viewport_size({"width": SMALL_SCREEN_WIDTH, "height": 740})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= SMALL_SCREEN_WIDTH, (
        f"the asker's thread page is {scroll_width}px wide on a {SMALL_SCREEN_WIDTH}px screen"
    )
    page.screenshot(path=str(ARTIFACTS_DIR / "forum-journey-asker-mobile.png"), full_page=True)
