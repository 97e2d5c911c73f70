"""Sign-in abuse limits (issue 8): allauth's rate limits, counted in the shared cache.

The limits are the ones written out in settings.ACCOUNT_RATE_LIMITS; the admin
sign-in pages draw on the same counters (accounts/limits.py).
"""

import hashlib
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/accounts/login/", "/admin/login/", "/django-admin/login/"]
FAILURES_PER_LOGIN = 5  # "login_failed": "...,5/5m/key"
FAILURES_PER_IP = 10  # "login_failed": "10/m/ip,..."
SIGNUPS_PER_IP = 10  # "signup": "10/m/ip,..."
RESETS_PER_EMAIL = 3  # "reset_password": "...,3/15m/key"


def _sign_in(client, path, login, password):
    field = "login" if path.startswith("/accounts/") else "username"
    return client.post(path, {field: login, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _right_password(member, client=None) -> int:
    client = client or Client()
    return _sign_in(client, "/accounts/login/", member.username, DEFAULT_PASSWORD).status_code


def _fail(client, path, login, times):
    for _ in range(times):
        response = _sign_in(client, path, login, "not-the-password")
        assert response.status_code == HTTPStatus.OK, path
        assert not _signed_in(client)


def test_the_limits_are_written_out_in_settings():
    limits = settings.ACCOUNT_RATE_LIMITS
    assert limits["login_failed"] == f"{FAILURES_PER_IP}/m/ip,{FAILURES_PER_LOGIN}/5m/key"
    assert limits["signup"].startswith(f"{SIGNUPS_PER_IP}/m/ip")
    assert limits["reset_password"].endswith(f"{RESETS_PER_EMAIL}/15m/key")
    for action in ("login", "reset_password_from_key", "confirm_email"):
        assert limits[action]


def test_login_refuses_the_right_password_after_too_many_failures():
    member = UserFactory()
    client = Client()
    _fail(client, "/accounts/login/", member.username, FAILURES_PER_LOGIN)

    response = _sign_in(client, "/accounts/login/", member.username, DEFAULT_PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not _signed_in(client)
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    # The form is shown again with the login the member typed.
    assert f'value="{member.username}"' in page


def test_login_limit_is_per_account():
    member, other = UserFactory(), UserFactory()
    client = Client()
    _fail(client, "/accounts/login/", member.username, FAILURES_PER_LOGIN)

    response = _sign_in(client, "/accounts/login/", other.username, DEFAULT_PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert _signed_in(client)


def test_login_limit_counts_failures_per_address_across_accounts():
    members = [UserFactory() for _ in range(FAILURES_PER_IP)]
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for member in members:
        _fail(attacker, "/accounts/login/", member.username, 1)
    target = UserFactory()

    refused = _sign_in(attacker, "/accounts/login/", target.username, DEFAULT_PASSWORD)
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    allowed = _sign_in(elsewhere, "/accounts/login/", target.username, DEFAULT_PASSWORD)

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert allowed.status_code == HTTPStatus.FOUND


def test_a_successful_login_does_not_use_up_an_attempt():
    member = UserFactory()
    for _ in range(FAILURES_PER_LOGIN + 2):
        assert _right_password(member) == HTTPStatus.FOUND
    _fail(Client(), "/accounts/login/", member.username, FAILURES_PER_LOGIN - 1)
    assert _right_password(member) == HTTPStatus.FOUND


def test_the_login_counter_lives_in_the_shared_cache():
    """The count is a cache entry, not process state: with REDIS_URL every process sees it."""
    member = UserFactory()
    _fail(Client(), "/accounts/login/", member.username, FAILURES_PER_LOGIN)
    login_key = hashlib.sha256(f"testserver:{member.username}".encode()).hexdigest()
    rate = f"{FAILURES_PER_LOGIN}/300.0/key"
    cache_key = f"allauth:rl:allauth.account:login_failed:{rate}:{login_key}"

    assert len(cache.get(cache_key)) == FAILURES_PER_LOGIN
    assert _right_password(member) == HTTPStatus.TOO_MANY_REQUESTS

    cache.clear()  # what a fresh process sharing an empty cache would see

    assert _right_password(member) == HTTPStatus.FOUND


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_logins_are_limited_like_the_site_login(path):
    editor = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    _fail(client, path, editor.username, FAILURES_PER_LOGIN)

    response = _sign_in(client, path, editor.username, DEFAULT_PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many attempts" in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_logins_still_sign_staff_in(path):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(FAILURES_PER_LOGIN + 1):
        client.logout()
        response = _sign_in(client, path, staff.username, DEFAULT_PASSWORD)
        assert response.status_code == HTTPStatus.FOUND
        assert _signed_in(client)


def test_failures_on_every_login_page_share_one_counter():
    editor = EditorFactory()
    client = Client()
    _fail(client, "/admin/login/", editor.username, 2)
    _fail(client, "/django-admin/login/", editor.username, 2)
    _fail(client, "/accounts/login/", editor.username, FAILURES_PER_LOGIN - 4)

    for path in LOGIN_PAGES:
        response = _sign_in(client, path, editor.username, DEFAULT_PASSWORD)
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, path


def test_signup_is_limited_per_address():
    client = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(SIGNUPS_PER_IP):
        response = client.post(
            "/accounts/signup/",
            {
                "email": f"new{n}@example.com",
                "username": f"newcomer{n}",
                "password1": DEFAULT_PASSWORD,
                "password2": DEFAULT_PASSWORD,
                "accept_terms": "on",
            },
        )
        assert response.status_code == HTTPStatus.FOUND
        client.logout()

    refused = client.post(
        "/accounts/signup/",
        {
            "email": "onemore@example.com",
            "username": "onemore",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "accept_terms": "on",
        },
    )
    other_address = Client(REMOTE_ADDR="198.51.100.20").get("/accounts/signup/")

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many attempts" in refused.content.decode()
    assert not UserFactory._meta.model.objects.filter(username="onemore").exists()
    assert other_address.status_code == HTTPStatus.OK


@pytest.mark.parametrize("path", ["/accounts/password/reset/", "/admin/password_reset/"])
def test_password_reset_mails_are_limited_per_email(path):
    member, other = UserFactory(), UserFactory()
    client = Client()
    for _ in range(RESETS_PER_EMAIL):
        assert client.post(path, {"email": member.email}).status_code == HTTPStatus.FOUND
    sent = len(mail.outbox)

    refused = client.post(path, {"email": member.email})
    other_email = client.post(path, {"email": other.email})

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other_email.status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == sent + 1  # only the other member's mail
