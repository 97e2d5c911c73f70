"""Unsubscribe links (issue 17): they reveal nothing and expire.

The link in every notification e-mail (and its List-Unsubscribe header, which
mail clients send as a one-click POST without a CSRF token) acts for the member
without a sign-in; it must not carry the member's id or address, and must stop
acting after accounts.tokens.UNSUBSCRIBE_MAX_AGE.
"""

import contextlib
from http import HTTPStatus

import pytest
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import EmailNotifications
from accounts.tokens import UNSUBSCRIBE_MAX_AGE, make_unsubscribe_token
from community.api.authentication import CredentialAuthentication
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


def _url(token: str) -> str:
    return reverse("accounts:unsubscribe", kwargs={"token": token})


def _one_click(token: str):
    return Client(enforce_csrf_checks=True).post(_url(token), {"List-Unsubscribe": "One-Click"})


def _notifications(member) -> str:
    member.refresh_from_db()
    return member.email_notifications


def _readable_parts(token: str) -> list[str]:
    """Every way the token's parts could be read: as they are, and base64-decoded."""
    parts = []
    for part in token.replace(":", ".").split("."):
        parts.append(part)
        # A part that is not base64 has nothing more to read.
        with contextlib.suppress(ValueError):
            parts.append(signing.b64_decode(part.encode()).decode("utf-8", "replace"))
    return parts


def test_the_token_reveals_neither_the_members_id_nor_address():
    member = UserFactory(email="camille.private@example.com", username="camille")

    token = make_unsubscribe_token(member)

    readable = " ".join(_readable_parts(token))
    assert "camille" not in readable.lower()
    assert "example.com" not in readable
    assert '"user"' not in readable and f":{member.pk}," not in readable
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="relais.accounts.unsubscribe")
    # Two members' links share nothing but the format.
    other = make_unsubscribe_token(UserFactory())
    assert token.split(":")[0] != other.split(":")[0]


def test_a_member_keeps_one_link_value_across_emails():
    member = UserFactory()
    first = make_unsubscribe_token(member).split(":")[0]
    member.refresh_from_db()

    assert make_unsubscribe_token(member).split(":")[0] == first


def test_one_click_works_within_the_time_the_link_lasts(clock):
    member = UserFactory()
    token = make_unsubscribe_token(member)
    clock(UNSUBSCRIBE_MAX_AGE.total_seconds() - DAY)

    response = _one_click(token)

    assert response.status_code == HTTPStatus.OK
    assert _notifications(member) == EmailNotifications.NONE


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_invites_to_sign_in_and_changes_nothing(method, clock):
    member = UserFactory()
    token = make_unsubscribe_token(member)
    clock(UNSUBSCRIBE_MAX_AGE.total_seconds() + DAY)

    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(_url(token), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == HTTPStatus.GONE
    page = response.content.decode()
    assert "This unsubscribe link has expired" in page
    sign_in = (
        reverse("account_login") + "?next=" + reverse("accounts:profile_edit").replace("/", "%2F")
    )
    assert sign_in in page
    assert member.email not in page
    assert _notifications(member) == EmailNotifications.EVERY_EVENT


def test_a_link_in_the_old_form_no_longer_acts():
    """Links sent before links expired named the member's id and address for ever."""
    member = UserFactory()
    old = signing.dumps(
        {"user": member.pk, "email": member.email}, salt="relais.accounts.unsubscribe"
    )

    response = _one_click(old)

    assert response.status_code == HTTPStatus.GONE
    assert _notifications(member) == EmailNotifications.EVERY_EVENT


def test_a_link_sent_to_an_address_the_member_has_changed_no_longer_acts():
    member = UserFactory()
    token = make_unsubscribe_token(member)
    member.email = "new-address@example.com"
    member.save(update_fields=["email"])

    assert _one_click(token).status_code == HTTPStatus.NOT_FOUND
    assert _notifications(member) == EmailNotifications.EVERY_EVENT


def test_a_closed_accounts_link_no_longer_acts():
    member = UserFactory()
    token = make_unsubscribe_token(member)
    type(member).objects.filter(pk=member.pk).update(is_active=False)

    assert _one_click(token).status_code == HTTPStatus.NOT_FOUND


def _views(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_the_unsubscribe_link_is_the_only_csrf_exempt_page_of_the_site():
    """One-click unsubscribe POSTs come without a CSRF token (RFC 8058); nothing else
    the project serves may go without one, but the API (DRF exempts its views), which
    reads no cookie: a request is a visitor's unless it carries a credential in its
    Authorization header, which a cross-site form cannot send."""
    own = ("accounts.", "community.", "moderation.")
    exempt = {
        (route, f"{view.__module__}.{view.__name__}")
        for route, view in _views(get_resolver())
        if getattr(view, "csrf_exempt", False) and view.__module__.startswith(own)
    }

    pages = sorted(name for route, name in exempt if not route.startswith("api/v1/"))
    assert pages == ["accounts.views.unsubscribe"]
    assert {name.rpartition(".")[0] for route, name in exempt if route.startswith("api/v1/")} == {
        "community.api.views"
    }
    api_views = {
        view.cls
        for route, view in _views(get_resolver())
        if route.startswith("api/v1/")
        if hasattr(view, "cls")
    }
    assert api_views and all(
        cls.authentication_classes == [CredentialAuthentication] for cls in api_views
    )


def test_a_signed_in_members_cookies_do_not_authenticate_to_the_api(client, member):
    client.force_login(member)

    assert client.get("/api/v1/me/").status_code == 401
    response = client.post(
        "/api/v1/threads/",
        {"category": "x", "title": "A cross-site post", "body": "Forged."},
        content_type="application/json",
    )
    assert response.status_code == 401
