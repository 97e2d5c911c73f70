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
PAGES = {
    "queue",
    "metrics",
    "metrics_csv",
    "satisfaction",
    "approvals",
    "reports",
    "member_suspend",
}
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


# No existence oracle: refused before anything is read ---------------------------------

MISSING_PK = 987654


def _staff_routes_with_an_object() -> list[URLPattern]:
    return [
        route
        for route in _routes()
        if route.name not in MEMBER_ROUTES and {"pk", "username"} & set(route.pattern.converters)
    ]


def _url_for(route: URLPattern, value) -> str:
    name = "username" if "username" in route.pattern.converters else "pk"
    return reverse(f"moderation:{route.name}", kwargs={name: value})


@pytest.fixture
def targets(db, member, moderator):
    """The ids a refused user might probe: a visible post, a hidden one, a pending one."""
    from moderation.services import reply_hide, thread_hide

    visible = ReplyFactory(author=member)
    hidden = ReplyFactory(author=member)
    thread_hide(moderator=moderator, thread=hidden.thread, reason="Spam")
    reply_hide(moderator=moderator, reply=hidden, reason="Spam")
    pending = ReplyFactory(author=member, visibility="pending")
    Thread.objects.filter(pk=pending.thread_id).update(visibility="pending")
    return visible, hidden, pending


@pytest.mark.parametrize("route", _staff_routes_with_an_object(), ids=lambda route: route.name)
def test_a_refused_member_gets_the_same_answer_for_every_id(
    other_member_client, targets, member, route
):
    kind = "reply" if str(route.pattern).startswith(("r/", "reports/r/")) else "thread"
    if "username" in route.pattern.converters:
        probes = [member.username, "nobody-by-that-name"]
    else:
        probes = [getattr(post, "pk" if kind == "reply" else "thread_id") for post in targets]
        probes.append(MISSING_PK)
    statuses = {
        probe: other_member_client.post(_url_for(route, probe), {"reason": "x"}).status_code
        for probe in probes
    }
    assert set(statuses.values()) == {403}, statuses


@pytest.mark.parametrize(
    "name", ["community_threads:hide", "community_threads:restore", "community_replies:hide"]
)
def test_a_refused_editor_gets_the_same_answer_for_every_id_in_the_admin(
    editor_client, targets, name
):
    kind = "reply" if name.startswith("community_replies") else "thread"
    probes = [getattr(post, "pk" if kind == "reply" else "thread_id") for post in targets]
    statuses = {
        probe: editor_client.post(reverse(name, args=[probe]), {"reason": "x"}).status_code
        for probe in [*probes, MISSING_PK]
    }
    assert set(statuses.values()) == {403}, statuses


def test_a_member_recommending_gets_the_same_answer_for_every_id(other_member_client, targets):
    statuses = {
        probe: other_member_client.post(f"/community/r/{probe}/recommend/").status_code
        for probe in [*(post.pk for post in targets), MISSING_PK]
    }
    assert set(statuses.values()) == {403}, statuses
