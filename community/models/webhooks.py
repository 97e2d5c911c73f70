"""Webhooks: the brand's own systems (helpdesk, CRM, app) hear what happens in the
community as it happens.

An editor subscribes a receiver (its URL) to some of the events below. Each event a
subscription wants becomes one WebhookDelivery row, which a task sends and, when
the receiver fails, the scheduled retry step sends again with backoff
(community.webhook_delivery). The rows are the delivery log editors read in the
admin. A subscription whose receiver keeps failing is paused (paused_at) rather
than switched off, so an editor sees why and resumes it once it is fixed.
"""

import json
import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from community.models.forum import Thread


class WebhookEvent(models.TextChoices):
    """The events a subscription can choose; their names are the public contract."""

    THREAD_CREATED = "thread.created", _("Thread created (public at once)")
    THREAD_PUBLISHED = "thread.published", _("Thread published after approval")
    REPLY_CREATED = "reply.created", _("Reply created (every public reply)")
    REPLY_OFFICIAL = "reply.official", _("Official reply")
    THREAD_SOLVED = "thread.solved", _("Solution accepted")
    THREAD_HIDDEN = "thread.hidden", _("Thread hidden by a moderator")
    THREAD_RESTORED = "thread.restored", _("Thread restored by a moderator")
    THREAD_OVERDUE = "thread.overdue", _("Thread overdue (its reply is late)")
    RESOLUTION_NOT_YET = "resolution.not_yet", _("Asker answered “Not yet”")
    SATISFACTION_RECEIVED = "satisfaction.received", _("Satisfaction rating received")


def webhook_url_allowed(url: str) -> bool:
    """https only: events name members and threads, and travel with a signature whose
    secret must not be replayable from clear text. Plain http is for local receivers
    (DEBUG, or WEBHOOKS_ALLOW_HTTP for tests and a laptop)."""
    if url.lower().startswith("https://"):
        return True
    allow_http = settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP", False)
    return allow_http and url.lower().startswith("http://")


def validate_webhook_url(url: str) -> None:
    if not webhook_url_allowed(url):
        raise ValidationError(
            _("Use an https:// address: events must not travel in clear text."),
            code="https_only",
        )


def generate_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class EventListField(models.JSONField):
    """A list of event names, stored as JSON (portable to SQLite, where JSON
    containment lookups do not exist) and edited as a set of checkboxes."""

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.MultipleChoiceField,
            "choices": WebhookEvent.choices,
            "widget": forms.CheckboxSelectMultiple,
        }
        return models.Field.formfield(self, **{**defaults, **kwargs})

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list) or not set(value) <= set(WebhookEvent.values):
            raise ValidationError(_("Choose events from the list."), code="bad_events")


class WebhookSubscriptionQuerySet(models.QuerySet):
    def receiving(self):
        """Switched on and not paused: the subscriptions events are sent to."""
        return self.filter(is_active=True, paused_at__isnull=True)


class WebhookSubscription(models.Model):
    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(
        _("target URL"),
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("The receiver's address; events are POSTed to it as JSON."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=128,
        default=generate_webhook_secret,
        help_text=_(
            "Your receiver checks the X-Relais-Signature header with it (HMAC-SHA256 of "
            "the body). Change it here and in the receiver at the same time."
        ),
    )
    events = EventListField(_("events"), default=list)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Switched off, nothing is sent to it.")
    )
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    paused_reason = models.CharField(
        _("paused because"), max_length=300, blank=True, editable=False
    )
    # Deliveries that gave up one after the other (community.webhook_delivery):
    # any successful attempt puts it back to zero.
    given_up_in_a_row = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("target_url"),
        FieldPanel("secret"),
        FieldPanel("events"),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def clean(self):
        super().clean()
        if not self.events:
            raise ValidationError({"events": _("Choose at least one event.")})


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, at):
        """Waiting for an attempt whose time has come, for a subscription that receives."""
        return self.filter(
            status__in=WebhookDelivery.RETRYABLE,
            next_attempt_at__lte=at,
            subscription__is_active=True,
            subscription__paused_at__isnull=True,
        )


class WebhookDelivery(models.Model):
    """One event for one subscription, and how sending it went: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed, will retry")
        GIVEN_UP = "given_up", _("Given up")

    RETRYABLE = (Status.PENDING, Status.FAILED)
    ERROR_MAX_LENGTH = 300

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    # The same id for every subscription the event goes to: receivers dedupe by it.
    event_id = models.UUIDField(_("event id"), db_index=True)
    payload = models.JSONField(_("data"))
    created_at = models.DateTimeField(_("created at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_status_code = models.PositiveSmallIntegerField(
        _("response code"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=ERROR_MAX_LENGTH, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event} {self.event_id}"

    def body(self) -> bytes:
        """The exact bytes POSTed (and signed): the same for every attempt, whatever
        order the database keeps the JSON keys in."""
        document = {
            "id": str(self.event_id),
            "event": self.event,
            "created_at": self.created_at.isoformat(),
            "data": self.payload,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class ThreadOverdueMark(models.Model):
    """thread.overdue went out (or would have) for this due time: the scheduled check
    sends it once per thread and due time, however often it runs. Marked even when
    no subscription wants the event, so a subscription made later does not receive
    a burst of threads that were late long before."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "due_at"], name="thread_overdue_once")
        ]

    def __str__(self):
        return f"{self.thread_id} overdue at {self.due_at:%Y-%m-%d %H:%M}"
