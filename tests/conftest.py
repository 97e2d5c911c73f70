import pytest
from django.test import Client

from tests.factories import EditorFactory, ModeratorFactory, UserFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from collectstatic's manifest; tests read the
    # files where they are, so no collectstatic step is needed to run them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Password hashing is built to be slow; tests sign in members by the hundred.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def editor(db):
    return EditorFactory()


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def moderator_client(moderator):
    return _client_for(moderator)


@pytest.fixture
def editor_client(editor):
    return _client_for(editor)


@pytest.fixture
def superuser_client(superuser):
    return _client_for(superuser)
