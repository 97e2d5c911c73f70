"""Visitors answered from the cache before sessions, authentication and the view
(community.config.middleware.VisitorPageMiddleware).

A cached answer must be the page a visitor would have been rendered, headers and a
working CSRF token of their own included, and must never reach anyone whose
request carries something of theirs: a session (a member, or a visitor who gave a
page's password), a message waiting, an htmx request.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from community.cache import csrf_placeholder
from tests.factories import ReplyFactory, ThreadFactory, UserFactory

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Set for each answer on its own: the visitor's cookie, and the body's length.
PER_ANSWER_HEADERS = {"Set-Cookie"}


@pytest.fixture(autouse=True)
def _writes_move_content_version():
    """Off here: the pages must stay cached between the requests of a test."""
    yield


@pytest.fixture
def thread(db):
    thread = ThreadFactory(title="The kettle clicks off before it boils")
    ReplyFactory(thread=thread, body="Scale on the thermostat: descale it.")
    return thread


def answered_early(response) -> bool:
    # SessionMiddleware, which comes after the visitors' middleware, never ran.
    return not hasattr(response.wsgi_request, "session")


def headers_of(response) -> dict[str, str]:
    return {name: value for name, value in response.items() if name not in PER_ANSWER_HEADERS}


@pytest.mark.parametrize("path_of", ["list", "thread"])
def test_a_visitor_is_answered_before_sessions_with_every_header_of_the_page(thread, path_of):
    path = {"list": reverse("community:thread_list"), "thread": thread.get_absolute_url()}[path_of]
    rendered = Client().get(path)
    assert not answered_early(rendered)

    cached = Client().get(path)

    assert cached.status_code == 200
    assert answered_early(cached)
    assert cached.content.decode().count("The kettle clicks off") >= 1
    assert headers_of(cached) == headers_of(rendered)
    assert cached["Content-Security-Policy"].startswith("default-src 'self'")
    assert cached["X-Frame-Options"] == "DENY"
    assert cached["Content-Language"] == "en"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in cached["Vary"].split(",")}
    assert int(cached["Content-Length"]) == len(cached.content)


def test_an_early_answer_over_https_carries_hsts_and_a_secure_cookie(thread, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.CSRF_COOKIE_SECURE = True
    path = thread.get_absolute_url()
    Client().get(path, secure=True)

    cached = Client().get(path, secure=True)

    assert answered_early(cached)
    assert cached["Strict-Transport-Security"].startswith("max-age=31536000")
    assert cached.cookies[settings.CSRF_COOKIE_NAME]["secure"]


def test_each_visitor_answered_early_gets_a_working_token_of_their_own(thread):
    path = thread.get_absolute_url()
    Client().get(path)
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(path)
        assert answered_early(response)
        html = response.content.decode()
        assert csrf_placeholder() not in html
        (token,) = set(CSRF_INPUT.findall(html))
        assert f'"X-CSRFToken": "{token}"' in html
        assert all(earlier not in html for earlier in tokens)
        tokens.append(token)

        refused = Client(enforce_csrf_checks=True).post(
            reverse("set_language"), {"language": "fr", "csrfmiddlewaretoken": token}
        )
        accepted = visitor.post(
            reverse("set_language"),
            {"language": "fr", "next": path, "csrfmiddlewaretoken": token},
        )

        assert refused.status_code == 403  # another browser, without this visitor's cookie
        assert accepted.status_code == 302


def test_a_returning_visitor_keeps_their_csrf_cookie_and_every_token_works(thread):
    path = thread.get_absolute_url()
    Client().get(path)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(path)
    cookie = visitor.cookies[settings.CSRF_COOKIE_NAME].value

    again = visitor.get(path)

    assert answered_early(again)
    assert visitor.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    token = CSRF_INPUT.search(again.content.decode()).group(1)
    response = visitor.post(
        reverse("set_language"), {"language": "fr", "next": path, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_member_is_never_answered_early(thread):
    member = UserFactory(display_name="Ottoline Brackenbury")
    path = thread.get_absolute_url()
    Client().get(path)
    assert answered_early(Client().get(path))
    client = Client()
    client.force_login(member)

    response = client.get(path)

    assert not answered_early(response)
    assert "Ottoline Brackenbury" in response.content.decode()
    assert reverse("account_logout") in response.content.decode()


def test_a_visitor_with_a_session_is_served_the_cached_page_after_the_checks(thread):
    path = thread.get_absolute_url()
    Client().get(path)
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"

    response = visitor.get(path)

    assert not answered_early(response)
    assert response.status_code == 200
    token = CSRF_INPUT.search(response.content.decode()).group(1)
    assert "Scale on the thermostat" in response.content.decode()
    assert (
        visitor.post(
            reverse("set_language"), {"language": "fr", "next": path, "csrfmiddlewaretoken": token}
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    "extra",
    [{"HTTP_HX_REQUEST": "true"}, {"HTTP_AUTHORIZATION": "Bearer something"}],
    ids=["htmx", "credentials"],
)
def test_requests_that_may_be_someones_are_not_answered_early(thread, extra):
    path = reverse("community:thread_list")
    Client().get(path)

    assert not answered_early(Client().get(path, **extra))


def test_a_site_that_keeps_csrf_secrets_in_sessions_is_never_answered_early(thread, settings):
    settings.CSRF_USE_SESSIONS = True
    path = thread.get_absolute_url()
    Client().get(path)
    visitor = Client(enforce_csrf_checks=True)

    response = visitor.get(path)

    assert not answered_early(response)
    token = CSRF_INPUT.search(response.content.decode()).group(1)
    response = visitor.post(
        reverse("set_language"), {"language": "fr", "next": path, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "reader",
    [{"HTTP_ACCEPT_LANGUAGE": "fr"}, {"cookie": "fr"}, {"HTTP_ACCEPT_LANGUAGE": "en"}],
    ids=["french browser", "french cookie", "english browser"],
)
def test_each_language_is_answered_early_with_its_own_page(thread, reader):
    path = thread.get_absolute_url()
    for language in ("en", "fr"):  # both languages cached, English first
        Client(HTTP_ACCEPT_LANGUAGE=language).get(path)
    visitor = Client(**{key: value for key, value in reader.items() if key != "cookie"})
    if "cookie" in reader:
        visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = reader["cookie"]
    expected = reader.get("cookie") or reader["HTTP_ACCEPT_LANGUAGE"]

    response = visitor.get(path)

    assert answered_early(response)
    assert f'<html lang="{expected}">' in response.content.decode()
    assert response["Content-Language"] == expected


def test_head_requests_keep_the_answer_the_view_gives_them(thread):
    path = reverse("community:thread_list")
    Client().get(path)

    # The list views answer GET only: a cached page does not change that.
    assert Client().head(path).status_code == 405


def test_a_page_opened_with_its_password_is_never_answered_early(db):
    from wagtail.models import PageViewRestriction

    from community.models import ContentPage, HomePage

    page = ContentPage(title="Staff offsite", slug="offsite", intro="Meet at the old mill.")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="kettle"
    )
    insider = Client()
    assert "Meet at the old mill" not in insider.get(page.url).content.decode()
    response = insider.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk]),
        {"password": "kettle", "return_url": page.url},
    )
    assert response.status_code == 302
    assert "Meet at the old mill" in insider.get(page.url).content.decode()
    assert "Meet at the old mill" in insider.get(page.url).content.decode()

    for _ in range(2):
        assert "Meet at the old mill" not in Client().get(page.url).content.decode()


def test_a_page_unpublished_outside_a_request_leaves_visitors_cached_answers_at_once(
    db, django_capture_on_commit_callbacks
):
    # publish_scheduled unpublishes with no request around it: the page cached for
    # visitors, answered before routing, must not outlive it.
    from community.models import ContentPage, HomePage

    page = ContentPage(title="Winter sale", slug="winter-sale", intro="Ten percent off kettles.")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    assert "Ten percent off" in Client().get(page.url).content.decode()
    assert "Ten percent off" in Client().get(page.url).content.decode()  # from the cache

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert Client().get(page.url).status_code == 404
