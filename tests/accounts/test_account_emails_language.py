"""Every account e-mail (django-allauth's) is written in the language of the account
behind the address, whatever the language of the request that caused it; to an
address without an account, in the language of the request."""

import pytest
from django.utils import formats, timezone, translation

from tests.accounts.test_signup import SIGNUP
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

BROWSER = {
    "en": {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"},
    "fr": {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"},
}
OTHER = {"en": "fr", "fr": "en"}
GREETING = {"en": "Hello from ", "fr": "Bonjour, c'est "}
SUBJECTS = {
    "confirm": {"en": "Please Confirm Your Email Address", "fr": "Confirmez votre adresse e-mail"},
    "reset": {"en": "Password Reset Email", "fr": "E-mail de réinitialisation de mot de passe"},
    "exists": {"en": "Account Already Exists", "fr": "Ce compte existe déjà"},
    "unknown": {"en": "Unknown Account", "fr": "Compte inconnu"},
    "password_changed": {"en": "Password Changed", "fr": "Mot de passe modifié"},
}
LANGUAGES = pytest.mark.parametrize("language", ["en", "fr"])


def the_mail(mailoutbox, address: str):
    messages = [message for message in mailoutbox if message.to == [address]]
    assert len(messages) == 1, [message.subject for message in mailoutbox]
    return messages[0]


def assert_written_in(message, kind: str, language: str) -> None:
    assert message.subject.endswith(SUBJECTS[kind][language]), message.subject
    assert message.body.startswith(GREETING[language]), message.body[:80]
    assert SUBJECTS[kind][OTHER[language]] not in message.subject


@LANGUAGES
def test_the_signup_confirmation_is_in_the_new_members_language(client, mailoutbox, language):
    client.post("/accounts/signup/", SIGNUP, **BROWSER[language])

    assert_written_in(the_mail(mailoutbox, SIGNUP["email"]), "confirm", language)


@LANGUAGES
def test_confirming_another_address_is_in_the_members_language(mailoutbox, language):
    member = UserFactory(language=language)

    response = client_for(member).post(
        "/accounts/email/",
        {"email": "second@example.com", "action_add": ""},
        **BROWSER[OTHER[language]],
    )

    assert response.status_code == 302
    assert_written_in(the_mail(mailoutbox, "second@example.com"), "confirm", language)


@LANGUAGES
def test_the_password_reset_is_in_the_members_language(client, mailoutbox, language):
    member = UserFactory(language=language)

    client.post("/accounts/password/reset/", {"email": member.email}, **BROWSER[OTHER[language]])

    assert_written_in(the_mail(mailoutbox, member.email), "reset", language)


@LANGUAGES
def test_account_already_exists_is_in_the_existing_members_language(client, mailoutbox, language):
    member = UserFactory(email=SIGNUP["email"], language=language)

    client.post("/accounts/signup/", {**SIGNUP, "username": "someone"}, **BROWSER[OTHER[language]])

    assert_written_in(the_mail(mailoutbox, member.email), "exists", language)


@LANGUAGES
def test_a_reset_for_an_unknown_address_is_in_the_requests_language(client, mailoutbox, language):
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, **BROWSER[language])

    assert_written_in(the_mail(mailoutbox, "nobody@example.com"), "unknown", language)


@LANGUAGES
def test_a_security_notice_is_in_the_members_language_with_its_date(settings, mailoutbox, language):
    # The site sends no change notices today (ACCOUNT_EMAIL_NOTIFICATIONS is off);
    # whoever turns them on gets them in the member's language, their date too.
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    member = UserFactory(language=language)

    response = client_for(member).post(
        "/accounts/password/change/",
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "another-long-passphrase-7",
            "password2": "another-long-passphrase-7",
        },
        **BROWSER[OTHER[language]],
    )

    assert response.status_code == 302
    message = the_mail(mailoutbox, member.email)
    assert_written_in(message, "password_changed", language)
    with translation.override(language):
        today = formats.date_format(timezone.now(), "DATE_FORMAT")
    assert today in message.body
