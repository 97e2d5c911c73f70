"""Integration keys in the Wagtail admin (Settings → API keys): made by editors and
superusers with a member they act as, an access and a limit, shown once, listed
with their last use, revoked at once; nobody else reaches them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiCredential
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/api-keys/"
ADD = "/admin/api-keys/new/"


def make(client, member, **data):
    fields = {
        "name": "Helpdesk",
        "user": member.username,
        "scope": "write",
        "requests_per_minute": "120",
        "expires_in": "90",
    }
    return client.post(ADD, {**fields, **data})


def secret_in(response) -> str:
    page = response.content.decode()
    start = page.index('data-testid="new-key-value"')
    value = page.rindex('value="', 0, start) + len('value="')
    return page[value : page.index('"', value)]


def api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_an_editor_makes_a_moderating_key_shown_once_that_works(editor_client, editor, moderator):
    response = make(editor_client, moderator, scope="moderate")

    assert response.status_code == 200
    # Wagtail adds its own never-cache directives to every admin page.
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    secret = secret_in(response)
    credential = ApiCredential.objects.get()
    assert credential.kind == ApiCredential.Kind.INTEGRATION
    assert credential.user == moderator and credential.created_by == editor
    assert credential.scope == "moderate" and credential.requests_per_minute == 120
    assert credential.expires_at - timezone.now() > timedelta(days=89)
    assert secret.startswith(f"relais_{credential.prefix}_") and secret not in credential.digest

    answer = api(secret).get("/api/v1/me/")
    assert answer.status_code == 200
    assert answer.json()["username"] == moderator.username
    assert answer.json()["access"] == "moderate"
    # Never again: neither the list nor the key's page shows the secret.
    for url in (INDEX, f"{INDEX}inspect/{credential.pk}/"):
        page = editor_client.get(url).content.decode()
        assert "Helpdesk" in page and secret not in page


def test_moderate_access_for_a_member_who_does_not_moderate_is_a_form_error(editor_client):
    member = UserFactory()

    response = make(editor_client, member, scope="moderate")

    assert response.status_code == 200
    assert "moderator" in str(response.context["form"].errors["scope"])
    assert not ApiCredential.objects.exists()


def test_a_closed_or_inactive_account_cannot_be_acted_as(editor_client):
    closed = UserFactory(closed_at=timezone.now())
    inactive = UserFactory(is_active=False)

    for member in (closed, inactive):
        response = make(editor_client, member)
        assert response.status_code == 200
        assert "user" in response.context["form"].errors
    assert not ApiCredential.objects.exists()


def test_the_limit_is_kept_between_one_and_ten_thousand(editor_client, member):
    for limit in ("0", "10001"):
        response = make(editor_client, member, requests_per_minute=limit)
        assert "requests_per_minute" in response.context["form"].errors
    assert not ApiCredential.objects.exists()


def test_the_list_shows_integration_keys_with_their_last_use(editor_client, member):
    secret = secret_in(make(editor_client, member))
    services.api_token_create(user=member, name="Private dashboard", scope="read")
    assert api(secret).get("/api/v1/me/").status_code == 200
    credential = ApiCredential.objects.get(kind=ApiCredential.Kind.INTEGRATION)
    assert credential.last_used_at is not None

    page = editor_client.get(INDEX).content.decode()

    assert "Helpdesk" in page and member.username in page
    assert "Private dashboard" not in page
    assert "Active" in page
    # "Last used" is Wagtail's relative date, with the moment itself in <time>.
    assert f'datetime="{credential.last_used_at.isoformat()}"' in page


def test_revoking_stops_the_key_at_once_and_twice_changes_nothing(editor_client, member):
    secret = secret_in(make(editor_client, member))
    credential = ApiCredential.objects.get()
    assert api(secret).get("/api/v1/me/").status_code == 200

    response = editor_client.post(f"{INDEX}revoke/{credential.pk}/")

    assert response.status_code == 302 and response["Location"] == INDEX
    assert api(secret).get("/api/v1/me/").status_code == 401
    credential.refresh_from_db()
    revoked_at = credential.revoked_at
    assert revoked_at is not None

    editor_client.post(f"{INDEX}revoke/{credential.pk}/")
    credential.refresh_from_db()
    assert credential.revoked_at == revoked_at
    assert "Revoked" in editor_client.get(INDEX).content.decode()


def test_revoke_is_post_only(editor_client, member):
    make(editor_client, member)
    credential = ApiCredential.objects.get()

    response = editor_client.get(f"{INDEX}revoke/{credential.pk}/")

    assert response.status_code == 405
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_a_personal_token_is_not_reached_from_the_admin(editor_client, editor, member):
    token, _ = services.api_token_create(user=member, name="Mine", scope="read")

    assert editor_client.get(f"{INDEX}inspect/{token.pk}/").status_code == 404
    assert editor_client.post(f"{INDEX}revoke/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    # Nor by the service: a member's personal token stays theirs to revoke.
    with pytest.raises(PermissionDenied):
        services.api_credential_revoke(user=editor, credential=token)


def test_there_is_no_edit_or_delete_page(editor_client, member):
    make(editor_client, member)
    credential = ApiCredential.objects.get()

    for url in (f"{INDEX}edit/{credential.pk}/", f"{INDEX}delete/{credential.pk}/"):
        assert editor_client.get(url).status_code == 404


@pytest.mark.parametrize("client_name", ["member_client", "moderator_client"])
def test_members_and_moderators_are_refused(request, client_name, member):
    client = request.getfixturevalue(client_name)
    key, _secret = services.api_credential_issue(
        user=member, name="Helpdesk", scope="read", kind=ApiCredential.Kind.INTEGRATION
    )

    for response in (
        client.get(INDEX),
        client.get(ADD),
        make(client, member),
        client.post(f"{INDEX}revoke/{key.pk}/"),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert ApiCredential.objects.get() == key
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_service_refuses_who_may_not_manage_keys(moderator, member):
    with pytest.raises(PermissionDenied):
        services.api_integration_key_create(
            by=moderator,
            user=member,
            name="Helpdesk",
            scope="read",
            requests_per_minute=60,
        )


def test_a_superuser_makes_and_revokes_a_key(superuser_client, member):
    secret = secret_in(make(superuser_client, member, scope="read"))
    credential = ApiCredential.objects.get()

    superuser_client.post(f"{INDEX}revoke/{credential.pk}/")

    assert api(secret).get("/api/v1/me/").status_code == 401


def test_an_expired_key_stops_working(editor_client, member):
    secret = secret_in(make(editor_client, member, expires_in="30"))
    ApiCredential.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api(secret).get("/api/v1/me/").status_code == 401
    assert "Expired" in editor_client.get(INDEX).content.decode()
