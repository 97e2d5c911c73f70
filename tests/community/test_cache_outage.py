"""Redis down: pages keep serving, the limits fail closed (community/cache_backend.py).

The cache is the tolerant backend pointed at a closed port on 127.0.0.1, the way a
stopped Redis looks to the site: visitors' and members' pages answer 200
(uncached), while sign-in, sign-up and password reset answer 503 with Retry-After
and a clear message, and a member's post is refused with a 429, the text kept (the
posting decision: fail closed, staff excepted). A last group runs the same backend
against the real Redis on 127.0.0.1:6379, when there is one, under a key prefix of
its own.
"""

import socket
import time
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from community import cache as content_cache
from community.cache_backend import (
    RETRY_SECONDS,
    CacheUnavailable,
    TolerantRedisCache,
    outages,
)
from community.models import Thread
from tests.factories import UserFactory
from tests.helpers import client_for

BACKEND = "community.cache_backend.TolerantRedisCache"
REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_reachable(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.25):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _no_outage_remembered():
    outages.forget()
    content_cache.forget_process_state()
    yield
    outages.forget()
    content_cache.forget_process_state()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": BACKEND,
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "KEY_PREFIX": "relais-test-down",
            "OPTIONS": REDIS_OPTIONS,
        }
    }


# --- pages keep serving ---------------------------------------------------------------


def test_visitor_pages_answer_when_redis_is_down(thread, redis_down):
    client = Client()

    for path in ("/community/", thread.get_absolute_url(), "/", "/community/search/?q=leak"):
        assert client.get(path).status_code == 200, path


def test_member_pages_answer_when_redis_is_down(member, thread, redis_down):
    client = client_for(member)

    assert client.get("/community/").status_code == 200
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_a_dead_redis_is_not_asked_again_at_every_call(redis_down, monkeypatch):
    calls = []
    original = TolerantRedisCache._errors

    def counted(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(TolerantRedisCache, "_errors", counted)
    assert cache.get("a") is None  # refused: the outage starts
    for _ in range(50):
        assert cache.get("a") is None
        cache.set("a", 1)
    # _errors is only looked up when a call to Redis failed: the first call and its
    # one retry on a new connection (a restart, not an outage, would pass there).
    assert len(calls) == 2
    assert RETRY_SECONDS <= 5


def test_reads_miss_writes_drop_and_claims_raise_when_redis_is_down(redis_down):
    assert cache.get("key", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("key", 1) is None
    assert cache.delete("key") is False
    assert cache.get_or_set("computed", lambda: 42) == 42
    with pytest.raises(CacheUnavailable):
        cache.add("lock", True)
    with pytest.raises(CacheUnavailable):
        cache.incr("counter")


# --- sign-in limits fail closed -----------------------------------------------------------

UNAVAILABLE_TEXT = "the service that protects accounts from password"


def assert_paused(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert UNAVAILABLE_TEXT in " ".join(page.split())
    assert "Traceback" not in page


def test_sign_in_is_refused_when_the_limit_store_is_down(redis_down, db):
    UserFactory(username="camille", password="a long and right password")
    client = Client(raise_request_exception=False)

    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"login": "camille", "password": "a long and right password"}
    )

    assert_paused(response)
    assert "_auth_user_id" not in client.session


def test_sign_up_is_refused_when_the_limit_store_is_down(redis_down, db):
    client = Client(raise_request_exception=False)

    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "username": "newcomer",
            "password1": "a long and right password",
            "password2": "a long and right password",
        },
    )

    assert_paused(response)
    from accounts.models import User

    assert not User.objects.filter(username="newcomer").exists()


def test_password_reset_is_refused_when_the_limit_store_is_down(redis_down, member, mailoutbox):
    client = Client(raise_request_exception=False)

    response = client.post("/accounts/password/reset/", {"email": member.email})

    assert_paused(response)
    assert mailoutbox == []


def test_admin_sign_in_is_refused_when_the_limit_store_is_down(redis_down, superuser):
    client = Client(raise_request_exception=False)

    response = client.post("/admin/login/", {"username": superuser.username, "password": "x"})

    assert_paused(response)


# --- posting fails closed, staff excepted -----------------------------------------------


def ask(client, category, title="The kettle whistles all night long"):
    return client.post(
        reverse("community:ask"),
        {
            "title": title,
            "body": "It whistles even when it is switched off, every night.",
            "category": category.pk,
            "tags": "kettle",
        },
    )


@pytest.mark.posting_limits
def test_members_cannot_post_while_the_limits_cannot_count(redis_down, member, category):
    response = ask(client_for(member), category)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Posting is paused for a moment" in page
    # Nothing typed is lost: the form comes back with the text.
    assert "It whistles even when it is switched off, every night." in page
    assert not Thread.objects.filter(author=member).exists()


@pytest.mark.posting_limits
def test_members_cannot_reply_while_the_limits_cannot_count(member, thread, redis_down):
    response = client_for(member).post(
        reverse("community:reply_create", args=[thread.pk]),
        {"body": "Have you tried descaling it with vinegar?"},
    )

    assert response.status_code == 429
    assert "Posting is paused for a moment" in response.content.decode()
    assert not thread.replies.filter(author=member).exists()


@pytest.mark.posting_limits
def test_staff_still_post_while_the_limits_cannot_count(moderator, thread, redis_down):
    response = client_for(moderator).post(
        reverse("community:reply_create", args=[thread.pk]),
        {"body": "We are sorry about this: we are sending you a new kettle today."},
    )

    assert response.status_code == 302
    assert thread.replies.filter(author=moderator, is_official=True).exists()


# --- the real Redis -------------------------------------------------------------------


@pytest.fixture
def real_redis(settings):
    if not redis_reachable():
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    prefix = f"relais-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": BACKEND,
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
            "OPTIONS": REDIS_OPTIONS,
        }
    }
    yield prefix
    # Only this test's own keys, never the shared Redis's others.
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_backend_works_normally_on_a_real_redis(real_redis):
    assert cache.get("missing") is None
    cache.set("value", {"a": 1}, 30)
    assert cache.get("value") == {"a": 1}
    assert cache.add("value", "other") is False
    assert cache.add("fresh", 1, 30) is True
    assert cache.incr("fresh") == 2
    assert cache.decr("fresh") == 1
    with pytest.raises(ValueError):
        cache.incr("never-set")
    assert cache.get_many(["value", "fresh", "missing"]) == {"value": {"a": 1}, "fresh": 1}
    assert cache.delete("value") is True
    assert cache.get("value") is None


def test_visitor_pages_are_cached_on_a_real_redis(real_redis, thread):
    client = Client()
    assert client.get("/community/").status_code == 200
    import redis

    stored = redis.Redis.from_url("redis://127.0.0.1:6379/0").keys(f"{real_redis}:*visitor-page*")
    assert stored


@pytest.mark.posting_limits
def test_posting_limits_count_on_a_real_redis(real_redis, member, category):
    response = ask(client_for(member), category)

    assert response.status_code == 302
    assert Thread.objects.filter(author=member).count() == 1


def test_content_version_moves_on_when_redis_comes_back(real_redis, db):
    before = content_cache.content_version()
    location = cache._location
    # An outage as the backend records it, and its retry delay passed.
    outages.failed(location)
    outages.retry_at[location] = time.monotonic() - 1

    # The first read after the outage already sees the version moved on.
    assert content_cache.content_version() > before


def test_a_write_during_the_outage_is_not_hidden_by_pages_cached_before(real_redis, settings, db):
    location = settings.CACHES["default"]["LOCATION"]
    before = content_cache.content_version()
    # Redis stops: writes meanwhile cannot move the version on...
    outages.failed(location)
    content_cache.content_changed()
    # ...and once it is back, the first call that succeeds moves it on.
    outages.retry_at[location] = time.monotonic() - 1
    content_cache.forget_process_state()

    assert content_cache.content_version() != before
