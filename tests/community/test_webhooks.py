"""Webhooks against a real HTTP receiver on 127.0.0.1: the signed body and headers,
which events go out (and which never do), retries with backoff, the pause, "Send
again", the overdue check, and who may manage subscriptions in the admin."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from community import services
from community.models import (
    ResolutionCheck,
    SatisfactionRating,
    ThreadOverdueMark,
    Visibility,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from community.webhook_delivery import MAX_ATTEMPTS, PAUSE_AFTER_GIVEN_UP, RETRY_DELAYS
from community.webhooks import (
    webhook_deliveries_retry,
    webhook_event_emit,
    webhook_overdue_check,
)
from moderation.services import actions, approvals
from tests.factories import ModeratorFactory, UserFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/snippets/community/webhooksubscription/"


class Receiver:
    """What the test's HTTP server received, and the codes it answers with: the next
    ones queued by fail(), 200 after that."""

    def __init__(self, url):
        self.url = url
        self.requests = []
        self.codes = []

    def fail(self, times: int, code: int = 500):
        self.codes += [code] * times

    def events(self):
        return [request["headers"]["X-Relais-Event"] for request in self.requests]

    def bodies(self):
        return [json.loads(request["body"]) for request in self.requests]


@pytest.fixture
def receiver():
    handler_class = type("Handler", (BaseHTTPRequestHandler,), {})
    receiver = None

    def do_post(handler):
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        receiver.requests.append({"headers": handler.headers, "body": body, "path": handler.path})
        code = receiver.codes.pop(0) if receiver.codes else 200
        handler.send_response(code)
        if code in (301, 302):
            handler.send_header("Location", "http://127.0.0.1:9/elsewhere")
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    handler_class.do_POST = do_post
    handler_class.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks/relais")
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    yield receiver
    server.shutdown()
    server.server_close()
    worker.join()


@pytest.fixture(autouse=True)
def _http_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True


@pytest.fixture
def subscription(receiver):
    return WebhookSubscriptionFactory(target_url=receiver.url, secret="s3cret")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block's after-commit work (events, tasks) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ask(author, category, title="The grinder jams on dark beans"):
    return services.thread_create(
        author=author, category=category, title=title, body="It stops after two seconds."
    )


def later(*, minutes):
    return timezone.now() + timedelta(minutes=minutes)


# The request ----------------------------------------------------------------------


def test_thread_created_is_posted_signed_with_its_headers(
    receiver, subscription, sent, member, category
):
    with sent():
        thread = services.thread_create(
            author=member,
            category=category,
            title="The grinder jams",
            body="Secret body text",
            tags=["Grinder", "beans"],
        )

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Relais-Signature"], expected)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Relais-Webhooks/1"
    assert headers["X-Relais-Event"] == "thread.created"
    document = json.loads(body)
    assert headers["X-Relais-Delivery"] == document["id"]
    assert set(document) == {"id", "event", "created_at", "data"}
    assert document["event"] == "thread.created"
    assert document["data"]["thread"] == {
        "id": thread.pk,
        "title": "The grinder jams",
        "url": settings.WAGTAILADMIN_BASE_URL + thread.get_absolute_url(),
        "category": "coffee",
        "tags": ["beans", "grinder"],
        "created_at": thread.created_at.isoformat(),
        "author": member.username,
        "state": "awaiting_first_reply",
    }
    # Never a body, never an e-mail address.
    assert b"Secret body text" not in body
    assert member.email.encode() not in body
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status_code) == (
        WebhookDelivery.Status.SUCCEEDED,
        1,
        200,
    )
    assert str(delivery.event_id) == document["id"]


def test_a_subscription_gets_only_the_events_it_chose(receiver, sent, member, moderator, thread):
    WebhookSubscriptionFactory(target_url=receiver.url, events=["reply.official"])
    with sent():
        services.reply_create(author=member, thread=thread, body="Same here.")
        services.reply_create(author=moderator, thread=thread, body="We are on it.")

    assert receiver.events() == ["reply.official"]
    assert receiver.bodies()[0]["data"]["reply"]["is_official"] is True


def test_an_official_reply_sends_reply_created_and_reply_official(
    receiver, subscription, sent, moderator, thread
):
    with sent():
        reply = services.reply_create(author=moderator, thread=thread, body="Descale it.")

    assert receiver.events() == ["reply.created", "reply.official"]
    created, official = receiver.bodies()
    assert created["id"] != official["id"]
    assert official["data"]["reply"] == {
        "id": reply.pk,
        "thread_id": thread.pk,
        "url": settings.WAGTAILADMIN_BASE_URL + reply.get_absolute_url(),
        "is_official": True,
        "author": moderator.username,
        "created_at": reply.created_at.isoformat(),
    }


def test_every_subscription_gets_the_same_event_id(receiver, sent, member, category):
    first = WebhookSubscriptionFactory(target_url=receiver.url, secret="one")
    second = WebhookSubscriptionFactory(target_url=receiver.url, secret="two")
    with sent():
        ask(member, category)

    ids = {request["headers"]["X-Relais-Delivery"] for request in receiver.requests}
    assert len(receiver.requests) == 2 and len(ids) == 1
    signatures = {request["headers"]["X-Relais-Signature"] for request in receiver.requests}
    assert len(signatures) == 2  # each signed with its own secret
    assert set(WebhookDelivery.objects.values_list("subscription", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    receiver, subscription, sent, member, category
):
    receiver.fail(1, code=302)
    with sent():
        ask(member, category)

    assert len(receiver.requests) == 1  # not sent on to the Location
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status_code) == (WebhookDelivery.Status.FAILED, 302)


def test_a_receiver_that_is_down_is_a_failure_with_its_error(sent, member, category):
    WebhookSubscriptionFactory(target_url="http://127.0.0.1:9/nobody-listens")
    with sent():
        ask(member, category)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.response_status_code is None
    assert delivery.last_error


# What never goes out, and what goes out on approval ------------------------------


@pytest.mark.premoderation
def test_a_pending_thread_is_not_sent_and_is_published_on_approval(
    receiver, subscription, sent, category
):
    newcomer, moderator = UserFactory(), ModeratorFactory()
    with sent():
        thread = ask(newcomer, category)
    assert thread.visibility == Visibility.PENDING
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()

    with sent():
        approvals.thread_approve(moderator=moderator, thread=thread)

    assert receiver.events() == ["thread.published"]
    assert receiver.bodies()[0]["data"]["thread"]["id"] == thread.pk


@pytest.mark.premoderation
def test_a_pending_reply_is_not_sent_until_approved(receiver, subscription, sent, category):
    moderator = ModeratorFactory()
    thread = ask(moderator, category)  # staff posts are never held
    newcomer = UserFactory()
    with sent():
        reply = services.reply_create(author=newcomer, thread=thread, body="Me too!")
    assert reply.visibility == Visibility.PENDING
    assert receiver.requests == []

    with sent():
        approvals.reply_approve(moderator=moderator, reply=reply)

    assert receiver.events() == ["reply.created"]
    assert receiver.bodies()[0]["data"]["reply"]["id"] == reply.pk


@pytest.mark.premoderation
def test_a_rejected_thread_sends_nothing_and_its_restoring_publishes_it(
    receiver, subscription, sent, category
):
    newcomer, moderator = UserFactory(), ModeratorFactory()
    thread = ask(newcomer, category)
    with sent():
        approvals.thread_reject(moderator=moderator, thread=thread, reason="Off topic")
    assert receiver.requests == []

    with sent():
        actions.thread_restore(moderator=moderator, thread=thread)

    assert receiver.events() == ["thread.published"]


def test_hiding_and_restoring_a_thread(receiver, subscription, sent, moderator, member, thread):
    with sent():
        actions.thread_hide(moderator=moderator, thread=thread, reason="Spam")
        # Whatever else happens to a hidden thread stays in.
        webhook_event_emit(event=WebhookEvent.THREAD_CREATED, thread_id=thread.pk)
    assert receiver.events() == ["thread.hidden"]
    hidden = receiver.bodies()[0]["data"]["thread"]
    assert hidden["id"] == thread.pk and hidden["state"] == "hidden"
    assert "title" not in hidden and "author" not in hidden

    with sent():
        actions.thread_restore(moderator=moderator, thread=thread)

    assert receiver.events() == ["thread.hidden", "thread.restored"]


def test_an_event_about_a_thread_hidden_before_the_commit_is_dropped(
    receiver, subscription, sent, moderator, member, thread
):
    with sent():
        services.reply_create(author=member, thread=thread, body="Still broken.")
        actions.thread_hide(moderator=moderator, thread=thread, reason="Spam")

    assert receiver.events() == ["thread.hidden"]


def test_nothing_goes_out_for_a_rolled_back_write(receiver, subscription, member, thread, sent):
    from django.db import transaction

    with sent(), pytest.raises(RuntimeError), transaction.atomic():
        services.reply_create(author=member, thread=thread, body="Rolled back.")
        raise RuntimeError

    assert receiver.requests == []


# The other events -----------------------------------------------------------------


def test_solution_not_yet_and_satisfaction(receiver, subscription, sent, moderator, member, thread):
    with sent():
        official = services.reply_create(author=moderator, thread=thread, body="Descale it.")
        check = ResolutionCheck.objects.get(thread=thread, reply=official)
        services.resolution_check_answer(user=member, check=check, answer="not_yet")
        peer = services.reply_create(author=UserFactory(), thread=thread, body="Use vinegar.")
        services.thread_accept_reply(user=member, thread=thread, reply=peer)
        services.satisfaction_answer(user=member, thread=thread, score=4, comment="Quick.")

    assert receiver.events()[2:] == [
        "resolution.not_yet",
        "reply.created",
        "thread.solved",
        "satisfaction.received",
    ]
    not_yet, _reply, solved, satisfaction = receiver.bodies()[2:]
    assert not_yet["data"]["reply"]["id"] == official.pk
    assert solved["data"]["reply"]["id"] == peer.pk
    assert solved["data"]["accepted_by"] == member.username
    assert solved["data"]["thread"]["state"] == "solved"
    assert satisfaction["data"]["rating"]["score"] == 4
    assert SatisfactionRating.objects.get(thread=thread, member=member).score == 4


def test_thread_overdue_is_sent_once_per_due_time(receiver, subscription, sent, thread):
    at = thread.response_due_at + timedelta(minutes=1)
    with sent():
        assert webhook_overdue_check(at=at) == 1
        assert webhook_overdue_check(at=at) == 0
        assert webhook_overdue_check(at=at + timedelta(days=1)) == 0

    assert receiver.events() == ["thread.overdue"]
    data = receiver.bodies()[0]["data"]
    assert data["due_at"] == thread.response_due_at.isoformat()
    assert data["awaiting"] == "first_reply"
    assert ThreadOverdueMark.objects.get().thread_id == thread.pk


def test_the_overdue_check_marks_threads_even_without_subscriptions(thread):
    assert webhook_overdue_check(at=thread.response_due_at + timedelta(minutes=1)) == 1
    assert not WebhookDelivery.objects.exists()
    # A subscription made later does not receive the threads that were late before.
    WebhookSubscriptionFactory()
    assert webhook_overdue_check(at=thread.response_due_at + timedelta(minutes=2)) == 0


def test_a_thread_not_yet_due_is_not_overdue(receiver, subscription, sent, thread):
    with sent():
        assert webhook_overdue_check(at=thread.response_due_at - timedelta(minutes=1)) == 0
    assert receiver.requests == []


def test_follow_conversations_runs_the_webhook_steps(subscription, sent, thread, capsys):
    with sent():
        call_command("follow_conversations")
    assert "overdue thread(s) announced" in capsys.readouterr().out


# Retries and the pause ------------------------------------------------------------


def test_a_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    receiver, subscription, sent, member, category
):
    receiver.fail(2)
    with sent():
        ask(member, category)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status_code) == (
        WebhookDelivery.Status.FAILED,
        1,
        500,
    )
    assert delivery.next_attempt_at - delivery.last_attempt_at == RETRY_DELAYS[0]

    # Not due yet: nothing is sent.
    assert webhook_deliveries_retry() == 0
    with sent():
        assert webhook_deliveries_retry(at=later(minutes=2)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 2)
    assert delivery.next_attempt_at - delivery.last_attempt_at == RETRY_DELAYS[1]

    with sent():
        assert webhook_deliveries_retry(at=later(minutes=10)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status_code) == (
        WebhookDelivery.Status.SUCCEEDED,
        3,
        200,
    )
    assert delivery.next_attempt_at is None
    # The same event, byte for byte, every time.
    assert len({request["body"] for request in receiver.requests}) == 1
    assert len(receiver.requests) == 3


def test_running_the_retry_step_twice_sends_nothing_twice(
    receiver, subscription, sent, member, category
):
    receiver.fail(1)
    with sent():
        ask(member, category)
    with sent():
        webhook_deliveries_retry(at=later(minutes=2))
        webhook_deliveries_retry(at=later(minutes=2))
    with sent():
        webhook_deliveries_retry(at=later(minutes=3))

    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get().attempts == 2


def test_an_attempt_being_sent_is_not_claimed_again(receiver, subscription, member, category, sent):
    """Two workers at once: the first claim leases the row, the second finds it not due."""
    from community.webhook_delivery import _claim

    with sent():
        ask(member, category)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=timezone.now()
    )
    now = timezone.now()
    assert _claim(delivery.pk, now=now, at=now) == 2
    assert _claim(delivery.pk, now=now, at=now) is None


def test_a_subscription_that_keeps_failing_is_paused_then_resumed(
    receiver, subscription, sent, member, category, editor_client
):
    receiver.fail(1000)
    with sent():
        for n in range(PAUSE_AFTER_GIVEN_UP):
            ask(member, category, title=f"Question number {n}")
    step = 0
    while WebhookDelivery.objects.filter(status__in=WebhookDelivery.RETRYABLE).exists():
        step += 1
        assert step <= MAX_ATTEMPTS
        with sent():
            webhook_deliveries_retry(at=later(minutes=60 * 24 * step))

    assert len(receiver.requests) == PAUSE_AFTER_GIVEN_UP * MAX_ATTEMPTS
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"given_up"}
    subscription.refresh_from_db()
    assert subscription.is_paused and subscription.is_active
    assert subscription.paused_reason == "HTTP 500"

    # Paused: no new deliveries, and the editor reads why.
    with sent():
        ask(member, category, title="One more question")
    assert WebhookDelivery.objects.count() == PAUSE_AFTER_GIVEN_UP
    page = editor_client.get(f"{ADMIN}edit/{subscription.pk}/")
    assert b"Paused on" in page.content and b"HTTP 500" in page.content

    response = editor_client.post(f"{ADMIN}resume/{subscription.pk}/")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert not subscription.is_paused and subscription.given_up_in_a_row == 0
    with sent():
        ask(member, category, title="After the resume")
    assert WebhookDelivery.objects.count() == PAUSE_AFTER_GIVEN_UP + 1


def test_a_success_between_failures_keeps_the_subscription_receiving(
    receiver, subscription, sent, member, category
):
    subscription.given_up_in_a_row = PAUSE_AFTER_GIVEN_UP - 1
    subscription.save()
    with sent():
        ask(member, category)
    subscription.refresh_from_db()
    assert subscription.given_up_in_a_row == 0 and not subscription.is_paused


def test_paused_and_switched_off_subscriptions_get_nothing(receiver, sent, member, category):
    WebhookSubscriptionFactory(target_url=receiver.url, paused_at=timezone.now())
    WebhookSubscriptionFactory(target_url=receiver.url, is_active=False)
    with sent():
        ask(member, category)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_without_subscriptions_an_event_costs_one_query(
    thread, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks() as callbacks:
        webhook_event_emit(event=WebhookEvent.THREAD_CREATED, thread_id=thread.pk)
    with django_assert_num_queries(1):
        for callback in callbacks:
            callback()


# The admin --------------------------------------------------------------------------


def test_send_again_posts_the_same_event_again(
    receiver, subscription, sent, member, category, editor_client
):
    with sent():
        ask(member, category)
    delivery = WebhookDelivery.objects.get()

    with sent():
        response = editor_client.post(f"{ADMIN}delivery/{delivery.pk}/resend/")

    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}edit/{subscription.pk}/"
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert first["headers"]["X-Relais-Delivery"] == second["headers"]["X-Relais-Delivery"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCEEDED, 2)


def test_send_again_is_refused_while_paused(subscription, editor, member, category):
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="thread.created",
        event_id="8d0e5c5e-0b8a-4b8e-9f55-5c1a2a1c9f00",
        payload={},
        created_at=timezone.now(),
        status=WebhookDelivery.Status.GIVEN_UP,
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(paused_at=timezone.now())
    with pytest.raises(ValidationError):
        services.webhook_delivery_resend(user=editor, delivery=delivery)


def test_the_edit_page_shows_the_secret_and_the_delivery_log(
    receiver, subscription, sent, member, category, editor_client
):
    with sent():
        ask(member, category)
    listing = editor_client.get(ADMIN)
    assert listing.status_code == 200 and subscription.name.encode() in listing.content

    page = editor_client.get(f"{ADMIN}edit/{subscription.pk}/")

    assert page.status_code == 200
    assert b"s3cret" in page.content
    assert b"Delivery log" in page.content
    assert b"thread.created" in page.content
    delivery = WebhookDelivery.objects.get()
    assert f"{ADMIN}delivery/{delivery.pk}/resend/".encode() in page.content


def test_an_editor_creates_a_subscription_with_a_generated_secret(editor_client):
    form = editor_client.get(f"{ADMIN}add/")
    assert form.status_code == 200
    response = editor_client.post(
        f"{ADMIN}add/",
        {
            "name": "CRM",
            "target_url": "https://crm.example/hooks",
            "secret": "a-long-shared-secret",
            "events": ["thread.created", "reply.official"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = WebhookSubscription.objects.get()
    assert created.events == ["thread.created", "reply.official"]


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_the_admin_pages_refuse_members_and_moderators(request, role, receiver, subscription):
    from tests.helpers import client_for

    client = client_for(request.getfixturevalue(role))
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="thread.created",
        event_id="8d0e5c5e-0b8a-4b8e-9f55-5c1a2a1c9f00",
        payload={},
        created_at=timezone.now(),
        status=WebhookDelivery.Status.SUCCEEDED,
    )
    for url in (ADMIN, f"{ADMIN}edit/{subscription.pk}/"):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"s3cret" not in response.content
    for url in (f"{ADMIN}delivery/{delivery.pk}/resend/", f"{ADMIN}resume/{subscription.pk}/"):
        assert client.post(url).status_code in (302, 403)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert receiver.requests == []


def test_a_moderator_without_the_editor_role_cannot_resend(moderator, subscription):
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="thread.created",
        event_id="8d0e5c5e-0b8a-4b8e-9f55-5c1a2a1c9f00",
        payload={},
        created_at=timezone.now(),
    )
    with pytest.raises(PermissionDenied):
        services.webhook_delivery_resend(user=moderator, delivery=delivery)


# The target URL -------------------------------------------------------------------


def test_receivers_must_use_https_unless_allowed(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.DEBUG = False
    subscription = WebhookSubscription(
        name="CRM", target_url="http://crm.example/hooks", events=["thread.created"]
    )
    with pytest.raises(ValidationError) as error:
        subscription.full_clean()
    assert "target_url" in error.value.message_dict
    subscription.target_url = "https://crm.example/hooks"
    subscription.full_clean()
    assert len(subscription.secret) >= 32


def test_an_http_address_saved_earlier_is_not_sent_to_once_refused(
    receiver, subscription, sent, member, category, settings
):
    settings.WEBHOOKS_ALLOW_HTTP = False
    with sent():
        ask(member, category)
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED


def test_events_must_be_known_names():
    subscription = WebhookSubscription(
        name="CRM", target_url="https://crm.example/hooks", events=["thread.deleted"]
    )
    with pytest.raises(ValidationError) as error:
        subscription.full_clean()
    assert "events" in error.value.message_dict
