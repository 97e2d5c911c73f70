"""Sending one webhook delivery, and what its outcome changes.

An attempt is claimed before it is sent: one conditional UPDATE moves the row's
next attempt a lease into the future and counts the attempt, so two workers (the
task and the scheduled retry step, or two of either) never send the same attempt
twice; a worker that dies mid-send leaves the row to be retried once the lease is
over. The HTTP request runs outside any transaction: no row stays locked while a
slow receiver answers.

Retries: 6 attempts in all, the first at once, then after 1 min, 5 min, 30 min,
2 h and 6 h (about 8.5 hours). A delivery that used them all is given up.
Pause: a subscription whose deliveries give up PAUSE_AFTER_GIVEN_UP times in a
row (no successful attempt in between) is paused: a receiver that is down for
hours is left alone, one that failed for a few minutes is not. An editor resumes
it in the admin; its waiting deliveries then carry on.
"""

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from community.models.webhooks import WebhookDelivery, WebhookSubscription, webhook_url_allowed

logger = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
PAUSE_AFTER_GIVEN_UP = 3
TIMEOUT_SECONDS = 10
# Longer than any send takes (the timeout): a claimed attempt is not claimed again
# before the worker sending it has finished, or died.
CLAIM_LEASE = timedelta(minutes=2)
USER_AGENT = "Relais-Webhooks/1"


def signature(secret: str, body: bytes) -> str:
    """The X-Relais-Signature header's value."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a success: the event is not sent on to an address
    nobody configured (and a 3xx counts as a failure)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, *, body: bytes, headers: dict) -> tuple[int | None, str]:
    """(status code or None, error text, empty on a 2xx)."""
    # The scheme is http(s) only: the caller asked webhook_url_allowed() first.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason) or error.__class__.__name__


def _claim(delivery_id: int, *, now: datetime, at: datetime) -> int | None:
    """Count and lease one attempt of a delivery that is due at `at`; its attempt
    number, or None when it is not due (sent, being sent, or its subscription paused)."""
    claimed = (
        WebhookDelivery.objects.due(at)
        .filter(pk=delivery_id)
        .update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + CLAIM_LEASE)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)


def webhook_delivery_attempt(*, delivery_id: int, at: datetime | None = None) -> bool | None:
    """Send a delivery that is due (at `at`, by default now); True when the receiver
    answered 2xx, False when it failed, None when there was nothing to send."""
    now = timezone.now()
    at = max(at or now, now)
    attempt = _claim(delivery_id, now=now, at=at)
    if attempt is None:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = delivery.body()
    if webhook_url_allowed(subscription.target_url):
        code, error = _post(
            subscription.target_url,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Relais-Event": delivery.event,
                "X-Relais-Delivery": str(delivery.event_id),
                "X-Relais-Signature": signature(subscription.secret, body),
            },
        )
    else:  # the address was saved while http was allowed
        code, error = None, gettext("Plain http addresses are not allowed here.")
    succeeded = code is not None and 200 <= code < 300
    _record(delivery, attempt=attempt, started=now, code=code, error=error, succeeded=succeeded)
    return succeeded


def _record(delivery: WebhookDelivery, *, attempt: int, started, code, error: str, succeeded: bool):
    """Write the attempt's outcome, unless another worker took the row over meanwhile
    (its lease ran out), and pause the subscription when it keeps giving up. The
    next attempt is counted from when this one started."""
    now = timezone.now()
    if succeeded:
        status, next_at = WebhookDelivery.Status.SUCCEEDED, None
    elif attempt >= MAX_ATTEMPTS:
        status, next_at = WebhookDelivery.Status.GIVEN_UP, None
    else:
        status, next_at = WebhookDelivery.Status.FAILED, started + RETRY_DELAYS[attempt - 1]
    written = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=attempt).update(
        status=status,
        next_attempt_at=next_at,
        response_status_code=code,
        last_error=error[: WebhookDelivery.ERROR_MAX_LENGTH],
    )
    if not written:
        return
    subscriptions = WebhookSubscription.objects.filter(pk=delivery.subscription_id)
    if succeeded:
        subscriptions.exclude(given_up_in_a_row=0).update(given_up_in_a_row=0)
    elif status == WebhookDelivery.Status.GIVEN_UP:
        logger.warning("Webhook delivery %s given up: %s", delivery.pk, error)
        subscriptions.update(given_up_in_a_row=F("given_up_in_a_row") + 1)
        # Conditional, so that two deliveries giving up at once pause it once. The
        # reason is the receiver's last error; the admin's notice explains the rule.
        subscriptions.filter(
            given_up_in_a_row__gte=PAUSE_AFTER_GIVEN_UP, paused_at__isnull=True
        ).update(paused_at=now, paused_reason=error[:300])
