"""Issue 5's journeys: a member about to ask finds their answer in the suggestions as
they type the title, opens it in a new tab and says it solved their problem (their
question stays as typed); a visitor searches from the header, reads the highlighted
excerpt and opens the thread; the category filter narrows the results."""

import re

import pytest
from playwright.sync_api import Page, expect

from community import services
from community.models import Deflection
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SOLVED_TITLE = "Barista 3 shows error E04 after descaling"
OPEN_TITLE = "Barista 3 error E04 after descaling, again"
BLENDER_TITLE = "Blender Pro shows error E04 when crushing ice"
TYPED_TITLE = "Barista 3 error E04 after descaling"


@pytest.fixture
def scene():
    """Threads written through the services, so the search index follows on commit."""
    coffee = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    blenders = CategoryFactory(name="Blenders", slug="blenders")
    asker = UserFactory(username="oliver", display_name="Oliver Bennett")
    helper = UserFactory(username="grace", display_name="Grace O'Neill")
    other = UserFactory(username="paul", display_name="Paul Martin")
    solved = services.thread_create(
        author=asker,
        category=coffee,
        title=SOLVED_TITLE,
        body="Since I descaled it, the display shows E04 and the pump stays silent.",
    )
    answer = services.reply_create(
        author=helper,
        thread=solved,
        body="Run two rinse cycles with the steam knob open: the E04 goes away.",
    )
    services.thread_accept_reply(user=asker, thread=solved, reply=answer)
    # Asked later and worded almost the same, but nobody has solved it.
    unsolved = services.thread_create(
        author=other,
        category=coffee,
        title=OPEN_TITLE,
        body="Error E04 after descaling my Barista 3. Any idea?",
    )
    blender = services.thread_create(
        author=other,
        category=blenders,
        title=BLENDER_TITLE,
        body="The error E04 comes up as soon as I put ice cubes in.",
    )
    return {
        "member": UserFactory(username="nadia", display_name="Nadia Rossi"),
        "solved": solved,
        "unsolved": unsolved,
        "blender": blender,
    }


def _screenshot(page: Page, name: str) -> None:
    """The conftest photographs only the `page` fixture; this is for the other tabs."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
    except Exception as error:  # the test's own failure matters more
        print(f"Could not save a screenshot of {name}: {error}")


def test_member_about_to_ask_finds_the_solved_thread_and_says_it_solved_the_problem(
    page, sign_in, scene
):
    member, solved = scene["member"], scene["solved"]
    sign_in(page, member)

    page.goto("/community/ask/")
    title = page.get_by_label("Title")
    title.press_sequentially(TYPED_TITLE, delay=40)

    suggestions = page.locator("#ask-suggestions")
    expect(suggestions.get_by_role("heading", name="Maybe already answered")).to_be_visible()
    items = suggestions.locator(".suggestion")
    expect(items).to_have_count(2)
    first = items.first
    expect(first.get_by_role("link")).to_contain_text(SOLVED_TITLE)
    expect(first.locator(".badge--solved")).to_have_text(re.compile("Solved"))
    expect(items.nth(1).get_by_role("link")).to_contain_text(OPEN_TITLE)
    expect(items.nth(1).locator(".badge--solved")).to_have_count(0)
    # The blender thread shares only "error E04": not close enough to suggest.
    expect(suggestions).not_to_contain_text(BLENDER_TITLE)

    link = first.get_by_role("link", name=SOLVED_TITLE)
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as new_page_info:
        link.click()
    tab = new_page_info.value
    try:
        tab.wait_for_load_state()
        expect(tab).to_have_url(re.compile(rf"{re.escape(solved.get_absolute_url())}\?from=ask$"))
        expect(tab.get_by_role("heading", level=1)).to_have_text(SOLVED_TITLE)
        answered = tab.get_by_role("complementary", name="Did this answer your question?")
        answered.get_by_role("button", name="Yes, this solved my problem").click()
        expect(tab.locator(".messages")).to_contain_text("Glad it is solved!")
        # Back on the thread's own address: the question is not put a second time.
        expect(tab).to_have_url(re.compile(rf"{re.escape(solved.get_absolute_url())}$"))
        expect(tab.get_by_role("button", name="Yes, this solved my problem")).to_have_count(0)
    except Exception:
        _screenshot(tab, "test_member_about_to_ask_new_tab")
        raise

    assert Deflection.objects.filter(member=member, thread=solved).count() == 1
    assert Deflection.objects.count() == 1
    # Nothing the member typed is lost: the ask tab still holds the title.
    expect(page).to_have_url(re.compile(r"/community/ask/$"))
    expect(title).to_have_value(TYPED_TITLE)
    tab.close()


def test_visitor_searches_from_the_header_reads_the_highlights_and_opens_the_thread(page, scene):
    solved = scene["solved"]
    page.goto("/community/")
    header = page.get_by_role("banner")
    box = header.get_by_role("searchbox", name="Search the community")
    box.press_sequentially("pump silent", delay=20)
    header.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/community/search/\?q=pump\+silent$"))
    expect(page.get_by_role("heading", name="1 discussion found")).to_be_visible()
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.get_by_role("link", name=SOLVED_TITLE)).to_be_visible()
    marks = result.locator(".search-result__excerpt mark")
    expect(marks).to_have_text(["pump", "silent"])
    expect(result.locator(".badge--solved")).to_be_visible()
    # The query stays in the header box, ready to be refined.
    expect(box).to_have_value("pump silent")

    result.get_by_role("link", name=SOLVED_TITLE).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(solved.get_absolute_url())}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SOLVED_TITLE)
    # A visitor who did not come from the ask page is not asked whether it solved anything.
    expect(page.get_by_role("button", name="Yes, this solved my problem")).to_have_count(0)


def test_the_category_filter_narrows_the_search_results(page, scene):
    page.goto("/community/search/?q=error+E04")
    results = page.locator(".search-result .thread-row__title")
    expect(page.get_by_role("heading", name="3 discussions found")).to_be_visible()
    expect(results).to_have_count(3)

    page.get_by_label("Category").select_option(label="Blenders")
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"[?&]category=blenders(&|$)"))
    expect(page.get_by_role("heading", name="1 discussion found")).to_be_visible()
    expect(results).to_have_text([BLENDER_TITLE])
    expect(page.get_by_label("Category")).to_have_value("blenders")

    page.get_by_role("link", name="Clear filters").click()
    expect(results).to_have_count(3)


def test_on_a_phone_the_first_result_shows_without_scrolling(mobile_page, scene):
    """A customer searching on a phone sees the first answer at once, not the form."""
    mobile_page.goto("/community/search/?q=descaling")
    first = mobile_page.locator(".search-result").first
    expect(first.locator(".thread-row__title a")).to_be_visible()
    _screenshot(mobile_page, "search_on_a_phone")

    box = first.bounding_box()
    viewport = mobile_page.viewport_size
    assert box is not None
    # The first result's title, at least, is above the fold before any scrolling.
    assert mobile_page.evaluate("window.scrollY") == 0
    title = first.locator(".thread-row__title").bounding_box()
    assert title["y"] + title["height"] <= viewport["height"], (box, viewport)
    assert box["y"] < viewport["height"] * 0.75, (box, viewport)
    # The filters are still at hand.
    expect(mobile_page.get_by_label("Category")).to_be_attached()


def test_a_category_name_finds_its_threads_and_the_category_itself(page, scene):
    page.goto("/community/search/?q=MACHINES")
    expect(page.get_by_role("heading", name="2 discussions found")).to_be_visible()
    offered = page.get_by_role("navigation", name="Matching categories")
    offered.get_by_role("link", name=re.compile("Coffee machines")).click()
    expect(page).to_have_url(re.compile(r"/community/c/coffee-machines/$"))
