"""The help widget on a brand's page: the pretend brand site of the local run
(community.config.embed_demo), served on another port, so another origin than the
community, embeds the widget as the README shows; a customer finds an answer, then
asks, signed in by the brand's hand-off token."""

import socket

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from community import services
from community.config import embed_demo
from community.models import EmbedSettings, Thread, WidgetVisit
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRET = "e2e-handoff-secret-at-least-32-bytes-long"
SOLVED_TITLE = "Brio One shows E04 after descaling"
ASKED_TITLE = "Grinder hums, beans stay whole"
PANEL_TITLE = "Help from the community"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def brand_site(live_server, settings):
    """The brand's page on another port of this machine, listed by editors, signing
    the hand-off token with the secret the community shares."""
    settings.EMBED_HANDOFF_SECRET = SECRET
    settings.EMBED_HANDOFF_PUBLIC_KEY = ""
    coffee = CategoryFactory(name="Coffee machines", slug="coffee-machines")
    asker = UserFactory(username="oliver", display_name="Oliver Bennett")
    solved = services.thread_create(
        author=asker,
        category=coffee,
        title=SOLVED_TITLE,
        body="Since I descaled it, the display shows E04 and the pump stays silent.",
    )
    answer = services.reply_create(
        author=ModeratorFactory(display_name="Maison Brio team"),
        thread=solved,
        body="Run two rinse cycles with the steam knob open: the E04 goes away.",
    )
    services.thread_accept_reply(user=asker, thread=solved, reply=answer)
    port = free_port()
    # Same machine, another port: another origin. The community is served as
    # "localhost" by the live server, so the brand's page is too (the same site, as a
    # brand's community on a subdomain of its own domain is).
    origin = f"http://localhost:{port}"
    embed = EmbedSettings.load()
    embed.allowed_origins = origin
    embed.save()
    server = embed_demo.serve_in_thread(
        port=port, community=live_server.url, category=coffee.slug, host="127.0.0.1"
    )
    yield {"url": f"{origin}/", "origin": origin, "category": coffee}
    server.shutdown()
    server.server_close()


def open_widget(page, brand_site):
    page.goto(brand_site["url"])
    launcher = page.get_by_role("button", name="Help", exact=True)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    return launcher, page.frame_locator(f"iframe[title='{PANEL_TITLE}']")


def panel_frame(page):
    return next(frame for frame in page.frames if "/embed/" in frame.url)


def test_a_customer_finds_an_answer_then_asks_signed_in_by_the_brand(page, brand_site, live_server):
    launcher, panel = open_widget(page, brand_site)
    # Answers for the screen the customer is on: the category the brand gave.
    expect(panel.get_by_test_id("embed-suggestions")).to_contain_text(SOLVED_TITLE)

    search = panel.get_by_label("Search the answers")
    expect(search).to_be_focused()
    search.fill("E04 descaling")
    expect(panel.get_by_test_id("embed-results")).to_contain_text(SOLVED_TITLE)
    panel.get_by_role("link", name=SOLVED_TITLE).click()
    expect(panel.get_by_role("heading", name=SOLVED_TITLE)).to_be_visible()
    solution = panel.get_by_test_id("embed-answer").first
    expect(solution).to_contain_text("Solution")
    expect(solution).to_contain_text("Official reply")
    expect(solution).to_contain_text("Run two rinse cycles")

    # Messages from anyone but the brand's page are ignored by the panel, and the
    # brand's page ignores any but the panel's.
    frame = panel_frame(page)
    sign_ins = []
    page.on("request", lambda request: "/embed/sign-in/" in request.url and sign_ins.append(1))
    forged = embed_demo.handoff_token(
        audience=live_server.url,
        secret=SECRET,
        customer={"sub": "intruder", "email": "intruder@example.com", "name": "Intruder"},
    )
    frame.evaluate("token => window.postMessage({type: 'relais:handoff', token}, '*')", forged)
    page.evaluate("() => window.postMessage({type: 'relais:close'}, '*')")
    page.wait_for_timeout(300)
    assert not sign_ins
    expect(launcher).to_have_attribute("aria-expanded", "true")

    # Nothing found for another problem: ask, with the words typed so far.
    panel.get_by_role("link", name="Back to the answers").click()
    panel.get_by_label("Search the answers").fill(ASKED_TITLE)
    expect(panel.get_by_test_id("embed-results-heading")).to_contain_text(ASKED_TITLE)
    panel.get_by_role("link", name="Ask the community").click()
    panel.get_by_test_id("embed-handoff").click()
    expect(panel.get_by_text("Asking as Alex Martin")).to_be_visible()
    expect(panel.get_by_label("Title")).to_have_value(ASKED_TITLE)
    panel.get_by_label("Details", exact=True).fill(
        "Since last week the grinder hums and nothing comes out."
    )
    # Handed over by the brand, they accept the community's terms with this question.
    panel.get_by_role("button", name="Post your question").click()
    expect(panel.get_by_text("To ask, accept the terms of use")).to_be_visible()
    expect(panel.get_by_label("Title")).to_have_value(ASKED_TITLE)
    panel.get_by_label("I accept the terms of use and the privacy policy.").check()
    panel.get_by_role("button", name="Post your question").click()
    expect(panel.get_by_test_id("embed-asked")).to_have_text("Your question is posted")

    thread = Thread.objects.get(title=ASKED_TITLE)
    assert thread.asked_from == brand_site["origin"]
    assert thread.author.email == embed_demo.DEMO_CUSTOMER["email"]
    assert thread.author.terms_accepted_at is not None
    assert WidgetVisit.objects.get(thread=thread).origin == brand_site["origin"]
    queue = Client()
    queue.force_login(ModeratorFactory())
    listed = queue.get(reverse("moderation:queue")).content.decode()
    assert ASKED_TITLE in listed
    assert f"asked from the help widget on {brand_site['origin']}" in listed

    # Closing gives the focus back to the launcher.
    page.keyboard.press("Escape")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()


def test_the_widget_on_a_phone_by_keyboard_and_screen_reader(mobile_page, brand_site):
    page = mobile_page
    page.goto(brand_site["url"])
    launcher = page.get_by_role("button", name="Help", exact=True)
    launcher.focus()
    page.keyboard.press("Enter")
    panel = page.frame_locator(f"iframe[title='{PANEL_TITLE}']")
    expect(panel.get_by_label("Search the answers")).to_be_focused()
    dialog = page.get_by_role("dialog", name=PANEL_TITLE)
    box = dialog.bounding_box()
    assert box["width"] == 360 and box["x"] == 0  # the whole screen on a phone
    # axe in the panel, as a screen reader meets it.
    results = Axe().run(page.frame(url=lambda url: "/embed/panel/" in url)).response
    serious = [v for v in results["violations"] if v["impact"] in {"serious", "critical"}]
    assert not serious, [(v["id"], v["help"]) for v in serious]
    # The close button inside the panel closes it, back to the launcher.
    panel.get_by_role("button", name="Close help").click()
    expect(launcher).to_be_focused()
    expect(dialog).to_be_hidden()


def test_the_widget_speaks_french_when_the_brand_page_does(page, brand_site):
    page.goto(f"{brand_site['url']}?lang=fr")
    page.get_by_role("button", name="Aide", exact=True).click()
    panel = page.frame_locator("iframe[title='Aide de la communauté']")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Comment pouvons-nous vous aider ?")
    expect(panel.get_by_label("Rechercher dans les réponses")).to_be_visible()


def test_the_panel_pages_opened_on_their_own(page, brand_site):
    """Opened outside a frame (a new tab, a link shared), the panel's pages still work,
    without the close button; the markup check reads them (framed pages it does not)."""
    origin = brand_site["origin"]
    solved = Thread.objects.get(title=SOLVED_TITLE)
    page.goto(f"/embed/panel/?origin={origin}&q=E04")
    expect(page.get_by_test_id("embed-results")).to_contain_text(SOLVED_TITLE)
    expect(page.get_by_role("button", name="Close help")).to_be_hidden()
    page.goto(f"/embed/panel/?origin={origin}&category={brand_site['category'].slug}")
    expect(page.get_by_test_id("embed-suggestions")).to_contain_text(SOLVED_TITLE)
    page.goto(f"/embed/t/{solved.pk}/?origin={origin}")
    expect(page.get_by_test_id("embed-answer")).to_contain_text("Run two rinse cycles")
    page.goto(f"/embed/ask/?origin={origin}&handoff=1&title=Grinder")
    expect(page.get_by_test_id("embed-handoff")).to_be_visible()
