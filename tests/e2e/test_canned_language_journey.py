"""A moderator answers a French question from the queue: the canned responses offer
the French version first, it goes in with the French category name filled in, and
the official reply reads in French. A French visitor then reads the category names
on /community/ in French. On a desktop and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community import services
from moderation.models import CannedResponse
from tests.e2e import conftest as e2e
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = {"desktop": e2e.DESKTOP_VIEWPORT, "phone": e2e.MOBILE_VIEWPORT}

FRENCH_TITLE = "La buse vapeur crache après le détartrage"


@pytest.fixture
def scene():
    coffee = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    services.translation_ensure(original=coffee, language="fr", values={"name": "Machines à café"})
    asked = timezone.now() - timedelta(hours=3)
    thread = ThreadFactory(
        title=FRENCH_TITLE,
        category=coffee,
        author=UserFactory(username="claire", display_name="Claire Dubois", language="fr"),
        language="fr",
        created_at=asked,
        published_at=asked,
        last_activity_at=asked,
        response_due_at=asked + timedelta(hours=8),
    )
    english = CannedResponse.objects.create(
        title="Thanks, we are on it",
        body="Hello {asker}, our {category} team is on it.\n\n{staff_name}",
    )
    services.translation_ensure(
        original=english,
        language="fr",
        values={
            "title": "Merci, nous nous en occupons",
            "body": "Bonjour {asker}, notre équipe {category} s'en occupe.\n\n{staff_name}",
        },
    )
    return {"thread": thread, "moderator": ModeratorFactory(display_name="Camille")}


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request):
    return VIEWPORTS[request.param]


@pytest.fixture
def moderator_page(request, browser, live_server, viewport):
    yield from e2e._new_page(request, browser, live_server, viewport)


@pytest.fixture
def french_visitor_page(request, browser, live_server, viewport):
    """A visitor whose browser asks for French (Playwright locale fr-FR)."""
    yield from e2e._new_page(request, browser, live_server, viewport, locale="fr-FR")


def test_a_moderator_answers_a_french_thread_with_the_french_canned_response(
    moderator_page, french_visitor_page, sign_in, scene
):
    page = moderator_page
    sign_in(page, scene["moderator"])

    page.goto("/moderation/")
    page.get_by_role("link", name=FRENCH_TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH_TITLE)

    picker = page.get_by_label("Canned response")
    options = picker.locator("option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_text("Merci, nous nous en occupons (French)")
    expect(options.nth(1)).to_have_text("Thanks, we are on it (English)")
    picker.select_option(label="Merci, nous nous en occupons (French)")
    page.get_by_role("button", name="Insert").click()
    body = page.locator("#id_body")
    expect(body).to_have_value(
        "Bonjour Claire Dubois, notre équipe Machines à café s'en occupe.\n\nCamille"
    )
    page.get_by_role("button", name="Post official reply").click()

    official = page.locator(".post--official").last
    expect(official).to_contain_text("Official reply")
    expect(official).to_contain_text("notre équipe Machines à café s'en occupe")
    assert CannedResponse.objects.get(title="Merci, nous nous en occupons").use_count == 1

    visitor = french_visitor_page
    visitor.goto("/community/")
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    row = visitor.locator(".thread-row", has=visitor.get_by_text(FRENCH_TITLE))
    expect(row.get_by_role("link", name="Machines à café")).to_be_visible()
    expect(visitor.get_by_role("link", name="Coffee machines")).to_have_count(0)
