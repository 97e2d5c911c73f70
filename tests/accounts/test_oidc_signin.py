"""Sign-in with the brand's account (OpenID Connect): the linking rules, through the URLs.

The provider's HTTP answers (discovery, token, userinfo) are played by FakeProvider;
tests/e2e/test_oidc_journey.py runs the same flow against a real provider.
"""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.utils import timezone

from accounts.models import User
from accounts.services import user_close
from tests.factories import UserFactory

ISSUER = "https://id.brand.example"
LOGIN_URL = "/accounts/oidc/brand/login/"
CALLBACK_URL = "/accounts/oidc/brand/login/callback/"
SIGNUP_URL = "/accounts/3rdparty/signup/"


class FakeProvider:
    """The provider's side of the code flow, for allauth's requests session."""

    def __init__(self):
        self.claims = {}

    def respond(self, method, url, **kwargs):
        answers = {
            f"{ISSUER}/.well-known/openid-configuration": {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": f"{ISSUER}/jwks",
            },
            f"{ISSUER}/token": {
                "access_token": "access-token",
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": jwt.encode(
                    {
                        "iss": ISSUER,
                        "aud": "relais",
                        "sub": self.claims["sub"],
                        "iat": timezone.now(),
                        "exp": timezone.now() + timedelta(minutes=5),
                    },
                    "id-token-key-for-tests-at-least-32-bytes",
                    algorithm="HS256",
                ),
            },
            f"{ISSUER}/userinfo": self.claims,
        }
        response = requests.Response()
        response.url = url
        response.status_code = 200 if url in answers else 404
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(answers.get(url, {})).encode()
        return response


@pytest.fixture
def provider(settings, monkeypatch):
    """The brand's provider configured as from the environment (OIDC_SERVER_URL…)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [
                {
                    "provider_id": "brand",
                    "name": "Brand",
                    "client_id": "relais",
                    "secret": "secret",
                    "settings": {"server_url": ISSUER},
                }
            ],
        }
    }
    fake = FakeProvider()
    monkeypatch.setattr(
        requests.Session, "request", lambda _session, method, url, **kw: fake.respond(method, url)
    )
    return fake


def sign_in_at_provider(client, provider, *, process="login", **claims):
    """Press the button, let the provider send the browser back with a code."""
    provider.claims = {"sub": "customer-1", **claims}
    response = client.post(LOGIN_URL, {"process": process})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/authorize"
    state = parse_qs(location.query)["state"][0]
    return client.get(CALLBACK_URL, {"code": "the-code", "state": state})


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def join(client, **data):
    return client.post(
        SIGNUP_URL,
        {"username": "ada", "display_name": "Ada", "accept_terms": "on", **data},
    )


VERIFIED = {"email": "ada@example.com", "email_verified": True, "name": "Ada Lovelace"}


# The button ----------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_without_provider_shows_no_provider_button(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in with" not in response.content
    assert b"provider-list" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_provider_button_is_a_post_form_with_csrf(client, provider, path):
    html = client.get(path).content.decode()
    form = html[html.index('<ul class="provider-list">') :]
    assert f'<form method="post" action="{LOGIN_URL}?process=login">' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert ">Sign in with Brand</button>" in form


@pytest.mark.django_db
def test_provider_from_the_admin_shows_its_button(client):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="brand",
        name="Brand from the admin",
        client_id="relais",
        secret="secret",
        settings={"server_url": ISSUER},
    )
    assert b">Sign in with Brand from the admin</button>" in client.get("/accounts/login/").content


@pytest.mark.django_db
def test_login_page_policy_lets_the_form_go_to_the_provider(client, provider):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert f"form-action 'self' {ISSUER};" in policy


@pytest.mark.django_db
def test_login_start_refuses_get(client, provider):
    # A link or an image elsewhere cannot start a sign-in: GET only shows a confirmation.
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert b'method="post"' in response.content


# New members and returning ones ----------------------------------------------------


@pytest.mark.django_db
def test_new_subject_signs_up_once_consent_is_given(client, provider):
    response = sign_in_at_provider(client, provider, **VERIFIED)
    assert response.status_code == 302
    assert response["Location"] == SIGNUP_URL

    page = client.get(SIGNUP_URL)
    assert page.status_code == 200
    assert page.context["form"]["display_name"].value() == "Ada Lovelace"
    assert page.context["form"]["email"].value() == "ada@example.com"

    refused = join(client, accept_terms="")
    assert refused.status_code == 200
    assert "To sign up, accept the terms of use and the privacy policy." in refused.content.decode()
    assert not User.objects.filter(username="ada").exists()

    response = join(client, email="ada@example.com")
    assert response.status_code == 302
    member = User.objects.get(username="ada")
    assert signed_in_user(client) == member
    assert member.terms_accepted_at is not None
    assert SocialAccount.objects.get(user=member).uid == "customer-1"
    assert EmailAddress.objects.get(user=member).verified


@pytest.mark.django_db
def test_same_subject_signs_the_same_member_in(client, provider):
    member = UserFactory()
    SocialAccount.objects.create(user=member, provider="brand", uid="customer-1")
    # Whatever address the provider now reports, the subject decides.
    response = sign_in_at_provider(client, provider, email="new@example.com", email_verified=True)
    assert response.status_code == 302
    assert signed_in_user(client) == member
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_address_of_another_account_is_not_linked_and_the_person_is_told(client, provider):
    owner = UserFactory(email="ada@example.com")
    response = sign_in_at_provider(client, provider, **VERIFIED)
    assert response["Location"] == SIGNUP_URL
    assert signed_in_user(client) is None

    response = join(client, email="ada@example.com")
    assert response.status_code == 200
    assert (
        "An account already exists with this email address. Please sign in to that "
        "account first, then connect your Brand account."
    ) in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [owner]


@pytest.mark.django_db
def test_unverified_address_of_another_account_is_not_linked_and_its_owner_is_told(
    client, provider, mailoutbox
):
    # The provider did not check the address: saying here that it has an account
    # would tell anyone who types it; its owner gets an e-mail instead.
    owner = UserFactory(email="ada@example.com")
    sign_in_at_provider(client, provider, email="ada@example.com", email_verified=False)
    response = join(client, email="ada@example.com")
    assert response.status_code == 302
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [owner]
    assert [message.to for message in mailoutbox] == [["ada@example.com"]]


@pytest.mark.django_db
def test_unverified_provider_address_is_confirmed_by_email_first(client, provider, mailoutbox):
    sign_in_at_provider(client, provider, email="ada@example.com", email_verified=False)
    response = join(client, email="ada@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    member = User.objects.get(username="ada")
    assert not EmailAddress.objects.get(user=member).verified
    assert signed_in_user(client) is None
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_provider_app_settings_cannot_vouch_for_addresses(client, provider, settings):
    apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    apps[0]["settings"].update({"verified_email": True, "email_authentication": True})
    owner = UserFactory(email="ada@example.com")
    response = sign_in_at_provider(client, provider, email="ada@example.com")
    assert signed_in_user(client) is None
    assert response["Location"] == SIGNUP_URL
    assert not SocialAccount.objects.filter(user=owner).exists()


# Connecting, and accounts that are not open -------------------------------------------


@pytest.mark.django_db
def test_signed_in_member_connects_the_brand_account(client, provider):
    member = UserFactory()
    client.force_login(member)
    connections = client.get("/accounts/3rdparty/").content.decode()
    assert ">Connect your Brand account</button>" in connections

    response = sign_in_at_provider(client, provider, process="connect", **VERIFIED)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/"
    assert SocialAccount.objects.get(uid="customer-1").user == member

    client.logout()
    sign_in_at_provider(client, provider, **VERIFIED)
    assert signed_in_user(client) == member


@pytest.mark.django_db
def test_suspended_member_signs_in_and_stays_suspended(client, provider):
    until = timezone.now() + timedelta(days=7)
    member = UserFactory(suspended_until=until)
    SocialAccount.objects.create(user=member, provider="brand", uid="customer-1")
    sign_in_at_provider(client, provider, **VERIFIED)
    # As with a password: a suspended member reads, and cannot post.
    assert signed_in_user(client) == member
    assert b'data-testid="ask-suspended"' in client.get("/community/ask/").content


@pytest.mark.django_db
def test_deactivated_member_is_refused(client, provider):
    member = UserFactory(is_active=False)
    SocialAccount.objects.create(user=member, provider="brand", uid="customer-1")
    response = sign_in_at_provider(client, provider, **VERIFIED)
    assert response["Location"] == "/accounts/inactive/"
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_closed_account_is_not_reached_by_its_former_subject(client, provider):
    member = UserFactory()
    SocialAccount.objects.create(user=member, provider="brand", uid="customer-1")
    user_close(user=member)
    response = sign_in_at_provider(client, provider, **VERIFIED)
    assert signed_in_user(client) is None
    assert response["Location"] == SIGNUP_URL
