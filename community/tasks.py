import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task
from wagtail.search import index

from accounts.models import EmailNotifications
from accounts.tokens import make_unsubscribe_token
from community.cache import content_changed
from community.indexing import threads_index_bulk
from community.mail.keys import reply_address
from community.mail.links import absolute_url, one_line
from community.models.forum import Thread
from community.models.notifications import Notification
from community.models.resolution import ResolutionCheck
from community.models.site_settings import CommunitySettings
from community.resolution_links import resolution_link_path
from community.webhook_delivery import webhook_delivery_attempt

logger = logging.getLogger(__name__)


@task()
def send_notification_emails_task(notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient, when they want e-mail. Returns how many.

    Idempotent: the task may run twice for the same notifications (a worker killed
    mid-task and the task run again, or run by hand). Each e-mail is claimed
    (`emailed_at` set where it is still empty) in the transaction that sends it:
    a second run, or a worker running the same task at the same moment, finds it
    claimed and skips it. A failure to send rolls its claim back and the others
    are still sent; the task then fails with that error, and running it again
    sends only what was not sent.
    """
    notifications = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "actor", "thread", "reply")
    # The brand's name from the site settings, read once for the whole batch.
    community_name = CommunitySettings.load().display_name
    sent = 0
    failures = []
    for notification in notifications:
        recipient = notification.recipient
        if (
            not recipient.is_active
            or not recipient.email
            or recipient.email_notifications != EmailNotifications.EVERY_EVENT
            or recipient.bounced_email.lower() == recipient.email.lower()
        ):
            continue
        try:
            if _claim_and_send(notification, community_name=community_name):
                sent += 1
        except Exception as error:  # one bad send must not stop the others
            logger.warning("Notification %s: e-mail not sent (%s)", notification.pk, error)
            failures.append(error)
    if failures:
        raise failures[0]
    return sent


def _claim_and_send(notification: Notification, *, community_name: str) -> bool:
    """Send the notification's e-mail unless another run has; False if it had. The
    claim commits with the send, or not at all."""
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        _send(notification, community_name=community_name)
    return True


def _resolution_links(notification: Notification) -> dict | None:
    """For "Did this solve your problem?": the two one-click answers, signed."""
    if notification.kind != Notification.Kind.RESOLUTION_CHECK:
        return None
    check = ResolutionCheck.objects.filter(
        thread_id=notification.thread_id, reply_id=notification.reply_id
    ).first()
    if check is None:
        return None
    return {
        answer: absolute_url(resolution_link_path(check, answer))
        for answer in ResolutionCheck.Answer.values
    }


def _send(notification: Notification, *, community_name: str) -> None:
    unsubscribe_url = absolute_url(
        reverse(
            "accounts:unsubscribe",
            kwargs={"token": make_unsubscribe_token(notification.recipient)},
        )
    )
    # Answering the e-mail answers on the thread (community/mail); delivery failures
    # come back to the same address (its envelope sender), which is how a bounced
    # address is known.
    reply_to = reply_address(member_id=notification.recipient_id, thread_id=notification.thread_id)
    context = {
        "notification": notification,
        # What was said, so it can be read, and answered, from the inbox.
        "reply_text": (
            notification.reply.body
            if notification.reply_id and notification.reply.is_visible
            else ""
        ),
        "reply_by_email": bool(reply_to),
        "community_name": community_name,
        "url": absolute_url(notification.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(reverse("accounts:profile_edit")),
        "resolution_links": _resolution_links(notification),
    }
    # In the recipient's language, whoever caused it and in whatever language they
    # read: a moderator reading in English notifies a French member in French.
    with translation.override(notification.recipient.language or settings.LANGUAGE_CODE):
        subject = one_line(render_to_string("community/email/notification_subject.txt", context))
        text = render_to_string("community/email/notification.txt", context)
        html = render_to_string("community/email/notification.html", context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if reply_to:
        headers |= {"From": settings.DEFAULT_FROM_EMAIL, "Reply-To": reply_to}
    message = EmailMultiAlternatives(
        subject=f"[{one_line(community_name)}] {subject}",
        body=text,
        from_email=reply_to or None,
        to=[notification.recipient.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    message.send()


# Threads re-indexed at a time when a category changes.
INDEX_CHUNK_SIZE = 1000


@task()
def index_thread_task(thread_id: int) -> bool:
    """Bring a thread's search entry in step with the row; False if it no longer exists."""
    thread = Thread.get_indexed_objects().filter(pk=thread_id).first()
    if thread is None:
        return False
    index.insert_or_update_object(thread)
    # Search results are cached by content version (community.selectors): with a
    # task worker, the index changes after the request that moved the version on.
    content_changed()
    return True


@task()
def index_category_threads_task(category_id: int) -> int:
    """Re-index every thread of a category (their entries hold its name), a chunk at a
    time. Returns how many."""
    threads = Thread.get_indexed_objects().filter(category_id=category_id).order_by("pk")
    done, last_pk = 0, 0
    while chunk := list(threads.filter(pk__gt=last_pk)[:INDEX_CHUNK_SIZE]):
        threads_index_bulk(chunk)
        done += len(chunk)
        last_pk = chunk[-1].pk
    content_changed()
    return done


@task()
def deliver_webhook_task(delivery_id: int, at: str = "") -> bool | None:
    """Send one webhook delivery if it is due (community.webhook_delivery); `at`, an
    ISO time, is when the retry step found it due. True when the receiver took it,
    False when it failed (it is then retried later), None when there was nothing
    to send (sent or being sent already, or its subscription paused)."""
    return webhook_delivery_attempt(
        delivery_id=delivery_id, at=datetime.fromisoformat(at) if at else None
    )
