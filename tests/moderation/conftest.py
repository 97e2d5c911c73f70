import pytest

from tests.factories import UserFactory


@pytest.fixture
def asker(db):
    """Here `thread` is asked by somebody other than `member`, whose role the tests vary."""
    return UserFactory()
