"""The lists' cached HTML (community.list_fragments): what one reader's page stores is
only ever what every reader of that language sees, and a change shows at once."""

import re

import pytest
from django.test import Client
from django.utils import translation

from community import list_fragments, selectors, services
from community.models import Notification, Thread
from tests.factories import CategoryFactory, ThreadFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def rows_of(content: str) -> list[str]:
    """Each <li class="thread-row"> of a list page, as the page writes it."""
    return [
        "<li" + part.split("</li>\n", 1)[0]
        for part in content.split("<li")[1:]
        if "thread-row" in part[:30]
    ]


def first_page_rows() -> list[str]:
    page = selectors.thread_list(language="en", reader="en")
    return list_fragments.thread_rows(page.object_list)


def test_a_row_follows_every_field_it_shows_without_the_content_version():
    thread = ThreadFactory(title="The grinder is loud", language="en")
    thread.tags.add("noise")
    [before] = first_page_rows()

    # Rows written without a request leave the content version where it was: the
    # row's own key must change with what it shows.
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=4, me_too_count=2, title="The grinder is very loud"
    )
    [after] = first_page_rows()

    assert "The grinder is loud<" in before
    assert "The grinder is very loud" in after
    assert "4 replies" in after
    assert "2 have this problem" in after


def test_an_official_reply_and_a_solution_show_on_the_cached_row(category, moderator):
    thread = services.thread_create(
        author=UserFactory(), category=category, title="Pump hums", body="No water comes."
    )
    first_page_rows()

    answer = services.reply_create(author=moderator, thread=thread, body="Prime the pump.")
    services.thread_accept_reply(user=thread.author, thread=thread, reply=answer)
    [row] = first_page_rows()

    assert "Official reply" in row
    assert "Solved" in row
    assert "1 reply" in row


def test_a_members_list_never_shows_state_of_the_member_who_filled_the_cache():
    asker, other = UserFactory(language="en"), UserFactory(language="en")
    category = CategoryFactory()
    thread = services.thread_create(
        author=asker, category=category, title="Descaling every week?", body="Is that normal?"
    )
    services.thread_set_me_too(user=other, thread=thread, me_too=True)
    services.thread_set_follow(user=other, thread=thread, following=True)

    seen_by_asker = client_for(asker).get("/community/").content.decode()
    seen_by_other = client_for(other).get("/community/").content.decode()

    # The same row, byte for byte, whoever filled the cache: nothing of its reader.
    assert rows_of(seen_by_asker) == rows_of(seen_by_other)
    assert asker.public_name in rows_of(seen_by_other)[0]  # the author, shown to all
    assert other.public_name not in "".join(rows_of(seen_by_asker))


def test_a_hidden_thread_leaves_every_members_cached_list_at_once(moderator_client):
    member_client = client_for(UserFactory(language="en"))
    thread = ThreadFactory(title="Spam about cheap watches", language="en")
    assert "Spam about cheap watches" in member_client.get("/community/").content.decode()

    response = moderator_client.post(f"/moderation/t/{thread.pk}/hide/", {"reason": "Spam"})

    assert response.status_code == 302
    assert "Spam about cheap watches" not in member_client.get("/community/").content.decode()


def test_a_reply_shows_at_once_on_its_authors_list(category):
    author = UserFactory(language="en")
    thread = services.thread_create(
        author=UserFactory(), category=category, title="Steam wand sputters", body="Why?"
    )
    client = client_for(author)
    assert "0 replies" in rows_of(client.get("/community/").content.decode())[0]

    posted = client.post(f"/community/t/{thread.pk}/reply/", {"body": "Purge it first."})

    assert posted.status_code == 302
    assert "1 reply" in rows_of(client.get("/community/").content.decode())[0]


def test_a_row_cached_in_english_is_not_served_in_french(category):
    ThreadFactory(category=category, title="Milk frother drips", language="en")
    english = client_for(UserFactory(language="en")).get("/community/?language=all")
    french = client_for(UserFactory(language="fr")).get("/community/?language=all")

    [english_row] = rows_of(english.content.decode())
    [french_row] = rows_of(french.content.decode())
    assert "Last activity" in english_row
    assert "0 replies" in english_row
    with translation.override("fr"):
        assert translation.gettext("Last activity") in french_row
    assert "Last activity" not in french_row
    assert "0 réponse" in french_row


def test_a_list_section_is_stored_only_for_the_page_it_shows(member_client, monkeypatch):
    ThreadFactory(language="en")
    stored = []
    real_set = list_fragments.cache.set
    monkeypatch.setattr(
        list_fragments.cache,
        "set",
        lambda key, *args, **kwargs: stored.append(key) or real_set(key, *args, **kwargs),
    )

    for page in ("999", "nonsense", "1"):
        assert member_client.get(f"/community/?page={page}").status_code == 200

    # Past the end (served as the last page) or not a number: nothing stored for it.
    assert len([key for key in stored if key.startswith("relais:list-section:")]) == 1


# Notifications ------------------------------------------------------------------------


def test_a_members_notification_items_are_never_served_to_another(category):
    first, second = UserFactory(language="en"), UserFactory(language="en")
    thread = services.thread_create(
        author=UserFactory(), category=category, title="Tamper too small", body="Which size?"
    )
    for follower in (first, second):
        services.thread_set_follow(user=follower, thread=thread, following=True)
    services.reply_create(author=UserFactory(display_name="Nadia"), thread=thread, body="58 mm.")
    [mine] = Notification.objects.filter(recipient=first)
    [theirs] = Notification.objects.filter(recipient=second)

    # The same words about the same reply, each member's own item and form.
    first_page = client_for(first).get("/community/notifications/").content.decode()
    second_page = client_for(second).get("/community/notifications/").content.decode()

    assert "Nadia replied to" in first_page
    assert "Nadia replied to" in second_page
    assert f"/community/notifications/{mine.pk}/open/" in first_page
    assert f"/community/notifications/{theirs.pk}/open/" not in first_page
    assert f"/community/notifications/{theirs.pk}/open/" in second_page
    assert f"/community/notifications/{mine.pk}/open/" not in second_page


def test_opening_a_notification_shows_it_read_at_once(category):
    member = UserFactory(language="en")
    thread = services.thread_create(
        author=member, category=category, title="Portafilter leaks", body="From the sides."
    )
    services.reply_create(author=UserFactory(), thread=thread, body="Change the gasket.")
    [notification] = Notification.objects.filter(recipient=member)
    client = client_for(member)
    assert "notification--unread" in client.get("/community/notifications/").content.decode()

    client.post(f"/community/notifications/{notification.pk}/open/")

    assert "notification--unread" not in client.get("/community/notifications/").content.decode()


def test_a_notification_item_carries_the_csrf_token_of_the_session_it_is_served_to(category):
    member = UserFactory(language="en")
    thread = services.thread_create(
        author=member, category=category, title="Drip tray overflows", body="Daily."
    )
    services.reply_create(author=UserFactory(), thread=thread, body="Empty it more often.")
    [notification] = Notification.objects.filter(recipient=member)
    first = Client(enforce_csrf_checks=True)
    first.force_login(member)
    first.get("/community/notifications/")  # fills the cache, with this session's form
    second = Client(enforce_csrf_checks=True)
    second.force_login(member)

    content = second.get("/community/notifications/").content.decode()
    item = content[content.index(f"/community/notifications/{notification.pk}/open/") :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', item).group(1)
    opened = second.post(
        f"/community/notifications/{notification.pk}/open/", {"csrfmiddlewaretoken": token}
    )

    assert opened.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
