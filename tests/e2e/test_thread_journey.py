"""The thread page on a phone and a desktop: the status badges lead to the answers,
a phone gets a "Jump to the solution" link, and an asker learns when to expect
the brand's answer."""

import re

import pytest
from playwright.sync_api import Page, expect

from community import services
from community.models import CommunitySettings
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUESTION = "The milk frother only makes warm milk.\n\n" + "\n\n".join(
    f"Step {number}: I tried it again, with fresh cold milk and a clean whisk."
    for number in range(12)
)


@pytest.fixture
def brand():
    rules = CommunitySettings.load()
    rules.community_name = "Maison Brio"
    rules.save(update_fields=["community_name"])


@pytest.fixture
def solved_thread(brand):
    asker = UserFactory()
    thread = services.thread_create(
        author=asker,
        category=CategoryFactory(name="Milk frothers", slug="frothers"),
        title="The milk frother does not froth",
        body=QUESTION,
    )
    peer = services.reply_create(
        author=UserFactory(), thread=thread, body="Descale the whisk: it fixed mine."
    )
    official = services.reply_create(
        author=ModeratorFactory(display_name="Camille from Maison Brio"),
        thread=thread,
        body="Thanks for the details! Descaling the whisk is the right fix.",
    )
    services.thread_accept_reply(user=asker, thread=thread, reply=peer)
    return thread, peer, official


def _in_viewport(page: Page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top < window.innerHeight && box.bottom > 0;
        }""",
        selector,
    )


def test_on_a_desktop_the_badges_lead_to_the_solution_and_the_official_reply(
    page: Page, solved_thread
):
    thread, _peer, official = solved_thread
    page.goto(thread.get_absolute_url())

    expect(page.get_by_test_id("jump-to-solution")).to_be_hidden()
    official_badge = page.get_by_test_id("official-badge")
    expect(official_badge).to_have_attribute("href", f"#reply-{official.pk}")
    expect(page.locator(f"#reply-{official.pk} .official-banner")).to_have_text(
        "Official reply · Maison Brio"
    )

    page.get_by_test_id("solved-badge").click()
    expect(page).to_have_url(re.compile(r"#solution$"))
    expect(page.locator("#solution")).to_contain_text("Descale the whisk")
    assert _in_viewport(page, "#solution")

    official_badge.click()
    expect(page).to_have_url(re.compile(rf"#reply-{official.pk}$"))
    assert _in_viewport(page, f"#reply-{official.pk}")


def test_on_a_phone_the_jump_link_leads_to_the_solution(mobile_page: Page, solved_thread):
    thread, *_ = solved_thread
    mobile_page.goto(thread.get_absolute_url())
    assert not _in_viewport(mobile_page, "#solution")  # the long question comes first

    jump = mobile_page.get_by_test_id("jump-to-solution")
    expect(jump).to_be_visible()
    expect(mobile_page.get_by_test_id("solved-badge")).to_have_attribute("href", "#solution")
    jump.click()

    expect(mobile_page).to_have_url(re.compile(r"#solution$"))
    assert _in_viewport(mobile_page, "#solution")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("device", ["mobile_page", "page"])
def test_an_asker_learns_when_to_expect_the_answer(request, device, sign_in, brand):
    page = request.getfixturevalue(device)
    category = CategoryFactory(name="Coffee grinders", slug="grinders", first_response_hours=8)
    asker = UserFactory()
    sign_in(page, asker)

    page.goto("/community/ask/")
    page.get_by_label("Title").fill("The grinder stops after two seconds")
    page.get_by_label("Category").select_option(str(category.pk))
    page.locator("textarea[name=body]").fill("It hums, then stops. The beans are dry.")
    page.get_by_role("button", name=re.compile(r"^Post")).click()

    expect(page).to_have_url(re.compile(r"/community/t/\d+/"))
    note = page.get_by_test_id("expected-reply")
    expect(note).to_be_visible()
    expect(note).to_contain_text("The team usually replies within 8 hours.")

    # Another member reading the same thread is not told this.
    url = page.url
    other = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        visitor = other.new_page()
        visitor.goto(url)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            "The grinder stops after two seconds"
        )
        expect(visitor.get_by_test_id("expected-reply")).to_have_count(0)
    finally:
        other.close()
