"""Notifications are their recipient's alone: listed, opened and marked read by
nobody else, whatever the role."""

import pytest

from community.models import Notification
from tests.community.helpers import LOGIN_PREFIX, ROLES, SIGNED_OUT

pytestmark = pytest.mark.django_db


@pytest.fixture
def notification(scene) -> Notification:
    """The author's notification about the peer reply on their thread."""
    return Notification.objects.get(recipient=scene.people["author"], reply=scene.thread_reply)


@pytest.mark.parametrize("role", ROLES)
def test_notification_list_shows_only_the_viewers_own(scene, notification, role):
    response = scene.client(role).get("/community/notifications/")

    if role in SIGNED_OUT:
        assert response.status_code == 302
        assert response["Location"] == LOGIN_PREFIX + "/community/notifications/"
        return
    assert response.status_code == 200
    opens_it = f"/community/notifications/{notification.pk}/open/" in response.content.decode()
    assert opens_it is (role == "author")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_recipient_can_open_a_notification(scene, notification, role):
    response = scene.client(role).post(f"/community/notifications/{notification.pk}/open/")

    notification.refresh_from_db()
    if role == "author":
        assert response.status_code == 302
        assert response["Location"] == f"/community/r/{scene.thread_reply.pk}/"
        assert notification.read_at is not None
        return
    if role in SIGNED_OUT:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PREFIX)
    else:
        assert response.status_code == 404
    assert notification.read_at is None


@pytest.mark.parametrize("role", ROLES)
def test_read_all_marks_only_the_viewers_own_notifications(scene, notification, role):
    others = Notification.objects.exclude(recipient=scene.people["author"])
    unread_elsewhere = set(others.filter(read_at__isnull=True).values_list("pk", flat=True))
    signed_in_user = None if role in SIGNED_OUT else scene.people[role]

    response = scene.client(role).post("/community/notifications/read-all/")

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.read_at is not None) is (role == "author")
    if role in SIGNED_OUT:
        assert response["Location"].startswith(LOGIN_PREFIX)
    still_unread = set(others.filter(read_at__isnull=True).values_list("pk", flat=True))
    expected = {
        pk
        for pk in unread_elsewhere
        if signed_in_user is None
        or Notification.objects.get(pk=pk).recipient_id != signed_in_user.pk
    }
    assert still_unread == expected


def test_notification_open_answers_post_only(scene, notification):
    response = scene.client("author").get(f"/community/notifications/{notification.pk}/open/")

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None
