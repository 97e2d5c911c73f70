import pytest
from rest_framework.test import APIClient

from accounts import services as account_services


def token_for(user, scope="write", **kwargs):
    _credential, secret = account_services.api_credential_issue(
        user=user, name="test", scope=scope, **kwargs
    )
    return secret


@pytest.fixture
def api():
    return APIClient()


def authed(user, scope="write", **kwargs) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scope, **kwargs)}")
    return client


@pytest.fixture
def member_api(member):
    return authed(member)


@pytest.fixture
def moderator_api(moderator):
    return authed(moderator, "moderate")
