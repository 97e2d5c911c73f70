"""A member's notifications: reading them."""

from django.utils import timezone

from community.models import Notification


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_thread_read(*, user, thread_id: int) -> int:
    """Reading a thread reads what the member was told about it: one UPDATE, however
    many notifications the thread gave them. Returns how many were unread."""
    return Notification.objects.filter(
        recipient=user, thread_id=thread_id, read_at__isnull=True
    ).update(read_at=timezone.now())
