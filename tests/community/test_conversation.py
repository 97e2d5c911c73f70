"""The conversation's state, followed until the customer says it is solved (promise 1):
awaiting the brand's first reply, waiting on the customer, awaiting the brand again
after the customer came back, solved; read from the rows through every sequence of
replies, hides and restores. The suite's check_queue after every test (conftest)
recomputes the queue from the rows each time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community import services
from community.cache import content_changed
from community.models import CommunitySettings, ConversationState, Thread
from moderation import services as moderation_services
from moderation.selectors import queue_problems
from tests.factories import ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db


STATE_NAMES = {
    ConversationState.AWAITING_FIRST_REPLY: "awaiting first reply",
    ConversationState.AWAITING_FOLLOW_UP: "awaiting the brand again",
    ConversationState.SOLVED: "solved",
    ConversationState.WAITING_ON_CUSTOMER: "waiting on the customer",
    ConversationState.CLOSED: "closed",
    None: "other",
}


def queue_state(thread) -> str:
    """The state as the queue's queries read it."""
    fresh = Thread.objects.get(pk=thread.pk)
    if not fresh.is_visible:
        return "other"
    if Thread.objects.awaiting_official_reply().filter(pk=thread.pk).exists():
        return "awaiting first reply"
    if Thread.objects.awaiting_follow_up().filter(pk=thread.pk).exists():
        return "awaiting the brand again"
    if fresh.solution_id is not None:
        return "solved"
    if Thread.objects.waiting_on_customer().filter(pk=thread.pk).exists():
        return "waiting on the customer"
    return "other"


def state(thread, at=None) -> str:
    """The thread's state (Thread.conversation_state), which the queue's queries agree
    with (they know no "closed": it is waiting on the customer for them)."""
    fresh = Thread.objects.get(pk=thread.pk)
    rules = CommunitySettings.load()
    found = STATE_NAMES[
        fresh.conversation_state(close_after=rules.close_after, at=at or timezone.now())
    ]
    expected = "waiting on the customer" if found == "closed" else found
    assert queue_state(thread) == expected
    return found


def in_queue(thread) -> bool:
    return Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()


@pytest.fixture
def staff():
    return ModeratorFactory()


def official(thread, staff, body="Please descale it with the kit."):
    return services.reply_create(author=staff, thread=thread, body=body)


def test_the_brand_replying_waits_on_the_customer(thread, staff):
    assert state(thread) == "awaiting first reply"

    official(thread, staff)

    assert state(thread) == "waiting on the customer"
    assert not in_queue(thread)


def test_the_asker_writing_again_puts_the_thread_back_with_a_follow_up_due_time(
    thread, staff, asker
):
    rules = CommunitySettings.load()
    rules.follow_up_hours = 6
    rules.save()
    official(thread, staff)

    reply = services.reply_create(author=asker, thread=thread, body="That did not work.")

    thread.refresh_from_db()
    assert state(thread) == "awaiting the brand again"
    assert in_queue(thread)
    assert thread.follow_up_since == reply.created_at
    assert thread.follow_up_due_at == reply.created_at + timedelta(hours=6)


def test_the_categorys_own_follow_up_target_wins(thread, staff, asker):
    thread.category.follow_up_hours = 2
    thread.category.save()
    official(thread, staff)

    reply = services.reply_create(author=asker, thread=thread, body="Still leaking.")

    thread.refresh_from_db()
    assert thread.follow_up_due_at == reply.created_at + timedelta(hours=2)


def test_a_me_too_member_writing_again_counts_as_the_customer(thread, staff):
    same_problem = UserFactory()
    services.thread_set_me_too(user=same_problem, thread=thread, me_too=True)
    official(thread, staff)

    services.reply_create(author=same_problem, thread=thread, body="Mine still leaks.")

    assert state(thread) == "awaiting the brand again"


def test_a_peer_writing_after_the_brand_changes_nothing(thread, staff):
    official(thread, staff)

    services.reply_create(author=UserFactory(), thread=thread, body="Try a new seal.")

    assert state(thread) == "waiting on the customer"


def test_the_first_time_the_customer_came_back_sets_the_due_time(thread, staff, asker):
    official(thread, staff)
    first = services.reply_create(author=asker, thread=thread, body="Not working.")
    services.reply_create(author=asker, thread=thread, body="Any news?")

    thread.refresh_from_db()
    assert thread.follow_up_since == first.created_at


def test_the_brand_answering_again_waits_on_the_customer_again(thread, staff, asker):
    official(thread, staff)
    services.reply_create(author=asker, thread=thread, body="Not working.")

    official(thread, staff, body="Then let us replace the seal.")

    thread.refresh_from_db()
    assert state(thread) == "waiting on the customer"
    assert (thread.follow_up_since, thread.follow_up_due_at) == (None, None)


def test_a_solution_takes_a_follow_up_out_of_the_queue(thread, staff, asker):
    official(thread, staff)
    peer = services.reply_create(author=UserFactory(), thread=thread, body="A new seal.")
    services.reply_create(author=asker, thread=thread, body="Still leaking.")
    assert in_queue(thread)

    services.thread_accept_reply(user=asker, thread=thread, reply=peer)

    assert state(thread) == "solved"
    assert not in_queue(thread)


def test_hiding_the_last_official_reply_brings_the_follow_up_back(thread, staff, asker):
    official(thread, staff)
    came_back = services.reply_create(author=asker, thread=thread, body="Not working.")
    second = official(thread, staff, body="Replace the seal.")
    assert state(thread) == "waiting on the customer"

    moderation_services.reply_hide(moderator=staff, reply=second, reason="Wrong thread.")

    thread.refresh_from_db()
    assert state(thread) == "awaiting the brand again"
    assert thread.follow_up_since == came_back.created_at

    moderation_services.reply_restore(moderator=staff, reply=second)

    assert state(thread) == "waiting on the customer"


def test_hiding_the_customers_reply_takes_the_follow_up_out(thread, staff, asker):
    official(thread, staff)
    came_back = services.reply_create(author=asker, thread=thread, body="Not working.")

    moderation_services.reply_hide(moderator=staff, reply=came_back, reason="Spam.")

    assert state(thread) == "waiting on the customer"

    moderation_services.reply_restore(moderator=staff, reply=came_back)

    assert state(thread) == "awaiting the brand again"


def test_hiding_the_only_official_reply_goes_back_to_the_first_reply(thread, staff, asker):
    answer = official(thread, staff)
    services.reply_create(author=asker, thread=thread, body="Not working.")

    moderation_services.reply_hide(moderator=staff, reply=answer, reason="Wrong thread.")

    assert state(thread) == "awaiting first reply"
    assert in_queue(thread)


def test_a_hidden_thread_leaves_the_queue_and_comes_back(thread, staff, asker):
    official(thread, staff)
    services.reply_create(author=asker, thread=thread, body="Not working.")

    moderation_services.thread_hide(moderator=staff, thread=thread, reason="Checking.")
    assert not in_queue(thread)

    moderation_services.thread_restore(moderator=staff, thread=thread)
    assert state(thread) == "awaiting the brand again"


@pytest.mark.breaks_queue
def test_check_queue_finds_a_customer_left_out_of_the_queue(thread, staff, asker):
    official(thread, staff)
    services.reply_create(author=asker, thread=thread, body="Not working.")
    Thread.objects.filter(pk=thread.pk).update(follow_up_since=None, follow_up_due_at=None)

    assert queue_problems() == [
        f"thread {thread.pk}: the customer wrote back after the official reply, "
        "but it is not in the queue"
    ]


@pytest.mark.breaks_queue
def test_the_recount_repairs_the_conversation_from_the_rows(thread, staff, asker):
    official(thread, staff)
    came_back = services.reply_create(author=asker, thread=thread, body="Not working.")
    Thread.objects.filter(pk=thread.pk).update(
        last_official_reply_at=None, follow_up_since=None, follow_up_due_at=None
    )

    services.thread_recount(thread)

    thread.refresh_from_db()
    assert thread.follow_up_since == came_back.created_at
    assert thread.follow_up_due_at is not None
    assert queue_problems() == []


# --- closed: the customer stayed silent ------------------------------------------


def test_a_thread_waiting_on_the_customer_too_long_counts_as_closed(thread, staff):
    rules = CommunitySettings.load()
    rules.close_after_days = 3
    rules.save()
    official(thread, staff)
    replied = Thread.objects.get(pk=thread.pk).last_official_reply_at

    assert state(thread, at=replied + timedelta(days=3) - timedelta(minutes=1)) == (
        "waiting on the customer"
    )
    assert state(thread, at=replied + timedelta(days=3)) == "closed"
    assert not in_queue(thread)


def test_the_asker_replying_reopens_a_closed_thread(thread, staff, asker):
    official(thread, staff)
    Thread.objects.filter(pk=thread.pk).update(
        last_official_reply_at=timezone.now() - timedelta(days=30)
    )
    assert state(thread) == "closed"

    services.reply_create(author=asker, thread=thread, body="Back again: it still leaks.")

    assert state(thread) == "awaiting the brand again"
    assert in_queue(thread)


def test_a_solved_or_hidden_thread_is_never_closed(thread, staff, asker):
    reply = official(thread, staff)
    Thread.objects.filter(pk=thread.pk).update(
        last_official_reply_at=timezone.now() - timedelta(days=30)
    )
    services.thread_accept_reply(user=asker, thread=Thread.objects.get(pk=thread.pk), reply=reply)
    assert state(thread) == "solved"

    moderation_services.thread_hide(moderator=staff, thread=thread, reason="Spam.")
    assert state(thread) == "other"


def test_moderators_see_on_the_thread_that_it_closed(thread, staff, client):
    official(thread, staff)
    client.force_login(staff)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Waiting on the customer" in page and "Closed:" not in page

    Thread.objects.filter(pk=thread.pk).update(
        last_official_reply_at=timezone.now() - timedelta(days=30)
    )
    content_changed()  # an update() behind the services: the pages must see it
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Closed: the customer has not answered for 14 days" in page


def test_everyone_reads_that_a_silent_conversation_closed_and_the_asker_how_to_reopen(
    thread, staff, asker, client
):
    official(thread, staff)
    client.force_login(asker)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'data-testid="conversation-closed"' not in page

    Thread.objects.filter(pk=thread.pk).update(
        last_official_reply_at=timezone.now() - timedelta(days=30)
    )
    content_changed()
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'data-testid="closed-badge"' in page
    assert "hearing nothing back for 14 days" in page and "Reply below" in page

    client.logout()
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "the asker has not written back for 14 days" in page

    # One reply from the asker opens the conversation again, for everyone.
    services.reply_create(author=asker, thread=thread, body="Back again: it still leaks.")
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'data-testid="conversation-closed"' not in page
