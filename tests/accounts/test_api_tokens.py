"""Personal API tokens in the account: made with a name, an access and an expiry,
shown once, kept as a digest, listed with their last use, revoked at once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiCredential
from accounts.permissions import PERSONAL_TOKENS_MAX
from moderation import services as moderation_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/api-tokens/"


def make(client, **data):
    return client.post(URL, {"name": "Dashboard", "scope": "write", "expires_in": "30", **data})


def secret_in(response) -> str:
    page = response.content.decode()
    start = page.index('data-testid="new-token-value"')
    value = page.rindex('value="', 0, start) + len('value="')
    return page[value : page.index('"', value)]


def test_a_member_makes_a_token_that_is_shown_once_and_kept_as_a_digest(member_client, member):
    response = make(member_client)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    secret = secret_in(response)
    credential = ApiCredential.objects.get(user=member)
    assert credential.scope == "write" and credential.kind == "personal"
    assert secret.startswith(f"relais_{credential.prefix}_")
    assert secret not in credential.digest
    assert credential.expires_at - timezone.now() > timedelta(days=29)
    # Never again: the list shows its name and prefix only.
    page = member_client.get(URL).content.decode()
    assert "Dashboard" in page and credential.prefix in page and secret not in page

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me/").json()["username"] == member.username
    credential.refresh_from_db()
    assert credential.last_used_at is not None


def test_the_owner_revokes_a_token_and_it_stops_at_once(member_client, member):
    secret = secret_in(make(member_client))
    credential = ApiCredential.objects.get(user=member)

    response = member_client.post(f"{URL}{credential.pk}/revoke/")

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me/").status_code == 401
    assert "Revoked" in member_client.get(URL).content.decode()


def test_nobody_revokes_or_sees_another_members_token(member_client, client):
    other = UserFactory()
    client.force_login(other)
    make(client)
    credential = ApiCredential.objects.get(user=other)

    assert member_client.post(f"{URL}{credential.pk}/revoke/").status_code == 404
    assert "Dashboard" not in member_client.get(URL).content.decode()
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302
    assert client.post(URL, {"name": "x", "scope": "read", "expires_in": "30"}).status_code == 302
    assert ApiCredential.objects.count() == 0


def test_only_staff_make_tokens_that_moderate(member_client, moderator_client, member, moderator):
    refused = make(member_client, scope="moderate")
    assert refused.status_code == 200 and "scope" in refused.context["form"].errors
    assert not ApiCredential.objects.filter(user=member).exists()

    assert make(moderator_client, scope="moderate").status_code == 200
    assert ApiCredential.objects.get(user=moderator).scope == "moderate"


def test_a_suspended_member_makes_no_token(member_client, member, moderator):
    moderation_services.member_suspend(
        moderator=moderator, member=member, until=timezone.now() + timedelta(days=2), reason="Spam"
    )
    assert make(member_client).status_code == 403
    assert not ApiCredential.objects.exists()


def test_a_member_holds_a_bounded_number_of_tokens(member_client, member):
    for n in range(PERSONAL_TOKENS_MAX):
        assert make(member_client, name=f"Token {n}").status_code == 200
    refused = make(member_client, name="One too many")
    assert refused.status_code == 403
    assert "revoke one" in refused.content.decode()
    assert ApiCredential.objects.filter(user=member).count() == PERSONAL_TOKENS_MAX


def test_a_bad_form_keeps_what_was_typed(member_client):
    response = make(member_client, name="", expires_in="forever")
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "expires_in"} <= set(form.errors)
    assert not ApiCredential.objects.exists()
