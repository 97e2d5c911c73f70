"""The one reminder of an unanswered "Did this solve your problem?", sent by the
scheduled `follow_conversations`: a missed tick sends it at the next one, a
repeated tick sends nothing twice, and an answered or solved question is left alone."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from community import services
from community.models import CommunitySettings, Notification, ResolutionCheck
from tests.factories import ModeratorFactory, ThreadFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def check(thread, django_capture_on_commit_callbacks) -> ResolutionCheck:
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    return ResolutionCheck.objects.get(reply=reply)


def asked(asker) -> int:
    return Notification.objects.filter(recipient=asker, kind=Kind.RESOLUTION_CHECK).count()


def tick(at, capture) -> int:
    with capture(execute=True):
        return services.resolution_checks_remind(at=at)


def test_no_reminder_before_the_configured_days(check, asker, django_capture_on_commit_callbacks):
    rules = CommunitySettings.load()
    rules.resolution_reminder_days = 2
    rules.save()

    assert (
        tick(
            check.asked_at + timedelta(days=2) - timedelta(minutes=1),
            django_capture_on_commit_callbacks,
        )
        == 0
    )
    assert asked(asker) == 1  # the question itself


def test_a_reminder_goes_once_in_the_bell_and_by_email(
    check, asker, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    at = check.asked_at + timedelta(days=3)

    assert tick(at, django_capture_on_commit_callbacks) == 1
    assert (
        tick(at + timedelta(minutes=5), django_capture_on_commit_callbacks) == 0
    )  # a repeated tick

    assert asked(asker) == 2
    check.refresh_from_db()
    assert check.reminded_at == at
    (message,) = mailoutbox
    assert message.to == [asker.email]
    assert "/community/resolution/" in message.body  # the one-click answers again


def test_a_missed_tick_is_caught_up_by_the_next(check, asker, django_capture_on_commit_callbacks):
    # Nothing ran for three weeks (the scheduler was down): the next run still reminds.
    assert tick(check.asked_at + timedelta(days=21), django_capture_on_commit_callbacks) == 1
    assert asked(asker) == 2


def test_an_answered_question_or_a_solved_thread_is_not_reminded(
    thread, check, asker, django_capture_on_commit_callbacks
):
    services.resolution_check_answer(user=asker, check=check, answer="not_yet")
    assert tick(check.asked_at + timedelta(days=5), django_capture_on_commit_callbacks) == 0

    other = services.reply_create(author=ModeratorFactory(), thread=thread, body="Try this.")
    services.thread_accept_reply(user=asker, thread=thread, reply=other)
    assert tick(timezone.now() + timedelta(days=5), django_capture_on_commit_callbacks) == 0


def test_the_command_reminds_and_says_how_many(check, asker, capsys):
    ResolutionCheck.objects.filter(pk=check.pk).update(asked_at=timezone.now() - timedelta(days=4))
    call_command("follow_conversations")
    call_command("follow_conversations")

    assert capsys.readouterr().out.splitlines() == [
        "1 asker(s) reminded; 0 closed thread(s) asked how satisfied; "
        "0 overdue thread(s) announced; 0 webhook delivery(ies) retried; "
        "0 old inbound e-mail record(s) forgotten.",
        "0 asker(s) reminded; 0 closed thread(s) asked how satisfied; "
        "0 overdue thread(s) announced; 0 webhook delivery(ies) retried; "
        "0 old inbound e-mail record(s) forgotten.",
    ]
    assert asked(asker) == 2


def test_the_limit_leaves_the_rest_to_the_next_run(
    category, asker, django_capture_on_commit_callbacks
):
    staff = ModeratorFactory()
    for thread in ThreadFactory.create_batch(3, author=asker, category=category):
        services.reply_create(author=staff, thread=thread, body="Descale it.")
    later = timezone.now() + timedelta(days=4)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.resolution_checks_remind(at=later, limit=2) == 2
        assert services.resolution_checks_remind(at=later, limit=2) == 1
    assert asked(asker) == 6
