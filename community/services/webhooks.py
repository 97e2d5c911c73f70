"""What editors do to webhook subscriptions besides editing them: send a delivery
again, resume a paused subscription (community.webhook_delivery pauses it)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community import permissions
from community.models import WebhookDelivery, WebhookSubscription
from community.tasks import deliver_webhook_task


@transaction.atomic
def webhook_delivery_resend(*, user, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now: a new attempt of the same event (same id, same
    body, signed with the subscription's current secret). Refused while the
    subscription is off or paused: resuming it is the editor's decision to make first."""
    permissions.check_manage_webhooks(user)
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("subscription")
        .get(pk=delivery.pk)
    )
    subscription = delivery.subscription
    if not subscription.is_active or subscription.is_paused:
        raise ValidationError(
            _("Switch the subscription on, or resume it, before sending again."),
            code="not_receiving",
        )
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    transaction.on_commit(lambda: deliver_webhook_task.enqueue(delivery_id=delivery.pk))
    return delivery


@transaction.atomic
def webhook_subscription_resume(*, user, subscription: WebhookSubscription) -> bool:
    """Un-pause a subscription; its waiting deliveries carry on at the next retry
    step. False when it was not paused (a double submit changes nothing)."""
    permissions.check_manage_webhooks(user)
    resumed = WebhookSubscription.objects.filter(
        pk=subscription.pk, paused_at__isnull=False
    ).update(paused_at=None, paused_reason="", given_up_in_a_row=0)
    return bool(resumed)
