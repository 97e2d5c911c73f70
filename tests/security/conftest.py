import pytest
from wagtail.search import index

from community import services
from community.models import Thread
from tests.factories import ModeratorFactory, UserFactory


@pytest.fixture
def world(member, category, thread):
    """The people and posts hostile input is sent at (the member asked the thread), and
    the values that fill a case's {category}, {thread}, {reply} and {author}."""
    moderator = ModeratorFactory()
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Check the tray.")
    # What the index task does once the request commits: the searches find the thread.
    index.insert_or_update_object(Thread.get_indexed_objects().get(pk=thread.pk))
    return {
        "member": member,
        "moderator": moderator,
        "category": category.pk,
        "thread": thread.pk,
        "reply": reply.pk,
        "author": member.username,
    }
