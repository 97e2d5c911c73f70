"""A customer whose browser speaks French signs up, and their account is in French;
later, at a computer whose browser speaks English, they sign in and read the site in
French; the brand's answer to their question reaches them by e-mail in French,
although the moderator who wrote it reads in English; signing out gives the English
browser its own language back. On a phone and on a desktop."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import User
from community import services
from tests.e2e.journeys import confirmation_link, publish_legal_pages
from tests.factories import CategoryFactory, ModeratorFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-and-unusual-passphrase-42"
EMAIL = "ines@example.com"
TITLE = "Le lait ne mousse plus"


@pytest.mark.parametrize("screen", ["mobile_page", "page"])
def test_a_french_customer_reads_french_from_any_browser_and_in_their_mail(
    request, live_server, mailoutbox, browser_page, screen
):
    english_browser = request.getfixturevalue(screen)  # en-US, like every journey
    french_browser = browser_page(mobile=screen == "mobile_page", locale="fr-FR")
    publish_legal_pages()
    category = CategoryFactory(name="Espresso machines", slug="espresso-machines")

    # At home, the browser asks for French: sign-up is in French, and so is the account.
    french_browser.goto("/accounts/signup/")
    expect(french_browser.locator("html")).to_have_attribute("lang", "fr")
    french_browser.locator("#id_email").fill(EMAIL)
    french_browser.locator("#id_username").fill("ines")
    french_browser.locator("#id_display_name").fill("Inès Garnier")
    french_browser.locator("#id_password1").fill(PASSWORD)
    french_browser.locator("#id_password2").fill(PASSWORD)
    french_browser.locator("#id_accept_terms").check()
    french_browser.locator("main form[action='/accounts/signup/'] button[type=submit]").click()
    expect(french_browser).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    member = User.objects.get(username="ines")
    assert member.language == "fr"
    (confirmation,) = mailoutbox
    assert confirmation.subject.endswith("Confirmez votre adresse e-mail"), confirmation.subject
    french_browser.goto(confirmation_link(mailoutbox, EMAIL))
    french_browser.get_by_role("main").locator("form button[type=submit]").click()
    expect(french_browser).to_have_url(re.compile(r"/accounts/login/"))
    thread = services.thread_create(
        author=member,
        category=category,
        title=TITLE,
        body="Depuis hier, la buse vapeur souffle mais le lait ne mousse plus.",
    )

    # At work, the browser asks for English: the sign-in page is English, the site
    # is French as soon as she is signed in.
    english_browser.goto("/accounts/login/")
    expect(english_browser.locator("html")).to_have_attribute("lang", "en")
    english_browser.locator("#id_login").fill("ines")
    english_browser.locator("#id_password").fill(PASSWORD)
    english_browser.locator("main form[action^='/accounts/login/'] button[type=submit]").click()
    expect(english_browser.get_by_test_id("header-user-name")).to_have_text("Inès Garnier")
    expect(english_browser.locator("html")).to_have_attribute("lang", "fr")
    expect(english_browser.get_by_text("Connexion avec ines réussie.")).to_be_visible()
    english_browser.goto("/community/")
    expect(english_browser.locator("html")).to_have_attribute("lang", "fr")
    expect(english_browser.get_by_role("heading", level=1)).to_have_text("Toutes les discussions")

    # The brand answers; the moderator reads in English, Inès's e-mail is French.
    mailoutbox.clear()
    with translation.override("en"):
        services.reply_create(
            author=ModeratorFactory(language="en"),
            thread=thread,
            body="Please descale the steam wand, then tell us.",
        )
    (notification,) = [message for message in mailoutbox if message.to == [EMAIL]]
    assert "a publié une réponse officielle" in notification.subject, notification.subject
    assert "Arrêter ces e-mails" in notification.body
    html, _mime = notification.alternatives[0]
    assert '<html lang="fr">' in html

    english_browser.goto(thread.get_absolute_url())
    expect(english_browser.locator("html")).to_have_attribute("lang", "fr")
    expect(
        english_browser.get_by_text("Please descale the steam wand, then tell us.")
    ).to_be_visible()

    # Signing out, the English browser has its language back.
    header = english_browser.get_by_role("banner")
    header.locator("details.account-menu > summary").click()
    header.get_by_role("button", name="Se déconnecter").click()
    expect(english_browser.locator("html")).to_have_attribute("lang", "en")
    expect(header.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(english_browser.get_by_text("You have signed out.")).to_be_visible()
