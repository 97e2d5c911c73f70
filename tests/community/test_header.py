"""The site header: the bell's dropdown of the latest notifications, reading a thread
reads its notifications, one wording for official replies, and the staff links that
moderation renders in the header's menu (community's templates name none of them)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import Notification, Reply
from tests.community.helpers import HTMX, page, unread_badge
from tests.factories import ModeratorFactory, ThreadFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

MENU = "/community/notifications/latest/"


def _reply(thread, *, author=None, body="Descale it with citric acid.") -> Reply:
    return services.reply_create(author=author or UserFactory(), thread=thread, body=body)


# The bell's dropdown ----------------------------------------------------------------


def test_bell_menu_lists_the_latest_notifications_with_actor_and_excerpt(thread, member_client):
    _reply(thread, author=UserFactory(display_name="Ana Replier"), body="Try **citric** acid.")

    response = member_client.get(MENU, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Ana Replier replied to “The espresso machine leaks water”" in content
    assert re.search(r'data-testid="notification-excerpt">Try citric acid.<', content)
    assert 'action="/community/notifications/' in content  # opening one marks it read
    assert 'href="/community/notifications/"' in content  # and the way to all of them


def test_each_notification_shows_its_actors_avatar_in_the_menu_and_on_the_page(
    thread, member_client
):
    _reply(thread, author=UserFactory(username="zoe", display_name="Zoé Replier"))

    for response in (
        member_client.get(MENU, **HTMX),
        member_client.get("/community/notifications/"),
    ):
        item = re.search(r'<li class="notification.*?</li>', response.content.decode(), re.S)
        assert item, "no notification listed"
        assert re.search(
            r'class="avatar avatar--medium avatar--initial[^"]*"[^>]*>Z<', item.group(0)
        )


def test_bell_menu_shows_only_the_viewers_own_notifications(thread, other_member):
    _reply(thread, author=UserFactory(display_name="Ana Replier"))

    response = client_for(other_member).get(MENU, **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ana Replier" not in content
    assert "No notifications yet." in content


def test_bell_menu_asks_visitors_to_sign_in(client):
    response = client.get(MENU, **HTMX)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_bell_menu_without_htmx_is_the_notifications_page(member_client):
    response = member_client.get(MENU)

    assert response.status_code == 302
    assert response["Location"] == "/community/notifications/"


def test_bell_menu_leaves_out_a_hidden_reply(thread, member_client):
    reply = _reply(thread, body="Something a moderator hid.")
    Reply.objects.filter(pk=reply.pk).update(visibility="hidden")

    content = member_client.get(MENU, **HTMX).content.decode()

    assert "Something a moderator hid." not in content
    assert 'data-testid="notification"' not in content
    assert "No notifications yet." in content


def test_bell_menu_queries_are_constant_for_1_and_50(thread, member, member_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert member_client.get(MENU, **HTMX).status_code == 200
        return len(context.captured_queries)

    _reply(thread)
    member_client.get(MENU, **HTMX)  # warm per-process caches
    with_one = count()
    for number in range(49):
        _reply(thread if number % 2 else ThreadFactory(author=member), body=f"Idea {number}")
    with_fifty = count()

    assert with_one == with_fifty


# Reading a thread reads its notifications -------------------------------------------


def test_reading_a_thread_marks_its_notifications_read(thread, member, member_client):
    other_thread = ThreadFactory()
    for body in ("One", "Two", "Three"):
        _reply(thread, body=body)
    elsewhere = Notification.objects.create(
        recipient=member, kind=Notification.Kind.MENTION, actor=UserFactory(), thread=other_thread
    )
    assert unread_badge(page(member_client, "/community/")) == "4"

    content = page(member_client, thread.get_absolute_url())

    assert unread_badge(content) == "1"  # the bell counts what is left
    assert not member.notifications.filter(thread=thread, read_at__isnull=True).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None


def test_reading_a_thread_leaves_other_readers_notifications_unread(thread, other_member):
    services.thread_set_follow(user=other_member, thread=thread, following=True)
    _reply(thread)

    page(client_for(thread.author), thread.get_absolute_url())

    assert Notification.objects.filter(recipient=other_member, read_at__isnull=True).count() == 1
    assert not Notification.objects.filter(recipient=thread.author, read_at__isnull=True).exists()


def test_marking_a_threads_notifications_read_is_one_query(
    thread, member, django_assert_num_queries
):
    for body in ("One", "Two", "Three", "Four"):
        _reply(thread, body=body)

    with django_assert_num_queries(1):
        marked = services.notifications_mark_thread_read(user=member, thread_id=thread.pk)

    assert marked == 4


# One wording for official replies ----------------------------------------------------


def test_an_official_reply_is_worded_the_same_for_the_asker_and_a_follower(thread, other_member):
    services.thread_set_follow(user=other_member, thread=thread, following=True)
    moderator = ModeratorFactory(display_name="Sam Support")

    client_for(moderator).post(f"/community/t/{thread.pk}/reply/", {"body": "Fixed in 2.1."})

    kinds = set(Notification.objects.values_list("kind", flat=True))
    # The asker is also asked whether it solved the problem, in the same words first.
    assert kinds == {Notification.Kind.RESOLUTION_CHECK, Notification.Kind.REPLY}
    for person in (thread.author, other_member):
        inbox = page(client_for(person), "/community/notifications/")
        assert "Sam Support posted an official reply to “The espresso machine leaks water”" in inbox
        assert "Sam Support replied to" not in inbox


def test_an_official_reply_is_worded_the_same_in_french(thread, other_member):
    services.thread_set_follow(user=other_member, thread=thread, following=True)
    moderator = ModeratorFactory(display_name="Sam Support")
    client_for(moderator).post(f"/community/t/{thread.pk}/reply/", {"body": "Fixed in 2.1."})

    for person in (thread.author, other_member):
        person.language = "fr"
        person.save(update_fields=["language"])
        client = client_for(person)
        inbox = client.get("/community/notifications/").content.decode()
        assert "Sam Support a publié une réponse officielle à « The espresso machine" in inbox


# The staff links in the header ------------------------------------------------------


def test_moderators_find_the_queue_with_its_count_in_the_header_menu(thread, moderator_client):
    content = page(moderator_client, "/community/")

    menu = content[content.index('class="account-menu__panel"') :]
    assert re.search(r'data-testid="queue-awaiting">1<', menu)
    assert 'data-testid="menu-badge">1<' in content


@pytest.mark.parametrize("who", ["member", "visitor"])
def test_members_and_visitors_get_no_staff_links_in_the_header(thread, who, member_client, client):
    content = page(member_client if who == "member" else client, "/community/")

    assert "/moderation/" not in content
    assert 'data-testid="menu-badge"' not in content


def test_visitors_get_a_menu_with_the_main_links_and_sign_in(client):
    content = page(client, "/community/")

    panel = content[content.index('class="account-menu__panel"') :]
    assert 'href="/accounts/signup/"' in panel
    assert 'href="/community/ask/"' in panel
    assert 'data-testid="header-user-name"' not in content
    assert 'href="/accounts/login/?next=' in content
