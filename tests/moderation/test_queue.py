"""The official-reply queue: who may see it, what is in it, in what order (promise 1)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import services
from community.models import CommunitySettings, Thread, Visibility
from moderation import services as moderation_services
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.helpers import MODERATORS_ONLY, assert_asks_to_sign_in, caches_cold, queue_titles_shown

pytestmark = pytest.mark.django_db


def ask(title="The kettle switches itself off", category=None, author=None):
    return services.thread_create(
        author=author or UserFactory(),
        category=category or CategoryFactory(),
        title=title,
        body="It clicks off after a few seconds.",
    )


def queue_titles(client, query="") -> list[str]:
    return queue_titles_shown(client.get(f"/moderation/{query}"))


@pytest.mark.parametrize(("role", "expected"), MODERATORS_ONLY)
def test_queue_is_for_moderators_only(request, client, role, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/moderation/").status_code == expected


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/moderation/")
    assert_asks_to_sign_in(response, then="/moderation/")


def test_only_an_official_reply_takes_a_thread_out_of_the_queue(moderator_client):
    thread = ask()
    asker = thread.author
    peer = UserFactory()
    assert queue_titles(moderator_client) == [thread.title]

    reply = services.reply_create(author=peer, thread=thread, body="Descale it.")
    services.thread_edit(editor=asker, thread=thread, title=thread.title, body="Edited.")
    services.thread_set_me_too(user=UserFactory(), thread=thread, me_too=True)
    services.reply_set_helpful(user=asker, reply=reply, helpful=True)
    services.thread_accept_reply(user=asker, thread=thread, reply=reply)
    assert queue_titles(moderator_client) == [thread.title]

    services.reply_create(author=ModeratorFactory(), thread=thread, body="Official answer.")
    assert queue_titles(moderator_client) == []


def test_hidden_and_pending_threads_are_not_in_the_queue(moderator_client):
    visible, hidden, pending = (
        ask("Visible question here"),
        ask("Hidden question"),
        ask("Pending one"),
    )
    Thread.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)
    Thread.objects.filter(pk=pending.pk).update(visibility=Visibility.PENDING)

    assert queue_titles(moderator_client) == [visible.title]


def test_due_time_comes_from_the_category_target_or_the_site_default():
    settings_row = CommunitySettings.load()
    settings_row.first_response_hours = 48
    settings_row.save()

    urgent = ask(category=CategoryFactory(first_response_hours=4))
    ordinary = ask(category=CategoryFactory(first_response_hours=None))

    assert urgent.response_due_at - urgent.created_at == timedelta(hours=4)
    assert ordinary.response_due_at - ordinary.created_at == timedelta(hours=48)


def test_queue_is_ordered_by_due_time_and_filters_overdue_and_category(moderator_client):
    slow_category = CategoryFactory(slug="orders", first_response_hours=24)
    fast_category = CategoryFactory(slug="repairs", first_response_hours=2)
    later = ask("Due in a day, asked first", category=slow_category)
    sooner = ask("Due in two hours, asked last", category=fast_category)
    late = ask("Asked long ago and overdue", category=slow_category)
    Thread.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timedelta(days=3),
        response_due_at=timezone.now() - timedelta(days=2),
    )

    assert queue_titles(moderator_client) == [late.title, sooner.title, later.title]
    assert queue_titles(moderator_client, "?filter=overdue") == [late.title]
    assert queue_titles(moderator_client, "?category=repairs") == [sooner.title]
    content = moderator_client.get("/moderation/").content.decode()
    assert "overdue by 2" in content


def test_queue_sorts_by_impact(moderator_client):
    quiet, loud = ask("A quiet question"), ask("A loud question")
    for _ in range(3):
        services.thread_set_me_too(user=UserFactory(), thread=loud, me_too=True)

    assert queue_titles(moderator_client, "?sort=impact") == [loud.title, quiet.title]


@pytest.mark.parametrize(
    ("role", "shown"), [("member", False), ("editor", False), ("moderator", True)]
)
def test_header_shows_queue_counts_to_moderators_only(request, client, role, shown):
    ask()
    overdue = ask("An overdue question")
    Thread.objects.filter(pk=overdue.pk).update(response_due_at=timezone.now() - timedelta(hours=1))
    client.force_login(request.getfixturevalue(role))

    content = client.get("/community/").content.decode()

    assert ('data-testid="queue-link"' in content) is shown
    if shown:
        assert 'data-testid="queue-awaiting">2<' in content
        assert 'data-testid="queue-overdue">1 overdue' in content


def test_thread_page_says_how_fast_the_brand_answered(client):
    thread = ask()
    three_hours_ago = timezone.now() - timedelta(hours=3)
    Thread.objects.filter(pk=thread.pk).update(
        created_at=three_hours_ago, published_at=three_hours_ago
    )
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Here is the fix.")

    content = client.get(thread.get_absolute_url()).content.decode()

    assert f"{CommunitySettings.load().display_name} replied in 3\xa0hours" in content


def test_queue_page_runs_the_same_queries_for_1_and_50_threads(moderator_client):
    authors = [UserFactory(), ModeratorFactory()]

    def count():
        caches_cold()  # measure from cold caches, as after a write
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get("/moderation/?sort=impact").status_code == 200
        return len(context.captured_queries)

    holders = [ModeratorFactory(), ModeratorFactory()]
    moderation_services.thread_claim(moderator=holders[0], thread=ask(author=authors[0]))
    count()
    with_one = count()
    for number in range(49):
        thread = ask(f"Question number {number} in the queue", author=authors[number % 2])
        if number % 2 == 0:  # assigned rows show their holder and the assign menu
            moderation_services.thread_claim(moderator=holders[number % 4 // 2], thread=thread)
        if number % 3 == 0:
            reply = services.reply_create(author=UserFactory(), thread=thread, body="Peer help")
            services.reply_set_recommended(
                moderator=ModeratorFactory(), reply=reply, recommended=True
            )
    with_fifty = count()

    assert with_one == with_fifty


def test_check_queue_prints_zero_when_the_rows_agree(capsys):
    thread = ask()
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Official.")
    ask("Still waiting for the brand")

    call_command("check_queue")

    assert (
        "1 threads awaiting an official reply, 0 awaiting a follow-up; 0 breaking the guarantee."
        in capsys.readouterr().out
    )


@pytest.mark.breaks_queue
def test_check_queue_reports_threads_that_break_the_guarantee():
    answered = ask()
    services.reply_create(author=ModeratorFactory(), thread=answered, body="Official.")
    Thread.objects.filter(pk=answered.pk).update(first_official_reply_at=None)
    ghost = ask("Marked answered without an official reply")
    Thread.objects.filter(pk=ghost.pk).update(first_official_reply_at=timezone.now())

    with pytest.raises(CommandError, match="2 threads break"):
        call_command("check_queue")


def test_check_queue_prints_zero_on_the_demo_community(capsys):
    call_command("seed_demo")
    capsys.readouterr()

    call_command("check_queue")

    assert "; 0 breaking the guarantee." in capsys.readouterr().out
