"""A customer's privacy, end to end: sign up accepting the terms, answer a
question, download their data, close the account; the answer stays, signed
"former member". On a phone and a desktop, in English and in French."""

import json
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import User
from community.models import Reply
from tests.e2e.journeys import confirmation_link, publish_legal_pages
from tests.factories import ThreadFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-and-unusual-passphrase-42"
ANSWER = "Hold the steam button for ten seconds: the wand clears itself."
SMALL_SCREEN_WIDTH = 360

WORDS = {
    "en": {
        "terms": "Terms of use",
        "consent_error": "To sign up, accept the terms of use and the privacy policy.",
        "reply": "Your reply",
        "post_reply": "Post reply",
        "close": "Close my account",
        "closed": "Your account is closed.",
        "former": "Former member",
        "sign_in": "Sign in",
    },
    "fr": {
        "terms": "Conditions d\u2019utilisation",
        "consent_error": (
            "Pour vous inscrire, acceptez les conditions d\u2019utilisation "
            "et la politique de confidentialit\u00e9."
        ),
        "reply": "Votre réponse",
        "post_reply": "Publier la réponse",
        "close": "Fermer mon compte",
        "closed": "Votre compte est fermé.",
        "former": "Ancien membre",
        "sign_in": "Se connecter",
    },
}


def _fits_the_screen(page) -> None:
    width = page.viewport_size["width"]
    if width <= SMALL_SCREEN_WIDTH:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("screen", ["mobile_page", "page"])
def test_privacy_journey_consent_download_close(request, live_server, mailoutbox, screen, language):
    page = request.getfixturevalue(screen)
    words = WORDS[language]
    legal = publish_legal_pages()
    thread = ThreadFactory(title="The steam wand sputters")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )

    # 1. The terms are one click away from the footer of any page.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_role("contentinfo").get_by_role("link", name=words["terms"]).click()
    expect(page).to_have_url(re.compile(r"/terms/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms of use")

    # 2. Sign up: without the consent, a clear error and nothing typed is lost.
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill("lea@example.com")
    page.locator("#id_username").fill("lea")
    page.locator("#id_display_name").fill("Léa Moreau")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    submit = page.locator("main form[action='/accounts/signup/'] button[type=submit]")
    submit.click()
    expect(page.get_by_text(words["consent_error"])).to_be_visible()
    expect(page.locator("#id_email")).to_have_value("lea@example.com")
    expect(page.locator("#id_display_name")).to_have_value("Léa Moreau")
    _fits_the_screen(page)
    consent = page.locator("#id_accept_terms")
    expect(page.locator("label[for=id_accept_terms] a[href='/legal/terms/']")).to_be_visible()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    consent.check()
    submit.click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    member = User.objects.get(username="lea")
    assert member.terms_accepted_at is not None
    assert member.accepted_terms_revision == legal["terms"].live_revision_id
    assert member.accepted_privacy_revision == legal["privacy"].live_revision_id

    page.goto(confirmation_link(mailoutbox, "lea@example.com"))
    page.get_by_role("main").locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("#id_login").fill("lea")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[action^='/accounts/login/'] button[type=submit]").click()
    expect(page.get_by_test_id("header-user-name")).to_have_text("Léa Moreau")

    # 3. She answers a question.
    page.goto(thread.get_absolute_url())
    page.get_by_role("textbox", name=words["reply"]).fill(ANSWER)
    page.get_by_role("button", name=words["post_reply"]).click()
    reply = Reply.objects.get(thread=thread, author=member)
    expect(page.locator(f"#reply-{reply.pk}")).to_contain_text("ten seconds")

    # 4. From her account settings, she downloads her data.
    page.goto("/accounts/profile/")
    page.get_by_test_id("privacy-settings-link").click()
    expect(page).to_have_url(re.compile(r"/accounts/privacy/$"))
    _fits_the_screen(page)
    with page.expect_download() as download_info:
        page.get_by_test_id("download-data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-data-")
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["profile"]["username"] == "lea"
    assert data["profile"]["display_name"] == "Léa Moreau"
    assert [r["body"] for r in data["replies"]] == [ANSWER]
    assert data["replies"][0]["visibility"] == "visible"

    # 5. She closes her account, re-entering her password.
    page.get_by_role("main").get_by_role("link", name=re.compile(words["close"])).click()
    expect(page).to_have_url(re.compile(r"/accounts/privacy/close/$"))
    _fits_the_screen(page)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_confirm").check()
    page.get_by_role("main").get_by_role("button", name=words["close"]).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text(words["closed"])).to_be_visible()
    expect(page.get_by_test_id("header-user-name")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("link", name=words["sign_in"])).to_be_visible()

    # 6. Her answer is still there, signed "former member".
    page.goto(thread.get_absolute_url())
    answer = page.locator(f"#reply-{reply.pk}")
    expect(answer).to_contain_text("ten seconds")
    expect(answer.get_by_test_id("former-member")).to_have_text(words["former"])
    expect(page.get_by_text("Léa Moreau")).to_have_count(0)
    _fits_the_screen(page)

    # And she cannot sign in any more.
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("lea")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[action^='/accounts/login/'] button[type=submit]").click()
    expect(page.get_by_test_id("header-user-name")).to_have_count(0)
