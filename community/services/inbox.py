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
