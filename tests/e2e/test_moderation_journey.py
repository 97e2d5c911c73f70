"""Issue 4's journey: a moderator works the official-reply queue (filters overdue,
claims the oldest thread, answers it from a canned response made personal), then a
member reports a reply, the moderator hides it, its author reads why, and the
moderator restores it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from community.markdown import render_markdown
from community.models import Reply, Thread, Visibility
from moderation.models import CannedResponse, Report
from moderation.selectors import awaiting_official_reply
from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CANNED_BODY = (
    "Hello {asker}, thank you for reporting “{thread_title}”. "
    "Our {category} team is on it.\n\n{staff_name}"
)
PERSONAL_TOUCH = "PS: a new filter is on its way to you, free of charge."
SPAM = "Cheap filters at https://filters.example, use code SAVE50!"
HIDE_REASON = "Advertising another shop"


def _asked(*, hours_ago: float, title: str, category, author) -> Thread:
    asked = timezone.now() - timedelta(hours=hours_ago)
    return ThreadFactory(
        title=title,
        category=category,
        author=author,
        created_at=asked,
        published_at=asked,
        last_activity_at=asked,
        response_due_at=asked + timedelta(hours=24),
    )


@pytest.fixture
def scene():
    category = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    asker = UserFactory(username="oliver", display_name="Oliver Bennett")
    oldest = _asked(
        hours_ago=50, title="Grinder jammed after cleaning", category=category, author=asker
    )
    late = _asked(hours_ago=30, title="Milk frother sputters", category=category, author=asker)
    fresh = _asked(hours_ago=2, title="Which descaler to buy?", category=category, author=asker)
    CannedResponse.objects.create(title="Thanks, we are on it", category=None, body=CANNED_BODY)
    CannedResponse.objects.create(
        title="Blender warranty",
        category=CategoryFactory(name="Blenders", slug="blenders"),
        body="Not for coffee threads.",
    )
    spammer = UserFactory(username="paul", display_name="Paul Martin")
    spam = ReplyFactory(thread=fresh, author=spammer, body=SPAM, body_html=render_markdown(SPAM))
    Thread.objects.filter(pk=fresh.pk).update(reply_count=1)
    return {
        "moderator": ModeratorFactory(username="camille", display_name="Camille"),
        "reporter": UserFactory(username="grace", display_name="Grace O'Neill"),
        "spammer": spammer,
        "oldest": oldest,
        "late": late,
        "fresh": fresh,
        "spam": spam,
    }


def _queue_titles(page: Page) -> list[str]:
    return page.locator(".queue-table__title").all_inner_texts()


def test_moderator_answers_the_oldest_overdue_thread_with_a_personal_canned_reply(
    page, browser, live_server, sign_in, scene
):
    moderator, oldest = scene["moderator"], scene["oldest"]
    sign_in(page, moderator)

    page.goto("/moderation/")
    expect(page.get_by_test_id("queue-overdue")).to_contain_text("2")
    assert _queue_titles(page) == [oldest.title, scene["late"].title, scene["fresh"].title]

    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".queue-table__title")).to_have_count(2)
    assert _queue_titles(page) == [oldest.title, scene["late"].title]

    oldest_row = page.locator("tr", has=page.get_by_role("link", name=oldest.title))
    oldest_row.get_by_role("button", name="Claim").click()
    expect(oldest_row.get_by_test_id("assignee")).to_contain_text("You")
    oldest.refresh_from_db()
    assert oldest.assigned_to_id == moderator.pk

    oldest_row.get_by_role("link", name=oldest.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(oldest.title)
    expect(page.get_by_test_id("assignment").first).to_contain_text("You are on this thread")
    picker = page.get_by_label("Canned response")
    # Only the general response and the thread's own category's are offered.
    expect(picker.locator("option")).to_have_count(1)
    picker.select_option(label="Thanks, we are on it (English)")
    page.get_by_role("button", name="Insert").click()
    body = page.locator("#id_body")
    expect(body).to_have_value(
        "Hello Oliver Bennett, thank you for reporting “Grinder jammed after cleaning”. "
        "Our Coffee machines team is on it.\n\nCamille"
    )
    body.press("End")
    body.press_sequentially(f"\n\n{PERSONAL_TOUCH}")
    page.get_by_role("button", name="Post official reply").click()

    official = page.locator(".post--official").last
    expect(official).to_contain_text("Official reply")
    expect(official).to_contain_text(PERSONAL_TOUCH)
    expect(official).to_contain_text("Hello Oliver Bennett")
    expect(page.locator("header.page-header .badge--official")).to_be_visible()
    assert CannedResponse.objects.get(title="Thanks, we are on it").use_count == 1

    page.goto("/moderation/?filter=overdue")
    assert _queue_titles(page) == [scene["late"].title]
    assert not awaiting_official_reply().filter(pk=oldest.pk).exists()


def _open_as(browser, live_server, sign_in, user) -> Page:
    """Another person's browser, signed in as `user`."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, user)
    return page


def test_member_reports_a_reply_the_moderator_hides_it_the_author_reads_why_and_it_comes_back(
    page, browser, live_server, sign_in, scene
):
    fresh, spam = scene["fresh"], scene["spam"]

    sign_in(page, scene["reporter"])
    page.goto(fresh.get_absolute_url())
    page.locator(f"#reply-{spam.pk}").get_by_test_id("report-link").click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything a moderator should know?").fill("Links to another shop.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".messages")).to_contain_text("moderator")
    assert Report.objects.filter(reply=spam, status=Report.Status.OPEN).count() == 1

    staff = _open_as(browser, live_server, sign_in, scene["moderator"])
    try:
        staff.goto("/moderation/reports/")
        expect(staff.get_by_test_id("open-report-count")).to_contain_text("1 open report")
        item = staff.locator("article, li, tr", has_text=SPAM[:20]).last
        item.locator("summary", has_text="Hide").click()
        item.get_by_role("textbox").fill(HIDE_REASON)
        item.get_by_role("button", name="Hide").last.click()
        spam.refresh_from_db()
        assert spam.visibility == Visibility.HIDDEN
        assert spam.hidden_reason == HIDE_REASON

        author = _open_as(browser, live_server, sign_in, scene["spammer"])
        try:
            author.goto(fresh.get_absolute_url())
            own = author.locator(f"#reply-{spam.pk}")
            expect(own).to_contain_text("Hidden by a moderator")
            expect(own).to_contain_text(HIDE_REASON)
        finally:
            author.context.close()

        page.goto(fresh.get_absolute_url())
        expect(page.locator(f"#reply-{spam.pk}")).to_have_count(0)

        staff.goto(fresh.get_absolute_url())
        staff.locator(f"#reply-{spam.pk}").get_by_role("button", name="Restore").click()
        spam.refresh_from_db()
        assert spam.visibility == Visibility.VISIBLE
        page.goto(fresh.get_absolute_url())
        expect(page.locator(f"#reply-{spam.pk}")).to_contain_text("filters.example")
        assert Reply.objects.filter(pk=spam.pk).exists()
    finally:
        staff.context.close()
