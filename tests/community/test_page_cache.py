"""Pages cached for visitors (community.cache.cache_page_for_visitors).

Signed-out visitors share one rendering of a page until the next write; these
tests prove the two promises that come with it: nobody is ever shown another
person's state (their name, votes, notifications, staff tools, messages or
CSRF token), and whoever writes sees the result on their next page, as do
visitors. The writes here go through real requests, so the version is moved on
by the site itself, not by the test fixture that does it for factories.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.cache import csrf_placeholder, process_pages
from tests.factories import ModeratorFactory, ReplyFactory, ThreadFactory, UserFactory

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _writes_move_content_version():
    """Off here: only the site's own requests move the version on in these tests."""
    yield


@pytest.fixture
def thread(db):
    thread = ThreadFactory(title="The grinder hums but grinds nothing")
    ReplyFactory(thread=thread, body="Check the burrs for an old bean.")
    return thread


def html_of(client, path, **extra) -> str:
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    return response.content.decode()


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_second_visitor_is_served_the_first_visitors_rendering(thread):
    path = thread.get_absolute_url()
    first = count_queries(Client(), path)
    second = count_queries(Client(), path)

    assert second < first
    assert second == 0  # no session, no thread, no reply: all from the cache
    assert "Check the burrs" in html_of(Client(), path)


@pytest.mark.parametrize("path_name", ["thread_list", "search"])
def test_list_and_search_pages_are_cached_per_address(thread, path_name):
    path = reverse(f"community:{path_name}")
    html_of(Client(), f"{path}?q=grinder")
    assert count_queries(Client(), f"{path}?q=grinder") == 0
    stored = len(process_pages.pages)
    html_of(Client(), f"{path}?q=burrs")
    assert len(process_pages.pages) == stored + 1  # another address, another page


def test_every_visitor_gets_their_own_working_csrf_token_on_a_cached_page(thread):
    path = thread.get_absolute_url()
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = html_of(visitor, path)
        assert csrf_placeholder() not in html
        token = CSRF_INPUT.search(html).group(1)
        assert f'"X-CSRFToken": "{token}"' in html  # htmx requests send the same token
        tokens.append(token)
        # The token works with this visitor's own cookie: the language switcher posts.
        response = visitor.post(
            reverse("set_language"),
            {"language": "fr", "next": path, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
    assert tokens[0] != tokens[1]


def test_a_members_page_is_never_a_visitors_page_nor_the_reverse(thread):
    member = UserFactory(display_name="Marguerite Ostrander")
    path = thread.get_absolute_url()
    html_of(Client(), path)  # a visitor's rendering is cached

    member_html = html_of(signed_in(member), path)
    assert "Marguerite Ostrander" in member_html
    assert reverse("account_logout") in member_html

    visitor_html = html_of(Client(), path)
    assert "Marguerite Ostrander" not in visitor_html
    assert reverse("account_logout") not in visitor_html
    assert reverse("account_login") in visitor_html


def test_a_members_votes_and_follows_never_show_to_a_visitor(thread):
    member = UserFactory()
    reply = thread.replies.get()
    services.reply_set_helpful(user=member, reply=reply, helpful=True)
    path = thread.get_absolute_url()
    member_client = signed_in(member)
    member_client.post(reverse("community:thread_follow", args=[thread.pk]))
    member_html = html_of(member_client, path)
    assert 'aria-pressed="true"' in member_html

    for _ in range(2):  # rendered, then from the cache
        assert 'aria-pressed="true"' not in html_of(Client(), path).split("<footer")[0]


def test_staff_tools_never_show_to_a_visitor(thread):
    path = thread.get_absolute_url()
    moderator_html = html_of(signed_in(ModeratorFactory()), path)
    assert "staff-tools" in moderator_html
    assert 'data-testid="queue-link"' in moderator_html

    for _ in range(2):
        visitor_html = html_of(Client(), path)
        assert "staff-tools" not in visitor_html
        assert 'data-testid="queue-link"' not in visitor_html


def test_a_message_for_one_visitor_is_shown_to_them_alone(thread):
    leaving = signed_in(UserFactory())
    response = leaving.post(reverse("account_logout"), {"next": "/community/"}, follow=True)
    assert "You have signed out." in response.content.decode()

    assert "You have signed out." not in html_of(Client(), "/community/")
    assert "You have signed out." not in html_of(leaving, "/community/")  # shown once


@pytest.fixture
def renderings(monkeypatch) -> list[str]:
    """The thread pages rendered by the view (not served from a stored page), in order:
    a query count cannot tell, since a rendering may read everything from the cache."""
    from community import views

    rendered = []
    render_context = views._thread_context

    def counted(request, *args, **kwargs):
        rendered.append(request.path)
        return render_context(request, *args, **kwargs)

    monkeypatch.setattr(views, "_thread_context", counted)
    return rendered


def test_htmx_requests_are_rendered_for_each_request(thread, renderings):
    path = thread.get_absolute_url()
    html_of(Client(), path)
    html_of(Client(), path)  # the stored page
    assert renderings == [path]

    html_of(Client(HTTP_HX_REQUEST="true"), path)
    html_of(Client(HTTP_HX_REQUEST="true"), path)
    assert renderings == [path, path, path]


def test_each_language_has_its_own_cached_page(thread):
    path = thread.get_absolute_url()
    assert 'lang="en"' in html_of(Client(), path)
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in html_of(french, path)
    assert '<html lang="en">' in html_of(Client(), path)


def test_a_members_reply_shows_at_once_to_them_and_to_visitors(thread):
    path = thread.get_absolute_url()
    assert "Descale it first" not in html_of(Client(), path)  # cached without the reply
    member = signed_in(UserFactory())

    response = member.post(
        reverse("community:reply_create", args=[thread.pk]), {"body": "Descale it first."}
    )

    assert response.status_code == 302
    assert "Descale it first" in html_of(member, path)
    assert "Descale it first" in html_of(Client(), path)


def test_a_new_thread_shows_at_once_in_the_lists_visitors_see(thread):
    html_of(Client(), "/community/")
    member = signed_in(UserFactory())
    response = member.post(
        reverse("community:ask"),
        {
            "title": "Steam wand spits water everywhere",
            "category": thread.category_id,
            "body": "Since yesterday the steam wand spits hot water.",
            "tags": "",
        },
    )
    assert response.status_code == 302
    assert "Steam wand spits water" in html_of(member, "/community/")
    assert "Steam wand spits water" in html_of(Client(), "/community/")
    assert "Steam wand spits water" in html_of(Client(), thread.category.get_absolute_url())


def test_a_hidden_reply_leaves_visitors_pages_at_once(thread):
    path = thread.get_absolute_url()
    reply = thread.replies.get()
    assert "Check the burrs" in html_of(Client(), path)
    moderator = signed_in(ModeratorFactory())

    response = moderator.post(
        reverse("moderation:reply_hide", args=[reply.pk]), {"reason": "Off topic"}
    )

    assert response.status_code == 302
    assert "Check the burrs" not in html_of(Client(), path)


def test_a_write_in_another_process_reaches_visitors_within_a_second(thread, monkeypatch):
    from django.core.cache import cache

    from community import cache as page_cache

    path = thread.get_absolute_url()
    assert "Check the burrs" in html_of(Client(), path)
    # Another process hid the reply and moved the shared version on: this process
    # only learns it by reading the shared cache again.
    thread.replies.update(visibility="hidden")
    cache.set(page_cache.CONTENT_VERSION_KEY, page_cache.content_version() + 1, timeout=None)
    assert "Check the burrs" in html_of(Client(), path)  # still this process's second

    monkeypatch.setattr(page_cache._visitor_version, "read_at", 0.0)  # the second has passed
    assert "Check the burrs" not in html_of(Client(), path)


def test_the_home_page_is_cached_for_visitors_and_never_for_members(thread):
    html_of(Client(), "/")
    # Only Wagtail's routing to the page (site and page lookups) runs again.
    with CaptureQueriesContext(connection) as context:
        assert Client().get("/").status_code == 200
    assert not [q for q in context.captured_queries if "community_thread" in q["sql"]]
    assert len(context.captured_queries) <= 4
    member = UserFactory(display_name="Henriette Vasquez")
    assert "Henriette Vasquez" in html_of(signed_in(member), "/")
    assert "Henriette Vasquez" not in html_of(Client(), "/")


# Wagtail pages ------------------------------------------------------------------------


@pytest.fixture
def help_article(db):
    from community.models import HelpArticlePage, HelpIndexPage, HomePage

    index = HelpIndexPage(title="Help centre", slug="help")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    article = HelpArticlePage(title="Descaling your grinder", slug="descaling", summary="How.")
    index.add_child(instance=article)
    article.save_revision().publish()
    return article


@pytest.fixture
def content_page(db):
    from community.models import ContentPage, HomePage

    page = ContentPage(title="Community guidelines", slug="guidelines", intro="Be kind.")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture(params=["development", "production"])
def https(request, settings):
    """Development (DEBUG on, plain HTTP) and production-like settings (DEBUG off,
    secure cookies, HTTPS, where Django also checks the Referer of every post)."""
    production = request.param == "production"
    settings.DEBUG = not production
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = production
    return production


def switch_language(visitor, token, *, path, https):
    extra = {"secure": True, "HTTP_REFERER": f"https://testserver{path}"} if https else {}
    return visitor.post(
        reverse("set_language"),
        {"language": "fr", "next": path, "csrfmiddlewaretoken": token},
        **extra,
    )


@pytest.mark.parametrize("page", ["home", "help index", "help article", "content page"])
def test_visitors_each_get_their_own_token_on_cached_wagtail_pages(
    page, help_article, content_page, https
):
    path = {
        "home": "/",
        "help index": "/help/",
        "help article": help_article.url,
        "content page": content_page.url,
    }[page]
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(path, secure=https)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert csrf_placeholder() not in html
        found = set(CSRF_INPUT.findall(html))
        assert len(found) == 1  # the language switcher and any other form share it
        (token,) = found
        assert all(earlier not in html for earlier in tokens)  # nobody else's token
        tokens.append(token)

        response = switch_language(visitor, token, path=path, https=https)

        assert response.status_code == 302, response.content[:300]
        # The page's French address, which sends back here while it is not translated.
        assert response["Location"] == f"/fr{path}"
        assert visitor.get(f"/fr{path}", secure=https)["Location"] == path
    assert tokens[0] != tokens[1]


@pytest.mark.parametrize("path", ["/", "/help/"])
def test_wagtail_pages_stay_cached_for_visitors(help_article, path):
    first = count_queries(Client(), path)
    with CaptureQueriesContext(connection) as context:
        html_of(Client(), path)
    # Only Wagtail's routing to the page (site, page and restriction lookups) runs again.
    assert len(context.captured_queries) < first
    assert not [
        q
        for q in context.captured_queries
        if any(table in q["sql"] for table in ('"community_thread"', '"community_helparticlepage"'))
    ]


def test_a_page_that_used_the_visitors_real_token_is_not_stored(thread, monkeypatch, renderings):
    from community import context_processors

    # Templates given the real token (not the placeholder) make the page the
    # visitor's own: it is served to them and not kept for the next one.
    monkeypatch.setattr(context_processors, "renders_for_page_cache", lambda request: False)
    path = thread.get_absolute_url()
    first = Client(enforce_csrf_checks=True)
    first_token = CSRF_INPUT.search(html_of(first, path)).group(1)
    html_of(Client(), path)
    assert renderings == [path, path]  # rendered again, not from the cache
    assert first_token not in html_of(Client(), path)
