"""Notifications through the community's URLs: the bell, the inbox, opening one and
marking all read, on the plain POST path and on the htmx path."""

import pytest

from community import services
from community.models import Notification, Reply
from tests.community.helpers import HTMX, page, unread_badge
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_asker_is_told_about_a_reply_and_opens_it(thread, member_client):
    replier = UserFactory(display_name="Ana Replier")
    client_for(replier).post(f"/community/t/{thread.pk}/reply/", {"body": "Descale it."})
    reply = Reply.objects.get()

    assert unread_badge(page(member_client, "/community/")) == "1"
    inbox = page(member_client, "/community/notifications/")
    assert "Ana Replier replied to “The espresso machine leaks water”" in inbox
    assert "notification--unread" in inbox
    notification = Notification.objects.get(recipient=thread.author)

    response = member_client.post(f"/community/notifications/{notification.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{reply.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert unread_badge(page(member_client, "/community/")) is None
    assert "notification--unread" not in page(member_client, "/community/notifications/")


def test_the_replier_gets_no_notification_about_their_own_reply(thread, other_member):
    client_for(other_member).post(f"/community/t/{thread.pk}/reply/", {"body": "Hello there"})

    assert not Notification.objects.filter(recipient=other_member).exists()


def test_an_official_reply_tells_the_asker_and_members_with_the_same_problem(thread, other_member):
    services.thread_set_me_too(user=other_member, thread=thread, me_too=True)
    moderator = ModeratorFactory(display_name="Sam Support")

    client_for(moderator).post(f"/community/t/{thread.pk}/reply/", {"body": "Fixed in 2.1."})

    for person in (thread.author, other_member):
        inbox = page(client_for(person), "/community/notifications/")
        assert "Sam Support posted an official reply to" in inbox


def test_read_all_marks_every_notification_read(thread, member, member_client):
    for body in ("One", "Two", "Three"):
        services.reply_create(author=UserFactory(), thread=thread, body=body)
    assert unread_badge(page(member_client, "/community/")) == "3"

    response = member_client.post("/community/notifications/read-all/")

    assert response.status_code == 302
    assert response["Location"] == "/community/notifications/"
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    content = page(member_client, response["Location"])
    assert "All notifications are marked as read." in content
    assert unread_badge(content) is None


def test_read_all_htmx_answers_the_bell_fragment(thread, member, member_client):
    services.reply_create(author=UserFactory(), thread=thread, body="One")

    response = member_client.post("/community/notifications/read-all/", **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="notification-bell"' in content
    assert "<html" not in content
    assert unread_badge(content) is None
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


# What the bell keeps once a post is hidden ------------------------------------------


def _bell_menu(client) -> str:
    response = client.get("/community/notifications/latest/", **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_hidden_thread_leaves_its_followers_bell(thread, other_member):
    from moderation.services import thread_hide

    follower_moderator = ModeratorFactory()
    for person in (other_member, follower_moderator):
        services.thread_set_follow(user=person, thread=thread, following=True)
    services.reply_create(author=UserFactory(display_name="Ana Replier"), thread=thread, body="Hi")
    follower = client_for(other_member)
    assert thread.title in _bell_menu(follower)
    assert unread_badge(page(follower, "/community/")) == "1"

    thread_hide(moderator=ModeratorFactory(), thread=thread, reason="Off topic")

    assert thread.title not in _bell_menu(follower)
    assert thread.title not in page(follower, "/community/notifications/")
    assert unread_badge(page(follower, "/community/")) is None
    # The author reads their hidden thread, moderators read everything: they keep it.
    for person in (thread.author, follower_moderator):
        reader = client_for(person)
        assert thread.title in _bell_menu(reader)
        assert thread.title in page(reader, "/community/notifications/")
        assert unread_badge(page(reader, "/community/")) == "1"


def test_a_hidden_reply_leaves_the_bell_of_all_but_its_author(thread, other_member):
    from moderation.services import reply_hide

    services.thread_set_follow(user=other_member, thread=thread, following=True)
    replier = UserFactory()
    reply = services.reply_create(author=replier, thread=thread, body="Buy a new one")
    services.reply_create(author=other_member, thread=thread, body="Did that help?")
    follower = client_for(other_member)
    assert unread_badge(page(follower, "/community/")) == "1"
    assert unread_badge(page(client_for(replier), "/community/")) == "1"

    reply_hide(moderator=ModeratorFactory(), reply=reply, reason="Spam")

    assert "notification--unread" not in page(follower, "/community/notifications/")
    assert unread_badge(page(follower, "/community/")) is None
    # The replier's own notification (about the follower's answer) stays.
    assert unread_badge(page(client_for(replier), "/community/")) == "1"
