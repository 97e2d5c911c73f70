"""Creating notifications: rows now, e-mails after the transaction commits."""

from collections.abc import Iterable

from django.db import transaction

from community.models.notifications import Notification
from community.selectors import unread_notification_counts_forget
from community.tasks import send_notification_emails_task


def notify(*, recipient_ids: Iterable[int], kind: str, actor, thread, reply=None) -> int:
    """Notify each member once (never the actor about their own act). Returns how many."""
    recipients = sorted(set(recipient_ids) - {actor.pk})
    if not recipients:
        return 0
    created = Notification.objects.bulk_create(
        Notification(recipient_id=pk, kind=kind, actor=actor, thread=thread, reply=reply)
        for pk in recipients
    )
    ids = [notification.pk for notification in created]
    # Now for this process, and once committed for a count read meanwhile elsewhere.
    unread_notification_counts_forget(recipients)
    transaction.on_commit(lambda: unread_notification_counts_forget(recipients))

    transaction.on_commit(lambda: send_notification_emails_task.enqueue(ids))
    return len(ids)
