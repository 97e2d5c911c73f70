"""What a thread page keeps between requests for every reader with the same reach:
the thread, its page of replies and the featured ones (thread_selectors.thread_get_for_reading,
thread_selectors.shared_thread_page), under the content version.

The promises of every cache: a member reads their own hidden or waiting replies and
nobody else does, a visitor or member never reads what only moderators read, and
whoever writes sees it on the next page. Writes go through real requests here,
never through the test fixture that moves the content version on for every saved row.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services, thread_selectors
from community.models import Reply, Visibility
from tests.community.helpers import featured_section, page
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _writes_move_content_version():
    """Off here: only the site's own paths move the version on in these tests."""
    yield


@pytest.fixture
def url(thread):
    return thread.get_absolute_url()


def _reply_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    return [q["sql"] for q in queries if 'FROM "community_reply"' in q["sql"]]


def test_a_second_reader_reads_no_reply_from_the_database(thread, url, peer_reply):
    assert _reply_queries(client_for(UserFactory()), url)
    assert _reply_queries(client_for(UserFactory()), url) == []


def test_a_new_reply_shows_to_every_reader_on_their_next_page(thread, url, peer_reply):
    reader, writer = client_for(UserFactory()), client_for(UserFactory())
    assert "The drip tray was full" not in page(reader, url)

    response = writer.post(f"/community/t/{thread.pk}/reply/", {"body": "The drip tray was full"})
    assert response.status_code == 302

    assert "The drip tray was full" in page(writer, url)
    assert "The drip tray was full" in page(reader, url)


@pytest.mark.premoderation
def test_a_reply_that_waits_shows_to_its_author_alone(category):
    # Staff posts never wait: the thread is public while the newcomer's reply waits.
    thread = services.thread_create(
        author=ModeratorFactory(), category=category, title="Descaling tips", body="Yours?"
    )
    url = thread.get_absolute_url()
    newcomer = UserFactory()
    reader = client_for(UserFactory())
    page(reader, url)  # the public reading is kept

    author = client_for(newcomer)
    response = author.post(f"/community/t/{thread.pk}/reply/", {"body": "My very first reply"})
    assert response.status_code == 302
    assert Reply.objects.get(author=newcomer).visibility == Visibility.PENDING

    assert "My very first reply" in page(author, url)
    assert "My very first reply" not in page(reader, url)
    # And in the other order: the author's page is never kept for the others.
    assert "My very first reply" not in page(client_for(UserFactory()), url)
    assert "My very first reply" in page(author, url)


def test_a_hidden_reply_is_read_by_moderators_and_its_author_only(thread, url, peer_reply):
    moderator = client_for(ModeratorFactory())
    response = moderator.post(f"/moderation/r/{peer_reply.pk}/hide/", {"reason": "Rude"})
    assert response.status_code == 302

    # A moderator's reading is kept first: it holds the hidden reply.
    assert "Check the drip tray." in page(moderator, url)
    assert "Check the drip tray." in page(client_for(ModeratorFactory()), url)
    assert "Check the drip tray." not in page(client_for(UserFactory()), url)
    assert "Check the drip tray." in page(client_for(peer_reply.author), url)
    assert "Check the drip tray." not in page(client_for(UserFactory()), url)


def test_a_hidden_thread_leaves_every_kept_reading(thread, url, peer_reply, client):
    reader = client_for(UserFactory())
    page(reader, url)
    moderator = client_for(ModeratorFactory())
    response = moderator.post(f"/moderation/t/{thread.pk}/hide/", {"reason": "Spam"})
    assert response.status_code == 302

    assert reader.get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert page(client_for(thread.author), url)
    assert page(moderator, url)
    # What the moderator and the author read of it is never kept for the others.
    assert client_for(UserFactory()).get(url).status_code == 404


def test_an_accepted_solution_is_featured_on_the_next_page(thread, url, peer_reply):
    reader = client_for(UserFactory())
    assert featured_section(page(reader, url)) == ""

    asker = client_for(thread.author)
    response = asker.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})
    assert response.status_code == 302

    assert "Check the drip tray." in featured_section(page(reader, url))


def test_every_page_of_a_long_thread_is_kept_apart(thread, url):
    author = UserFactory()
    for number in range(thread_selectors.REPLIES_PER_PAGE + 1):
        services.reply_create(author=author, thread=thread, body=f"Reply number {number}.")
    reader = client_for(UserFactory())

    first = page(reader, url)
    second = page(reader, f"{url}?page=2")
    past_the_end = page(reader, f"{url}?page=7")

    assert "Reply number 0." in first and "Reply number 50." not in first
    assert "Reply number 50." in second and "Reply number 0." not in second
    assert "Reply number 50." in past_the_end
    # The last page shown for a number past the end is not kept under that number.
    assert "Reply number 0." in page(reader, f"{url}?page=1")


def test_what_is_kept_holds_no_password_hash_nor_e_mail_address(thread, peer_reply):
    import pickle

    from django.contrib.auth.models import AnonymousUser

    kept_thread = thread_selectors.thread_get_for_reading(pk=thread.pk, user=AnonymousUser())
    reading = thread_selectors.shared_thread_page(thread=kept_thread, user=AnonymousUser())
    stored = pickle.dumps((kept_thread, reading))

    for person in (thread.author, peer_reply.author):
        assert person.email and person.email.encode() not in stored
        assert person.password.encode() not in stored
    assert peer_reply.body.encode() in stored
