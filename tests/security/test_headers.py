"""Security headers: the strict Content-Security-Policy on every page of ours, the
looser one on the admin, and pages that need neither inline script nor inline style
(issue 8, "Security headers")."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.config.security import ADMIN_POLICY_HEADER, PUBLIC_POLICY_HEADER
from community.models import HelpArticlePage, HelpIndexPage, HomePage
from tests.factories import CategoryFactory, ReplyFactory, ThreadFactory, UserFactory
from tests.security.html_checks import find_violations
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


# The policies themselves -----------------------------------------------------------


def test_public_policy_allows_only_our_own_scripts_and_styles():
    policy = directives(PUBLIC_POLICY_HEADER)

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Posts may show https images (community.markdown); nothing else from elsewhere.
    assert policy["img-src"] == ["'self'", "https:"]
    assert not any("nonce-" in source for sources in policy.values() for source in sources)


def test_admin_policy_is_looser_only_where_wagtail_needs_it():
    policy = directives(ADMIN_POLICY_HEADER)

    assert policy["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # Wagtail shows page previews in an iframe of our own admin.
    assert policy["frame-ancestors"] == ["'self'"]


# Every page type of ours -----------------------------------------------------------


@pytest.fixture
def site_pages(db):
    """Address of each kind of public page, with content in it."""
    author = UserFactory(username="ada")
    category = CategoryFactory(name="Espresso machines", slug="espresso", colour="#7A1F3D")
    thread = ThreadFactory(category=category, author=author, title="The blender stops")
    ReplyFactory(thread=thread, body="Clean the **filter**, then try again.")
    index = HelpIndexPage(title="Help centre", slug="help", intro="<p>Answers.</p>")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    article = HelpArticlePage(title="Descaling", summary="How to descale.", body=[])
    index.add_child(instance=article)
    article.save_revision().publish()
    return {
        "home": "/",
        "thread list": "/community/",
        "category": category.get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "search": "/community/search/?q=blender",
        "profile": "/u/ada/",
        "help index": index.url,
        "help article": article.url,
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "not found": "/community/c/no-such-category/",
        "not found (Wagtail)": "/no-such-page/",
    }


PAGE_NAMES = [
    "home",
    "thread list",
    "category",
    "thread",
    "search",
    "profile",
    "help index",
    "help article",
    "login",
    "signup",
    "not found",
    "not found (Wagtail)",
]


def assert_public_headers(response) -> None:
    assert response["Content-Security-Policy"] == PUBLIC_POLICY_HEADER
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"].startswith(PERMISSIONS_POLICY)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_public_page_carries_the_strict_policy(client, site_pages, name):
    response = client.get(site_pages[name])

    expected = 404 if name.startswith("not found") else 200
    assert response.status_code == expected
    assert_public_headers(response)


def test_a_visitors_cached_page_carries_the_headers_too(client, site_pages):
    first = client.get("/community/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/community/")

    # The second page comes from the cache of visitors' pages, without a query.
    assert len(queries) == 0
    assert_public_headers(first)
    assert_public_headers(second)


def test_members_and_staff_pages_carry_the_strict_policy(
    member_client, moderator_client, site_pages
):
    for client, path in [
        (member_client, "/community/ask/"),
        (member_client, site_pages["thread"]),
        (member_client, "/community/notifications/"),
        (moderator_client, "/moderation/"),
        (moderator_client, "/moderation/metrics/"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_public_headers(response)


def test_the_brand_stylesheet_is_served_from_our_origin(client):
    response = client.get("/brand.css?v=1d5a85154566e6f0f7")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert "--color-brand: #1d5a85;" in response.content.decode()


def test_a_views_own_stricter_policy_is_kept(client, rf):
    from django.http import HttpResponse

    from community.config.security import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("file")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/documents/1/manual.pdf"))

    assert response["Content-Security-Policy"] == "default-src 'none'"


# The admin --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/django-admin/"])
def test_the_admin_carries_the_admin_policy(superuser_client, path):
    response = superuser_client.get(path)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == ADMIN_POLICY_HEADER
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_sign_in_page_carries_the_admin_policy(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == ADMIN_POLICY_HEADER


def test_a_page_preview_may_be_framed_by_the_admin(superuser_client):
    """Wagtail previews a page in an iframe of /admin/pages/<id>/edit/preview/: that
    response must allow our own admin as its frame ancestor, and render the page."""
    index = HelpIndexPage(title="Help centre", slug="help", intro="<p>Answers.</p>")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    preview_url = f"/admin/pages/{index.pk}/edit/preview/"
    form = {
        "title": "Help centre, previewed",
        "slug": "help",
        "intro": '{"blocks": [{"key": "a", "type": "unstyled", "text": "Answers.", '
        '"depth": 0, "inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}',
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }

    posted = superuser_client.post(preview_url, form)
    assert posted.json()["is_valid"] is True, posted.content
    response = superuser_client.get(preview_url)

    assert response.status_code == 200
    assert "Help centre, previewed" in response.content.decode()
    assert response["Content-Security-Policy"] == ADMIN_POLICY_HEADER
    assert "'self'" in directives(response["Content-Security-Policy"])["frame-ancestors"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


# No inline script or style in our pages ---------------------------------------------


class _InlineStyles(HTMLParser):
    """style="" attributes and <style> elements: the strict policy refuses both."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")


def inline_styles(html: str) -> list[str]:
    parser = _InlineStyles()
    parser.feed(html)
    parser.close()
    return parser.found


def _inline_code(html: str) -> list[str]:
    return [str(violation) for violation in find_violations(html)] + inline_styles(html)


def test_inline_style_checker_finds_what_the_policy_refuses():
    assert inline_styles('<p style="color: red">x</p><style>p {}</style>') == [
        "<p style='color: red'>",
        "<style>",
    ]
    assert inline_styles('<svg><circle fill="#7a1f3d"/></svg><p title="style=x">') == []


def test_no_page_of_ours_holds_inline_script_handlers_or_style(
    client, member_client, moderator_client, site_pages
):
    """What the strict policy would block: inline <script> (JSON-LD data aside), on*
    handlers, javascript: URLs, style attributes and <style> elements."""
    pages = [(client, site_pages[name]) for name in PAGE_NAMES] + [
        (member_client, "/community/ask/"),
        (member_client, site_pages["thread"]),
        (member_client, "/community/notifications/"),
        (moderator_client, "/moderation/"),
        (moderator_client, "/moderation/metrics/"),
        (moderator_client, "/moderation/approvals/"),
        (moderator_client, "/moderation/reports/"),
    ]
    found = {}
    for page_client, path in pages:
        problems = _inline_code(page_client.get(path).content.decode())
        if problems:
            found[path] = problems
    # htmx fragments are swapped into those pages: the same rules hold for them.
    fragment = member_client.get(
        "/community/ask/suggestions/", {"title": "blender stops"}, HTTP_HX_REQUEST="true"
    )
    if problems := _inline_code(fragment.content.decode()):
        found["ask suggestions fragment"] = problems

    assert found == {}


def test_htmx_is_told_not_to_insert_styles_eval_or_run_swapped_scripts(client):
    html = client.get("/community/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)

    # Each would run into the Content-Security-Policy (and log an error) otherwise.
    assert json.loads(config) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }


# Production settings ------------------------------------------------------------------


def _production_settings(**env_overrides) -> dict:
    """The security settings as a production start (DEBUG off) reads them."""
    names = [
        "DEBUG",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "MIDDLEWARE",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "k7Qz" * 12,
        ALLOWED_HOSTS="community.example.com",
        **env_overrides,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_gets_hsts_https_and_secure_cookies():
    values = _production_settings()

    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    # The policy headers are added outside every cache and view of ours.
    middleware = values["MIDDLEWARE"]
    assert middleware.index(
        "community.config.security.SecurityHeadersMiddleware"
    ) < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
