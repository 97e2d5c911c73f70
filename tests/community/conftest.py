import pytest

from community import services
from community.models import Reply, Thread
from tests.community.helpers import Scene
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory


@pytest.fixture
def peer_reply(thread, other_member) -> Reply:
    """`other_member`'s answer to `thread`: a member's, not an official one."""
    return services.reply_create(author=other_member, thread=thread, body="Check the drip tray.")


@pytest.fixture
def scene(member, other_member, moderator, editor, superuser) -> Scene:
    """The people and posts of the permission tests: `member` is their "author"."""
    people = {
        "visitor": None,
        "author": member,
        "other_member": other_member,
        "moderator": moderator,
        "editor": editor,
        "superuser": superuser,
        "inactive": UserFactory(is_active=False),
    }
    category = CategoryFactory()
    thread = services.thread_create(
        author=member, category=category, title="The grinder jams every morning", body="It jams."
    )
    thread_reply = services.reply_create(author=UserFactory(), thread=thread, body="Clean it.")
    official_reply = services.reply_create(
        author=ModeratorFactory(), thread=thread, body="We are looking into it."
    )
    other_thread = services.thread_create(
        author=UserFactory(), category=category, title="The kettle whistles all night", body="Hi"
    )
    reply = services.reply_create(author=member, thread=other_thread, body="Try descaling it.")
    locked_thread = services.thread_create(
        author=member, category=category, title="An old question, now locked", body="Old."
    )
    Thread.objects.filter(pk=locked_thread.pk).update(is_locked=True)
    locked_thread.refresh_from_db()
    quiet_thread = ThreadFactory(category=category)
    return Scene(
        people=people,
        thread=thread,
        thread_reply=thread_reply,
        official_reply=official_reply,
        reply=reply,
        locked_thread=locked_thread,
        quiet_thread=quiet_thread,
        category_pk=category.pk,
    )
