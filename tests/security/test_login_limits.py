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
    login_key = hashlib.sha256(f"testserver:{member.username}:127.0.0.1".encode()).hexdigest()
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


# --- a lockout that slows an attacker, never the owner (issue 17) -------------------

ATTACKER, OWNER = "203.0.113.66", "198.51.100.77"


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_failures_from_one_address_do_not_lock_the_owner_out(path):
    staff = UserFactory(is_staff=True, is_superuser=True)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    _fail(attacker, path, staff.username, FAILURES_PER_LOGIN)

    refused = _sign_in(attacker, path, staff.username, DEFAULT_PASSWORD)
    owner = Client(REMOTE_ADDR=OWNER)
    allowed = _sign_in(owner, path, staff.username, DEFAULT_PASSWORD)

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not _signed_in(attacker)
    assert allowed.status_code == HTTPStatus.FOUND
    assert _signed_in(owner)


def test_the_owner_may_still_reset_their_password_from_the_attackers_address():
    member = UserFactory()
    attacker = Client(REMOTE_ADDR=ATTACKER)
    _fail(attacker, "/accounts/login/", member.username, FAILURES_PER_LOGIN)
    assert _right_password(member, Client(REMOTE_ADDR=ATTACKER)) == HTTPStatus.TOO_MANY_REQUESTS

    response = attacker.post("/accounts/password/reset/", {"email": member.email})

    assert response.status_code == HTTPStatus.FOUND
    assert [message.to for message in mail.outbox] == [[member.email]]
    # The link in it sets a new password, and the member is then signed in with it.
    link = next(
        word for word in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in word
    )
    reset = Client(REMOTE_ADDR=ATTACKER)
    form_page = reset.get(link, follow=True)
    new_password = "a-new-Passw0rd-for-the-owner"
    done = reset.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.check_password(new_password)


def test_failures_still_count_per_address_and_login():
    member = UserFactory()
    # Two attackers' addresses: each is refused after its own five failures.
    for address in (ATTACKER, "203.0.113.67"):
        client = Client(REMOTE_ADDR=address)
        _fail(client, "/accounts/login/", member.username, FAILURES_PER_LOGIN)
        refused = _sign_in(client, "/accounts/login/", member.username, DEFAULT_PASSWORD)
        assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_address_is_the_client_behind_the_trusted_proxies(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    member = UserFactory()
    proxy = "10.0.0.1"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    _fail(attacker, "/accounts/login/", member.username, FAILURES_PER_LOGIN)

    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)

    assert _right_password(member, owner) == HTTPStatus.FOUND
    assert _right_password(member, attacker) == HTTPStatus.TOO_MANY_REQUESTS


# --- every 429 says when to come back (issue 17) ------------------------------------


def _retry_after(response) -> int:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.has_header("Retry-After"), response
    return int(response["Retry-After"])


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_a_refused_sign_in_says_when_to_come_back(path, clock):
    member = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    _fail(client, path, member.username, 1)
    clock(100)  # the first failure is 100 s old when the window fills
    _fail(client, path, member.username, FAILURES_PER_LOGIN - 1)

    refused = _sign_in(client, path, member.username, DEFAULT_PASSWORD)

    # The oldest of the five failures leaves the five-minute window in 200 s.
    assert _retry_after(refused) == 200
    clock(199)
    assert _sign_in(client, path, member.username, DEFAULT_PASSWORD).status_code == (
        HTTPStatus.TOO_MANY_REQUESTS
    )
    clock(2)
    assert _sign_in(client, path, member.username, DEFAULT_PASSWORD).status_code == (
        HTTPStatus.FOUND
    )


def test_too_many_sign_in_attempts_from_one_address_say_when_to_come_back(clock):
    member = UserFactory()
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(30):  # "login": "30/m/ip", right or wrong
        assert _right_password(member, client) == HTTPStatus.FOUND
        client.logout()
    clock(15)

    refused = _sign_in(client, "/accounts/login/", member.username, DEFAULT_PASSWORD)

    assert _retry_after(refused) == 45


def test_a_refused_sign_up_says_when_to_come_back(clock):
    client = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(SIGNUPS_PER_IP):
        client.post("/accounts/signup/", {"email": f"n{n}@example.com", "username": f"n{n}"})
    clock(10)

    refused = client.post("/accounts/signup/", {"email": "x@example.com", "username": "x"})

    assert _retry_after(refused) == 50


@pytest.mark.parametrize("path", ["/accounts/password/reset/", "/admin/password_reset/"])
def test_a_refused_password_reset_says_when_to_come_back(path, clock):
    member = UserFactory()
    client = Client()
    for _ in range(RESETS_PER_EMAIL):
        assert client.post(path, {"email": member.email}).status_code == HTTPStatus.FOUND
    clock(60)

    refused = client.post(path, {"email": member.email})

    assert _retry_after(refused) == 15 * 60 - 60


def test_a_refused_password_change_says_when_to_come_back(clock):
    member = UserFactory()
    client = Client()
    client.force_login(member)
    for _ in range(5):  # "change_password": "5/m/user"
        client.post("/accounts/password/change/", {"oldpassword": "wrong"})
    clock(20)

    refused = client.post("/accounts/password/change/", {"oldpassword": "wrong"})

    assert _retry_after(refused) == 40
