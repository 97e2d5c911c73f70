"""`request.user` is the member themselves, read once (accounts.middleware)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from accounts.middleware import ResolvedUserMiddleware
from tests.factories import UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _seen_by_the_view(request):
    """Runs the middleware in front of a view that keeps what it was handed."""
    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse()

    ResolvedUserMiddleware(view)(request)
    return seen["user"]


def _signed_in_request(rf, client, user):
    """A request carrying `user`'s session, through the middleware before ours."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    client.force_login(user)
    request = rf.get("/")
    request.COOKIES = {key: morsel.value for key, morsel in client.cookies.items()}
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_the_view_is_handed_the_member_themselves_read_in_one_query(rf, client):
    member = UserFactory()
    request = _signed_in_request(rf, client, member)

    with CaptureQueriesContext(connection) as queries:
        user = _seen_by_the_view(request)
        user.username, user.is_authenticated, user.is_staff  # noqa: B018

    assert type(user) is get_user_model()
    assert user.pk == member.pk
    # The session's row and the user's row, once each, however often it is read.
    assert len(queries) == 2
    assert request.user is user


def test_a_visitor_without_a_session_is_the_anonymous_user(rf):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    request = rf.get("/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)

    with CaptureQueriesContext(connection) as queries:
        user = _seen_by_the_view(request)

    assert isinstance(user, AnonymousUser)
    assert len(queries) == 0


def test_a_request_without_authentication_is_left_as_it_came(rf):
    request = rf.get("/")
    ResolvedUserMiddleware(lambda r: HttpResponse())(request)
    assert not hasattr(request, "user")


def test_each_member_is_shown_their_own_account_and_signing_out_ends_it():
    first, second = UserFactory(), UserFactory()
    first_client, second_client = client_for(first), client_for(second)

    first_page = first_client.get("/accounts/profile/").content.decode()
    second_page = second_client.get("/accounts/profile/").content.decode()
    assert first.username in first_page and second.username not in first_page
    assert second.username in second_page and first.username not in second_page

    first_client.post("/accounts/logout/")
    response = first_client.get("/accounts/profile/")
    assert response.status_code == 302
    assert second_client.get("/accounts/profile/").status_code == 200
