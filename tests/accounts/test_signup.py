"""Sign-up with a verified e-mail, then sign-in by username or e-mail (django-allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "ada@example.com",
    "username": "ada",
    "display_name": "Ada from Lyon",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "accept_terms": "on",
}


def confirmation_link(mailoutbox) -> str:
    assert len(mailoutbox) == 1
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/", mailoutbox[0].body)
    assert match, mailoutbox[0].body
    return match.group(0)


def test_signup_creates_an_unverified_member_and_sends_a_confirmation_link(client, mailoutbox):
    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="ada")
    assert user.display_name == "Ada from Lyon"
    assert user.public_name == "Ada from Lyon"
    assert EmailAddress.objects.get(user=user).verified is False
    assert mailoutbox[0].to == ["ada@example.com"]
    assert "\n" not in mailoutbox[0].subject
    confirmation_link(mailoutbox)


def test_member_cannot_sign_in_before_confirming_the_email(client, mailoutbox):
    client.post("/accounts/signup/", SIGNUP)
    client.logout()

    response = client.post(
        "/accounts/login/", {"login": "ada", "password": SIGNUP["password1"]}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_then_signing_in_by_username_or_email(client, mailoutbox):
    client.post("/accounts/signup/", SIGNUP)
    link = confirmation_link(mailoutbox)
    path = re.sub(r"^https?://[^/]+", "", link)
    client.logout()

    assert client.get(path).status_code == 200
    client.post(path)
    assert EmailAddress.objects.get(email="ada@example.com").verified is True

    for login in ("ada", "ada@example.com", "ADA@example.com"):
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": login, "password": SIGNUP["password1"]}
        )
        assert response.status_code == 302, login
        assert client.session["_auth_user_id"] == str(User.objects.get(username="ada").pk)


def test_signup_with_a_taken_email_does_not_reveal_the_account(client, mailoutbox):
    UserFactory(email="ada@example.com")

    response = client.post("/accounts/signup/", {**SIGNUP, "username": "someone"})

    # The same answer as for a new address: nobody learns who has an account.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not User.objects.filter(username="someone").exists()


def test_signup_errors_keep_what_was_typed(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something else"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="ada@example.com"' in content
    assert 'value="Ada from Lyon"' in content
    assert 'aria-invalid="true"' in content or "field--invalid" in content


def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    statuses = [
        client.post("/accounts/login/", {"login": user.username, "password": "wrong"}).status_code
        for _ in range(12)
    ]

    assert statuses[0] == 200
    assert (
        429 in statuses
        or "Too many failed login attempts"
        in client.post(
            "/accounts/login/", {"login": user.username, "password": "wrong"}
        ).content.decode()
    )


def test_sign_in_and_out(client):
    user = UserFactory()

    client.post("/accounts/login/", {"login": user.username, "password": DEFAULT_PASSWORD})
    home = client.get("/")
    assert user.public_name in home.content.decode()

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_reset_link_goes_only_to_known_addresses_and_the_page_tells_nothing(
    client, mailoutbox
):
    UserFactory(email="known@example.com")

    known = client.post("/accounts/password/reset/", {"email": "known@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    to_known, to_unknown = mailoutbox
    assert to_known.to == ["known@example.com"]
    assert "/accounts/password/reset/key/" in to_known.body
    # allauth tells the owner of an unknown address that no account uses it.
    assert to_unknown.to == ["nobody@example.com"]
    assert "/accounts/password/reset/key/" not in to_unknown.body
