"""The home page's editor journey: an editor signs in to the Wagtail admin, adds a
"Featured threads" section to the home page, picks a thread in the thread chooser
(which never offers a hidden thread) and publishes; a visitor then finds the thread
featured on the home page, and the editor is turned away from the moderation tools."""

import re

import pytest
from playwright.sync_api import Page, expect

from community.models import HomePage, Visibility
from tests.factories import DEFAULT_PASSWORD, CategoryFactory, EditorFactory, ThreadFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scene():
    category = CategoryFactory(name="Espresso machines", slug="espresso-machines")
    return {
        "editor": EditorFactory(username="ines", display_name="Inès Laurent"),
        "home": HomePage.objects.get(),
        "featured": ThreadFactory(
            title="Aurora grinder hums but the burrs never turn", category=category
        ),
        "other": ThreadFactory(title="Which milk jug for latte art?", category=category),
        "hidden": ThreadFactory(
            title="Aurora grinder refunds at a shady shop",
            category=category,
            visibility=Visibility.HIDDEN,
        ),
    }


def _sign_in_to_admin(page: Page, user) -> None:
    """Through Wagtail's own sign-in form, where the admin sends a stranger."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=user.username)).to_be_visible()


def _visitor_page(browser, live_server) -> Page:
    """Someone else's browser, not signed in."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def test_editor_features_a_thread_on_the_home_page_and_a_visitor_sees_it(
    page, browser, live_server, scene
):
    editor, home = scene["editor"], scene["home"]
    featured, other, hidden = scene["featured"], scene["other"], scene["hidden"]
    assert "featured_threads" not in [block.block_type for block in home.body]
    live_before = home.live_revision_id

    _sign_in_to_admin(page, editor)
    page.goto(f"/admin/pages/{home.pk}/edit/")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()

    # The new section goes right after the hero: the body's second "+".
    page.get_by_role("button", name="Insert a block").nth(1).click()
    page.get_by_role("option", name="Featured threads").click()
    page.get_by_role("button", name="Choose a thread").click()

    chooser = page.get_by_role("dialog")
    expect(chooser.get_by_role("heading", name="Choose a thread")).to_be_visible()
    expect(chooser.get_by_role("columnheader")).to_have_text(
        ["Title", "Category", "Replies", "Status"]
    )
    expect(chooser.get_by_role("link", name=other.title)).to_be_visible()

    # A hidden thread is never offered, not even to a search for its very title.
    search = chooser.get_by_label("Search term")
    search.fill(hidden.title)
    expect(chooser).to_contain_text(f'Sorry, there are no matches for "{hidden.title}"')
    expect(chooser.get_by_role("link", name=hidden.title)).to_have_count(0)

    search.fill("aurora grinder")
    expect(chooser).to_contain_text("There is 1 match")
    expect(chooser.get_by_role("link", name=hidden.title)).to_have_count(0)
    expect(chooser.get_by_role("link", name=other.title)).to_have_count(0)
    chooser.get_by_role("link", name=featured.title).click()
    expect(chooser).to_be_hidden()
    expect(page.get_by_role("button", name="Choose a thread")).to_have_count(0)
    expect(page.locator("[data-chooser-title]")).to_have_text([featured.title])

    # Publish sits in the action menu, behind the toggle next to "Save draft".
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Page 'Home' has been published.")

    # The page's row holds its live content. (Not has_unpublished_changes: Wagtail's
    # autosave, debounced, may still send the choice as a draft while Publish navigates.)
    home.refresh_from_db()
    assert home.live and home.live_revision_id not in (None, live_before)
    assert [block.block_type for block in home.body][:2] == ["hero", "featured_threads"]
    assert [thread.pk for thread in home.body[1].value["threads"]] == [featured.pk]

    visitor = _visitor_page(browser, live_server)
    try:
        visitor.goto("/")
        section = visitor.locator(
            "section",
            has=visitor.get_by_role("heading", name="Featured discussions", level=2),
        )
        expect(section).to_have_count(1)
        link = section.get_by_role("link", name=featured.title)
        expect(link).to_have_attribute("href", featured.get_absolute_url())
        expect(section.get_by_role("link", name=hidden.title)).to_have_count(0)
        link.click()
        expect(visitor).to_have_url(f"{live_server.url}{featured.get_absolute_url()}")
        expect(visitor.get_by_role("heading", level=1)).to_have_text(featured.title)
    finally:
        visitor.context.close()

    # Working in the admin does not make one a moderator.
    response = page.goto("/moderation/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text("Only moderators can open the moderation tools.")
