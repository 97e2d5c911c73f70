"""Mail that came back to a reply address (community/mail): one row per message,
so that the same message is acted on once, and what became of it can be read."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models.forum import Reply, Thread


class InboundEmail(models.Model):
    class Outcome(models.TextChoices):
        POSTED = "posted", _("Posted as a reply")
        PENDING = "pending", _("Posted, waiting for approval")
        AUTO_REPLY = "auto_reply", _("Ignored: an automatic reply")
        BOUNCE = "bounce", _("Ignored: a delivery failure report")
        NO_KEY = "no_key", _("Refused: not sent to a reply address")
        BAD_KEY = "bad_key", _("Refused: the reply address is not valid")
        EXPIRED = "expired", _("Refused: the reply address has expired")
        WRONG_SENDER = "wrong_sender", _("Refused: sent from another address")
        NOT_ALLOWED = "not_allowed", _("Refused: the member may not reply there")
        LIMITED = "limited", _("Refused: posting too fast")
        EMPTY = "empty", _("Refused: no text once quotes were removed")
        TOO_LARGE = "too_large", _("Refused: too large")

    # The message's Message-ID, or a digest of the message when it has none: unique,
    # so a message delivered twice, or sent again, is acted on once.
    message_id = models.CharField(max_length=255, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    sender = models.EmailField(max_length=254, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.SET_NULL, null=True, related_name="+")
    size = models.PositiveIntegerField(default=0)
    attachments_dropped = models.PositiveSmallIntegerField(default=0)
    # When a short e-mail went back to the sender about it (a refusal, or a note):
    # counted per sender to keep two robots from writing to each other forever.
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(
                fields=["sender", "answered_at"],
                condition=models.Q(answered_at__isnull=False),
                name="inbound_answered",
            ),
        ]

    def __str__(self):
        return f"{self.message_id} ({self.outcome})"
