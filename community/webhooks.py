"""Webhook events: what the community tells the brand's systems, and when.

The services call webhook_event_emit() in the transaction of the write; the event
is built after that transaction commits (nothing goes out for a write that was
rolled back) from the rows as they then are, so hidden and pending content never
goes out: an event about a post that is not public (any more) is dropped. Each
subscription that wants the event gets one WebhookDelivery, and a task sends it
(community.webhook_delivery). Without subscriptions, an event costs one query.

Events (WebhookEvent):
- thread.created: a question public at once (one that waits for approval is not);
- thread.published: a pending question approved (or, rejected first, restored);
- reply.created: every reply as it becomes public (posted, or approved), in a
  public thread, official ones too (with is_official true);
- reply.official: in addition, for an official reply, so a receiver that only
  follows the brand's voice subscribes to this one alone;
- thread.solved: a solution accepted (not its undoing);
- thread.hidden, thread.restored: a public thread hidden, a hidden one public again;
- thread.overdue: the first time a thread awaiting the brand passes its due time,
  once per due time (webhook_overdue_check, run by follow_conversations);
- resolution.not_yet: the asker answered "Not yet";
- satisfaction.received: a member's satisfaction score (and comment), for staff
  systems only, like the admin's satisfaction pages.

Payloads carry ids, titles, addresses, usernames and states: never a post's body,
never an e-mail address. A hidden thread's event carries no title or author.
"""

import logging
import uuid
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from community.models.forum import Reply, Thread, Visibility
from community.models.site_settings import CommunitySettings
from community.models.webhooks import (
    ThreadOverdueMark,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from community.querysets import due_at_expression
from community.tasks import deliver_webhook_task

logger = logging.getLogger(__name__)

# Events about a reply: dropped when the reply is not public.
REPLY_EVENTS = {WebhookEvent.REPLY_CREATED, WebhookEvent.REPLY_OFFICIAL, WebhookEvent.THREAD_SOLVED}


def webhook_event_emit(
    *, event: str, thread_id: int, reply_id: int | None = None, extra: dict | None = None
) -> None:
    """Send `event` about a thread (and a reply) to the subscriptions that want it,
    once the current transaction commits. `extra` (JSON-ready) joins the payload."""
    transaction.on_commit(
        partial(_emit, event=event, thread_id=thread_id, reply_id=reply_id, extra=extra or {}),
        robust=True,  # a failing webhook must not fail the member's request
    )


def reply_events_emit(reply: Reply) -> None:
    """A reply just became public: reply.created, and reply.official for the brand's."""
    webhook_event_emit(
        event=WebhookEvent.REPLY_CREATED, thread_id=reply.thread_id, reply_id=reply.pk
    )
    if reply.is_official:
        webhook_event_emit(
            event=WebhookEvent.REPLY_OFFICIAL, thread_id=reply.thread_id, reply_id=reply.pk
        )


def _emit(*, event: str, thread_id: int, reply_id: int | None, extra: dict) -> list[int]:
    """The deliveries made for the event (their ids), each queued for sending."""
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.receiving().only("pk", "events")
        if event in subscription.events
    ]
    if not subscriptions:
        return []
    data = event_data(event, thread_id=thread_id, reply_id=reply_id)
    if data is None:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscription,
            event=event,
            event_id=event_id,
            payload={**data, **extra},
            created_at=now,
            next_attempt_at=now,
        )
        for subscription in subscriptions
    )
    ids = [delivery.pk for delivery in deliveries]
    for pk in ids:
        deliver_webhook_task.enqueue(delivery_id=pk)
    return ids


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def thread_data(thread: Thread) -> dict:
    """A public thread as events show it (category, author and tags loaded)."""
    rules = CommunitySettings.load()
    state = thread.conversation_state(close_after=rules.close_after, at=timezone.now())
    return {
        "id": thread.pk,
        "title": thread.title,
        "url": _absolute(thread.get_absolute_url()),
        "category": thread.category.slug,
        "tags": sorted(tag.name for tag in thread.tags.all()),
        "created_at": thread.created_at.isoformat(),
        "author": thread.author.username,
        "state": state.value if state else thread.visibility,
    }


def hidden_thread_data(thread: Thread) -> dict:
    """A thread no longer public: what the receiver needs to find its own record."""
    return {
        "id": thread.pk,
        "url": _absolute(thread.get_absolute_url()),
        "category": thread.category.slug,
        "created_at": thread.created_at.isoformat(),
        "state": thread.visibility,
    }


def reply_data(reply: Reply) -> dict:
    return {
        "id": reply.pk,
        "thread_id": reply.thread_id,
        "url": _absolute(reply.get_absolute_url()),
        "is_official": reply.is_official,
        "author": reply.author.username,
        "created_at": reply.created_at.isoformat(),
    }


def event_data(event: str, *, thread_id: int, reply_id: int | None) -> dict | None:
    """The event's data from the rows as they are now, or None when what it is about
    is not public (a thread.hidden event: when the thread is not hidden)."""
    thread = (
        Thread.objects.select_related("category", "author")
        .prefetch_related("tags")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        return None
    if event == WebhookEvent.THREAD_HIDDEN:
        if thread.visibility != Visibility.HIDDEN:
            return None
        return {"thread": hidden_thread_data(thread)}
    if thread.visibility != Visibility.VISIBLE:
        return None
    data = {"thread": thread_data(thread)}
    if reply_id is not None:
        reply = (
            Reply.objects.select_related("author")
            .filter(pk=reply_id, thread_id=thread_id, visibility=Visibility.VISIBLE)
            .first()
        )
        if reply is not None:
            data["reply"] = reply_data(reply)
        elif event in REPLY_EVENTS:
            return None
    return data


# The scheduled steps (manage.py follow_conversations) ---------------------------


def webhook_deliveries_retry(*, at: datetime | None = None, limit: int = 500) -> int:
    """Queue every delivery whose next attempt is due (at `at`, by default now), the
    longest waiting first; returns how many. Safe on any schedule: a delivery queued
    twice, or by two runs at once, is sent once (each attempt is claimed first)."""
    at = at or timezone.now()
    due = (
        WebhookDelivery.objects.due(at)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    for pk in ids:
        deliver_webhook_task.enqueue(delivery_id=pk, at=at.isoformat())
    return len(ids)


def webhook_overdue_check(*, at: datetime | None = None, limit: int = 500) -> int:
    """Send thread.overdue for each thread awaiting the brand past its due time, once
    per thread and due time; returns how many threads. A repeated or concurrent run
    sends nothing twice: the mark is unique, and written with the event."""
    at = at or timezone.now()
    marked = ThreadOverdueMark.objects.filter(thread=OuterRef("pk"), due_at=OuterRef("due_at"))
    late = (
        Thread.objects.overdue(at)
        .annotate(due_at=due_at_expression())
        .filter(~Exists(marked))
        .order_by("due_at", "pk")
        .values_list("pk", "due_at", "first_official_reply_at")[:limit]
    )
    sent = 0
    for thread_id, due_at, first_official_reply_at in list(late):
        try:
            with transaction.atomic():
                ThreadOverdueMark.objects.create(thread_id=thread_id, due_at=due_at)
                webhook_event_emit(
                    event=WebhookEvent.THREAD_OVERDUE,
                    thread_id=thread_id,
                    extra={
                        "due_at": due_at.isoformat(),
                        "awaiting": "first_reply"
                        if first_official_reply_at is None
                        else "follow_up",
                    },
                )
        except IntegrityError:  # another run marked it first
            continue
        sent += 1
    return sent
