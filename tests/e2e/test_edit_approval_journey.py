"""A new member's edit that pre-moderation holds: the author adds shop links to a
public reply, everyone still reads the old version, a moderator compares both on
the approvals page and approves; a second change is kept out, and the author reads
why on the edit page."""

import pytest
from playwright.sync_api import expect

from community import services
from community.models import CommunitySettings, ProposedEdit
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRST_CHANGE = (
    "Clean the burrs. Spare parts: https://one.example https://two.example https://three.example"
)
SECOND_CHANGE = FIRST_CHANGE + " https://four.example/cheap"
REASON = "Please link to the brand's own spare parts page."


@pytest.fixture
def scene():
    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 0
    rules.premoderation_new_member_posts = 10
    rules.premoderation_max_links = 2
    rules.save()
    moderator = ModeratorFactory(display_name="Camille from Care")
    thread = services.thread_create(
        author=moderator,
        category=CategoryFactory(name="Grinders", slug="grinders"),
        title="The grinder stalls on fine settings",
        body="Tell us what worked for you.",
    )
    newcomer = UserFactory(username="nina", display_name="Nina Newcomer")
    reply = services.reply_create(author=newcomer, thread=thread, body="Clean the burrs.")
    return {"moderator": moderator, "newcomer": newcomer, "thread": thread, "reply": reply}


@pytest.mark.parametrize("mobile", [True, False], ids=["360px", "1280px"])
def test_a_held_edit_waits_is_approved_and_a_second_is_kept_out_with_a_reason(
    browser_page, sign_in, scene, mobile
):
    reply, thread = scene["reply"], scene["thread"]

    page = browser_page(mobile=mobile)
    sign_in(page, scene["newcomer"])
    page.goto(f"/community/r/{reply.pk}/edit/")
    page.get_by_label("Your reply").fill(FIRST_CHANGE)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("waits for a moderator's approval")
    expect(page.locator(f"#reply-{reply.pk}")).not_to_contain_text("three.example")

    staff = browser_page(mobile=mobile)
    sign_in(staff, scene["moderator"])
    staff.goto("/moderation/approvals/")
    change = staff.get_by_test_id("approval-edit")
    expect(change).to_contain_text("Change to a reply")
    expect(change.get_by_test_id("proposed-body")).to_contain_text("three.example")
    change.get_by_role("button", name="Approve the change").click()
    expect(staff.locator(".messages")).to_contain_text("Approved")
    expect(staff.get_by_test_id("approval-edit")).to_have_count(0)

    visitor = browser_page(mobile=mobile)
    visitor.goto(thread.get_absolute_url())
    expect(visitor.locator(f"#reply-{reply.pk}")).to_contain_text("three.example")

    page.goto(f"/community/r/{reply.pk}/edit/")
    page.get_by_label("Your reply").fill(SECOND_CHANGE)
    page.get_by_role("button", name="Save changes").click()
    page.goto(f"/community/r/{reply.pk}/edit/")
    expect(page.get_by_test_id("edit-waiting")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value(SECOND_CHANGE)

    staff.goto("/moderation/approvals/")
    change = staff.get_by_test_id("approval-edit")
    change.locator("summary", has_text="Keep it as it was").click()
    change.get_by_role("textbox").fill(REASON)
    change.get_by_role("button", name="Keep it as it was").last.click()
    expect(staff.locator(".messages")).to_contain_text("Not approved")

    page.goto(f"/community/r/{reply.pk}/edit/")
    expect(page.get_by_test_id("edit-not-approved")).to_contain_text(REASON)
    reply.refresh_from_db()
    assert reply.body == FIRST_CHANGE
    assert list(ProposedEdit.objects.order_by("pk").values_list("status", flat=True)) == [
        "approved",
        "rejected",
    ]
