"""Each notification e-mail goes out at most once, however often its task runs
(community/tasks.py, send_notification_emails_task): a worker killed mid-task and
the task run again, or two workers on the same task, send nothing twice; a send
that fails leaves that e-mail, and only it, for the next run."""

import pytest
from django.core.mail import EmailMultiAlternatives

from community.models import Notification
from community.tasks import send_notification_emails_task
from tests.factories import ReplyFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notifications():
    """Three members told about a reply, with no e-mail sent yet."""
    thread = ThreadFactory()
    reply = ReplyFactory(thread=thread)
    recipients = UserFactory.create_batch(3)
    return [
        Notification.objects.create(
            recipient=recipient,
            kind=Notification.Kind.REPLY,
            actor=reply.author,
            thread=thread,
            reply=reply,
        )
        for recipient in recipients
    ]


def ids(notifications) -> list[int]:
    return [notification.pk for notification in notifications]


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_the_task_run_twice_sends_each_email_once(notifications, mailoutbox):
    assert send_notification_emails_task.call(ids(notifications)) == 3
    assert send_notification_emails_task.call(ids(notifications)) == 0

    assert recipients(mailoutbox) == sorted(n.recipient.email for n in notifications)
    assert not Notification.objects.filter(pk__in=ids(notifications), emailed_at=None).exists()


def test_an_email_claimed_by_another_run_is_skipped(notifications, mailoutbox):
    from django.utils import timezone

    # Another worker, on the same task, sent the first one a moment ago.
    Notification.objects.filter(pk=notifications[0].pk).update(emailed_at=timezone.now())

    assert send_notification_emails_task.call(ids(notifications)) == 2
    assert notifications[0].recipient.email not in recipients(mailoutbox)


def test_a_failed_send_leaves_that_email_for_the_next_run(notifications, mailoutbox, monkeypatch):
    failing = notifications[1].recipient.email
    original_send = EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if message.to == [failing]:
            raise ConnectionRefusedError("the mail server refused the connection")
        return original_send(message, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", send)
        with pytest.raises(ConnectionRefusedError):
            send_notification_emails_task.call(ids(notifications))

    # The others went out; the failed one is not recorded as sent.
    assert failing not in recipients(mailoutbox)
    assert len(mailoutbox) == 2
    unsent = Notification.objects.filter(pk__in=ids(notifications), emailed_at=None)
    assert list(unsent.values_list("pk", flat=True)) == [notifications[1].pk]

    # The task run again sends it, and only it.
    assert send_notification_emails_task.call(ids(notifications)) == 1
    assert recipients(mailoutbox) == sorted(n.recipient.email for n in notifications)


def test_a_member_who_wants_no_email_is_not_claimed(notifications, mailoutbox):
    from accounts.models import EmailNotifications, User

    User.objects.filter(pk=notifications[0].recipient_id).update(
        email_notifications=EmailNotifications.NONE
    )

    assert send_notification_emails_task.call(ids(notifications)) == 2
    notifications[0].refresh_from_db()
    assert notifications[0].emailed_at is None
