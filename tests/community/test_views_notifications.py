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
