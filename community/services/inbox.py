"""A member's notifications: reading them."""

from django.utils import timezone

from community.models import Notification
from community.selectors import unread_notification_counts_forget


def _marked_read(user, rows) -> int:
    marked = rows.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        unread_notification_counts_forget([user.pk])
    return marked


def notification_mark_read(*, user, notification_id: int) -> int:
    return _marked_read(user, Notification.objects.filter(pk=notification_id))


def notifications_mark_all_read(*, user) -> int:
    return _marked_read(user, Notification.objects.all())


def notifications_mark_thread_read(*, user, thread_id: int) -> int:
    """Reading a thread reads what the member was told about it: one UPDATE, however
    many notifications the thread gave them. Returns how many were unread."""
    return _marked_read(user, Notification.objects.filter(thread_id=thread_id))
