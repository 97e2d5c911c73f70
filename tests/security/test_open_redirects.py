"""Open redirects (issue 8): each hostile `next` is sent to every place that reads
one, and the answer must stay on this site, never a 500, within a second a hop."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

from tests.security.bad_input import TIME_LIMIT, client_for
from tests.security.figures import record

pytestmark = pytest.mark.django_db

HOSTILE_TARGETS = [
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "http://evil.example",
    "///evil.example",
    " //evil.example",
    "/\t/evil.example",
    "http://testserver@evil.example",
    "//evil.example/%2F..",
]
OUR_HOSTS = {"testserver"}


def stays_on_site(location: str) -> bool:
    """Whether a browser following `location` stays on this site.

    Strict on purpose: a path starting with one slash (not two, not a backslash,
    once browsers have dropped tabs and newlines and read backslashes as
    slashes), or an absolute http(s) URL to our own host.
    """
    browser_view = re.sub(r"[\t\r\n]", "", location).strip().replace("\\", "/")
    if re.match(r"^/(?!/)", browser_view):
        return True
    parts = urlsplit(browser_view)
    return (
        parts.scheme in {"http", "https"}
        and browser_view.lower().startswith(f"{parts.scheme}://")
        and parts.hostname in OUR_HOSTS
        and "@" not in parts.netloc
    )


def _redirect_places(world):
    """(name, who, method, url, data) of every place that reads a `next`."""
    member = world["member"]
    return [
        ("login GET", "anon", "get", "/accounts/login/", {}),
        ("login POST", "anon", "post", "/accounts/login/",
         {"login": member.username, "password": "correct-horse-battery-staple"}),
        ("logout", "member", "post", "/accounts/logout/", {}),
        ("signup", "anon", "post", "/accounts/signup/",
         {"email": "new@example.com", "username": "newcomer", "password1": "a-Long-pass-42!",
          "password2": "a-Long-pass-42!"}),
        ("password change", "member", "post", "/accounts/password/change/",
         {"oldpassword": "correct-horse-battery-staple", "password1": "n3w-Long-pass!",
          "password2": "n3w-Long-pass!"}),
        ("setlang POST", "anon", "post", "/i18n/setlang/", {"language": "fr"}),
        ("setlang GET", "anon", "get", "/i18n/setlang/", {"language": "fr"}),
        ("claim", "moderator", "post", f"/moderation/t/{world['thread']}/claim/", {}),
        ("release", "moderator", "post", f"/moderation/t/{world['thread']}/release/", {}),
        ("approve", "moderator", "post", f"/moderation/t/{world['thread']}/approve/", {}),
        ("members only action", "anon", "post", f"/community/t/{world['thread']}/follow/", {}),
    ]  # fmt: skip


def _follow_chain(client, method, url, data, extra) -> list[tuple[int, str]]:
    """Each (status, Location) of the answer and of the redirects that stay here."""
    hops = []
    response = getattr(client, method)(url, data, **extra)
    for _ in range(5):
        location = response.get("Location", "")
        hops.append((response.status_code, location))
        if not (300 <= response.status_code < 400) or not stays_on_site(location):
            break
        parts = urlsplit(location)
        response = client.get(parts.path, {}, QUERY_STRING=parts.query)
    return hops


def test_stays_on_site_reads_urls_as_browsers_do():
    assert stays_on_site("/community/")
    assert stays_on_site("http://testserver/community/")
    for target in HOSTILE_TARGETS:
        if target != "/%2F%2Fevil.example":  # a path on our site; only a lax server decodes it
            assert not stays_on_site(target), target


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_no_next_parameter_leads_off_site(target, world):
    failures = []
    cases = 0
    for name, who, method, url, data in _redirect_places(world):
        cases += 1
        client = client_for(who, world)
        started = time.process_time()
        if method == "get":
            hops = _follow_chain(client, "get", url, {**data, "next": target}, {})
        else:
            hops = _follow_chain(client, "post", url, {**data, "next": target}, {})
        elapsed = time.process_time() - started
        for status, location in hops:
            if status >= 500:
                failures.append(f"{name}: {status}")
            elif 300 <= status < 400 and not stays_on_site(location):
                failures.append(f"{name}: redirects to {location!r}")
        if elapsed >= TIME_LIMIT * len(hops):
            failures.append(f"{name}: {elapsed:.2f}s")
    record("bad_input", cases=cases, failures=len(failures))
    assert not failures, failures


def test_setlang_next_from_referer_stays_on_site(world):
    client = client_for("anon", world)
    for target in HOSTILE_TARGETS:
        response = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER=target)
        assert stays_on_site(response["Location"]), (target, response["Location"])
