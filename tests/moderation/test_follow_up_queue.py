"""The queue holds both states that await the brand (promise 1): a first reply, and a
follow-up once the customer came back after the brand's reply, each with its own
due time, filterable, due first."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import services
from community.models import Thread
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.helpers import caches_cold, queue_titles_shown

pytestmark = pytest.mark.django_db


def ask(title, *, category=None):
    return services.thread_create(
        author=UserFactory(),
        category=category or CategoryFactory(),
        title=title,
        body="It clicks off after a few seconds.",
    )


def came_back(title, *, category=None):
    """A thread the brand answered, where the asker then wrote again."""
    thread = ask(title, category=category)
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    services.reply_create(author=thread.author, thread=thread, body="That did not work.")
    return thread


def test_the_queue_shows_follow_ups_marked_as_such(moderator_client):
    first = ask("The kettle switches itself off")
    again = came_back("The toaster burns one side")

    page = moderator_client.get("/moderation/").content.decode()

    assert set(queue_titles_shown(moderator_client.get("/moderation/"))) == {
        first.title,
        again.title,
    }
    assert page.count('data-testid="queue-follow-up"') == 1


def test_the_stage_filter(moderator_client):
    first = ask("The kettle switches itself off")
    again = came_back("The toaster burns one side")

    assert queue_titles_shown(moderator_client.get("/moderation/?stage=first")) == [first.title]
    assert queue_titles_shown(moderator_client.get("/moderation/?stage=follow-up")) == [again.title]
    # An unknown stage is ignored.
    assert len(queue_titles_shown(moderator_client.get("/moderation/?stage=nonsense"))) == 2


def test_due_first_mixes_both_stages_by_their_own_due_time(moderator_client):
    again = came_back("The toaster burns one side")
    first = ask("The kettle switches itself off")
    now = timezone.now()
    Thread.objects.filter(pk=first.pk).update(response_due_at=now + timedelta(hours=5))
    Thread.objects.filter(pk=again.pk).update(follow_up_due_at=now + timedelta(hours=1))

    assert queue_titles_shown(moderator_client.get("/moderation/")) == [again.title, first.title]

    Thread.objects.filter(pk=again.pk).update(follow_up_due_at=now + timedelta(hours=9))
    caches_cold()
    assert queue_titles_shown(moderator_client.get("/moderation/")) == [first.title, again.title]


def test_an_overdue_follow_up_counts_as_overdue(moderator_client):
    again = came_back("The toaster burns one side")
    ask("The kettle switches itself off")
    Thread.objects.filter(pk=again.pk).update(
        follow_up_due_at=timezone.now() - timedelta(minutes=5)
    )
    caches_cold()

    assert queue_titles_shown(moderator_client.get("/moderation/?filter=overdue")) == [again.title]


def test_the_staff_note_on_the_thread_says_a_follow_up_is_due(moderator_client):
    again = came_back("The toaster burns one side")

    page = moderator_client.get(again.get_absolute_url()).content.decode()

    assert "The customer wrote back: follow-up due in" in page


def test_the_staff_note_says_when_the_thread_waits_on_the_customer(moderator_client):
    thread = ask("The kettle switches itself off")
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")

    page = moderator_client.get(thread.get_absolute_url()).content.decode()

    assert "Waiting on the customer since the team" in page


def test_check_queue_counts_follow_ups(capsys):
    ask("The kettle switches itself off")
    came_back("The toaster burns one side")

    call_command("check_queue")

    assert "1 threads awaiting an official reply, 1 awaiting a follow-up; 0 breaking" in (
        capsys.readouterr().out
    )


def test_the_queue_runs_the_same_queries_for_1_and_50_follow_ups(moderator_client):
    category = CategoryFactory()

    def count():
        caches_cold()  # measure from cold caches, as after a write
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get("/moderation/?stage=follow-up").status_code == 200
        return len(context.captured_queries)

    came_back("The toaster burns one side", category=category)
    count()
    with_one = count()
    for number in range(49):
        came_back(f"The toaster burns one side, case {number}", category=category)
    with_fifty = count()

    assert with_one == with_fifty
