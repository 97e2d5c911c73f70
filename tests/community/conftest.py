import pytest

from community import services
from community.models import Reply


@pytest.fixture
def peer_reply(thread, other_member) -> Reply:
    """`other_member`'s answer to `thread`: a member's, not an official one."""
    return services.reply_create(author=other_member, thread=thread, body="Check the drip tray.")
