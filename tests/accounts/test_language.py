"""Each member's language: taken from the browser at sign-up, chosen in the account
settings or with the switcher, followed by the interface once signed in."""

import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.accounts.test_signup import SIGNUP
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

SETLANG = "/i18n/setlang/"
PROFILE = "/accounts/profile/"
FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def html_lang(response) -> str:
    content = response.content.decode()
    start = content.index('<html lang="') + len('<html lang="')
    return content[start : content.index('"', start)]


def profile_data(**fields) -> dict:
    return {"display_name": "Léa", "bio": "", "email_notifications": "all", **fields}


# --- sign-up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("browser", "expected"),
    [(FRENCH_BROWSER, "fr"), (ENGLISH_BROWSER, "en"), ({"HTTP_ACCEPT_LANGUAGE": "de-DE"}, "en")],
)
def test_signup_takes_the_language_of_the_browser(client, mailoutbox, browser, expected):
    response = client.post("/accounts/signup/", SIGNUP, **browser)

    assert response.status_code == 302
    assert User.objects.get(username="ada").language == expected


def test_signup_takes_the_language_the_switcher_chose(client, mailoutbox):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    client.post("/accounts/signup/", SIGNUP, **ENGLISH_BROWSER)

    assert User.objects.get(username="ada").language == "fr"


# --- account settings ------------------------------------------------------------


def test_the_settings_offer_each_language_in_its_own_name(member):
    content = client_for(member).get(PROFILE).content.decode()

    assert 'name="language" value="en"' in content
    assert 'name="language" value="fr"' in content
    assert "Français" in content and "English" in content


def test_choosing_french_in_the_settings_switches_the_interface_at_once(member):
    client = client_for(member)

    response = client.post(PROFILE, profile_data(language="fr"), follow=True, **ENGLISH_BROWSER)

    member.refresh_from_db()
    assert member.language == "fr"
    assert html_lang(response) == "fr"
    assert "Votre profil a été enregistré." in response.content.decode()
    assert html_lang(client.get("/community/", **ENGLISH_BROWSER)) == "fr"


def test_choosing_english_again_in_the_settings(member):
    member.language = "fr"
    member.save(update_fields=["language"])
    client = client_for(member)

    response = client.post(PROFILE, profile_data(language="en"), follow=True, **FRENCH_BROWSER)

    member.refresh_from_db()
    assert member.language == "en"
    assert html_lang(response) == "en"
    assert "Your profile was saved." in response.content.decode()


@pytest.mark.parametrize("language", ["de", "xx", "fr\x00", "FR-fr" * 10])
def test_a_language_the_site_does_not_serve_is_a_form_error(member, language):
    response = client_for(member).post(PROFILE, profile_data(language=language))

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    member.refresh_from_db()
    assert member.language == "en"


def test_settings_posted_without_a_language_keep_it(member):
    member.language = "fr"
    member.save(update_fields=["language"])

    response = client_for(member).post(PROFILE, profile_data(display_name="Léa B."))

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.language) == ("Léa B.", "fr")


# --- the language switcher -------------------------------------------------------


def test_a_member_who_switches_to_french_keeps_it_on_their_account(member):
    client = client_for(member)

    response = client.post(SETLANG, {"language": "fr", "next": "/community/"})

    assert response.status_code == 302
    assert response["Location"] == "/community/"
    member.refresh_from_db()
    assert member.language == "fr"
    # Another device (no cookie), an English browser: still French.
    elsewhere = client_for(member)
    assert html_lang(elsewhere.get("/community/", **ENGLISH_BROWSER)) == "fr"


def test_a_member_switches_back_to_english(member):
    member.language = "fr"
    member.save(update_fields=["language"])
    client = client_for(member)

    client.post(SETLANG, {"language": "en", "next": "/community/"})

    member.refresh_from_db()
    assert member.language == "en"
    assert html_lang(client_for(member).get("/community/", **FRENCH_BROWSER)) == "en"


def test_a_visitor_who_switches_gets_the_cookie_and_no_account_changes(client, member):
    response = client.post(SETLANG, {"language": "fr", "next": "/community/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert html_lang(client.get("/community/")) == "fr"
    member.refresh_from_db()
    assert member.language == "en"


def test_a_member_who_switches_gets_the_cookie_too(member):
    response = client_for(member).post(SETLANG, {"language": "fr", "next": "/community/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


@pytest.mark.parametrize("language", ["de", "xx", "", "fr\x00", "e" * 300])
@pytest.mark.parametrize("signed_in", [True, False])
def test_a_language_code_the_site_does_not_serve_changes_nothing(member, language, signed_in):
    member.language = "fr"
    member.save(update_fields=["language"])
    client = client_for(member) if signed_in else Client()

    response = client.post(SETLANG, {"language": language, "next": "/community/"})

    assert response.status_code == 302
    assert response["Location"] == "/community/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    member.refresh_from_db()
    assert member.language == "fr"


def test_the_switcher_changes_nothing_on_a_get(member):
    response = client_for(member).get(SETLANG, {"language": "fr", "next": "/community/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    member.refresh_from_db()
    assert member.language == "en"


def test_the_switcher_needs_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(SETLANG, {"language": "fr", "next": "/community/"})

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.language == "en"


def test_the_switcher_never_redirects_a_member_off_site(member):
    response = client_for(member).post(SETLANG, {"language": "fr", "next": "https://evil.example/"})

    assert response["Location"] == "/fr/"  # the home page's French address


# --- signing in and out ----------------------------------------------------------


def test_a_french_member_signing_in_from_an_english_browser_reads_french(client):
    member = UserFactory(language="fr")

    response = client.post(
        "/accounts/login/",
        {"login": member.username, "password": DEFAULT_PASSWORD},
        follow=True,
        **ENGLISH_BROWSER,
    )

    assert html_lang(response) == "fr"
    assert f"Connexion avec {member.username} réussie." in response.content.decode()
    assert html_lang(client.get("/community/", **ENGLISH_BROWSER)) == "fr"

    response = client.post("/accounts/logout/", follow=True, **ENGLISH_BROWSER)

    assert html_lang(response) == "en"
    assert "You have signed out." in response.content.decode()
    assert html_lang(client.get("/community/", **ENGLISH_BROWSER)) == "en"


def test_signing_out_returns_to_the_language_the_switcher_chose(client):
    member = UserFactory(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(member)
    assert html_lang(client.get("/community/")) == "en"

    response = client.post("/accounts/logout/", follow=True)

    assert html_lang(response) == "fr"
    assert "Vous êtes déconnecté(e)." in response.content.decode()


# --- download my data ------------------------------------------------------------


def test_the_data_download_says_the_members_language(member):
    member.language = "fr"
    member.save(update_fields=["language"])

    response = client_for(member).post("/accounts/privacy/data/")

    assert json.loads(response.content)["profile"]["language"] == "fr"
