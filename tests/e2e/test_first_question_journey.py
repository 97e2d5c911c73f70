"""A new customer's first ten minutes: sign up accepting the terms, confirm the
address, ask a question with a photo of the problem, and read when the brand will
answer. On a phone and a desktop, in English and in French."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import User
from community.models import Attachment, CommunitySettings, Thread
from tests.e2e.journeys import confirmation_link, publish_legal_pages
from tests.factories import CategoryFactory
from tests.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-and-unusual-passphrase-42"
THREAD_PATH = re.compile(r"/community/t/\d+/[\w-]+/$")
TITLE = "The display shows E07 after descaling"
BODY = "Since this morning the machine stops and the display shows E07: photo attached."

EXPECTED = {
    "en": "The team usually replies within 6 hours.",
    "fr": "L\u2019équipe répond généralement en moins de 6 heures.",
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("screen", ["mobile_page", "page"])
def test_a_new_customer_signs_up_asks_with_a_photo_and_knows_when_to_expect_the_answer(
    request, live_server, mailoutbox, tmp_path, screen, language
):
    page = request.getfixturevalue(screen)
    publish_legal_pages()
    CategoryFactory(name="Espresso machines", slug="espresso-machines")
    rules = CommunitySettings.load()
    rules.first_response_hours = 6
    rules.save()
    photo = tmp_path / "E07.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(1200, 900)))
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )

    # Sign up, accepting the terms of use and the privacy policy.
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_email").fill("ines@example.com")
    page.locator("#id_username").fill("ines")
    page.locator("#id_display_name").fill("Inès Garnier")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_accept_terms").check()
    page.locator("main form[action='/accounts/signup/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    assert User.objects.get(username="ines").terms_accepted_at is not None

    page.goto(confirmation_link(mailoutbox, "ines@example.com"))
    page.get_by_role("main").locator("form button[type=submit]").click()
    page.locator("#id_login").fill("ines")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[action^='/accounts/login/'] button[type=submit]").click()
    expect(page.get_by_test_id("header-user-name")).to_have_text("Inès Garnier")

    # Ask, with a photo of the error on the display.
    page.goto("/community/ask/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_body").fill(BODY)
    page.locator("#id_category").select_option(label="Espresso machines")
    page.locator("input[type=file][name=images]").set_input_files(str(photo))
    page.locator("main form button[type=submit]:not([name=preview])").click()
    expect(page).to_have_url(THREAD_PATH)

    # The question is there with its photo, and the customer knows when to expect
    # the brand's answer.
    thread = Thread.objects.get(title=TITLE)
    assert Attachment.objects.filter(thread=thread).count() == 1
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    thumbnail = page.get_by_test_id("attachment-link").locator("img")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0
    expect(page.get_by_test_id("expected-reply")).to_contain_text(EXPECTED[language])
    # The clock started when she asked, approval waiting included.
    assert thread.response_due_at is not None
    assert abs((thread.response_due_at - thread.created_at).total_seconds() - 6 * 3600) < 5
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
