"""Every moderation route, walked from the URL configuration: visitors are sent to
sign in, members and editors are refused (except reporting, which members do),
moderators get in. A route added without thinking about who may use it fails here.
"""

import pytest
from django.urls import URLPattern, reverse

from community.models import Thread
from moderation import urls as moderation_urls
from tests.factories import ReplyFactory

# Members report posts; everything else in /moderation/ is for staff.
MEMBER_ROUTES = {"report_thread", "report_reply"}
# The pages a moderator opens with GET; every other route only takes POST.
PAGES = {"queue", "metrics", "metrics_csv", "approvals", "reports", "member_suspend"}
PAGES |= MEMBER_ROUTES


def _routes() -> list[URLPattern]:
    return [p for p in moderation_urls.urlpatterns if isinstance(p, URLPattern)]


@pytest.fixture
def post(db, member):
    reply = ReplyFactory(author=member)
    return reply


def _url(route: URLPattern, reply, username: str) -> str:
    kwargs = {}
    converters = route.pattern.converters
    if "pk" in converters:
        kwargs["pk"] = (
            reply.pk if str(route.pattern).startswith(("r/", "report/r/")) else (reply.thread_id)
        )
    if "username" in converters:
        kwargs["username"] = username
    return reverse(f"moderation:{route.name}", kwargs=kwargs)


def test_the_walk_covers_every_route():
    names = {route.name for route in _routes()}
    assert names >= PAGES
    assert len(names) >= 30


@pytest.mark.parametrize("route", _routes(), ids=lambda route: route.name)
def test_visitors_are_sent_to_sign_in(client, post, other_member, route):
    url = _url(route, post, other_member.username)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 405), (method, url)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (method, url)


@pytest.mark.parametrize("role", ["other_member_client", "editor_client"])
@pytest.mark.parametrize("route", _routes(), ids=lambda route: route.name)
def test_members_and_editors_are_refused_staff_routes(request, post, role, route):
    client = request.getfixturevalue(role)
    url = _url(route, post, "nobody-in-particular")
    before = Thread.objects.values_list("pk", "visibility", "is_locked", "is_pinned").first()
    method = "get" if route.name in PAGES else "post"
    response = getattr(client, method)(url, {"reason": "because"})
    if route.name in MEMBER_ROUTES:
        assert response.status_code == 200, url
    else:
        assert response.status_code in (403, 404), url
    after = Thread.objects.values_list("pk", "visibility", "is_locked", "is_pinned").first()
    assert after == before


@pytest.fixture
def other_member_client(client, other_member):
    client.force_login(other_member)
    return client


@pytest.mark.parametrize("route", _routes(), ids=lambda route: route.name)
def test_moderators_open_the_pages_and_post_to_the_actions(
    moderator_client, post, other_member, route
):
    url = _url(route, post, other_member.username)
    if route.name in MEMBER_ROUTES:
        # Staff hide posts directly instead of reporting them.
        assert moderator_client.get(url).status_code == 403
    elif route.name in PAGES:
        assert moderator_client.get(url).status_code == 200, url
    else:
        assert moderator_client.get(url).status_code == 405, url
