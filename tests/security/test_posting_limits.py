"""Posting limits and the same text posted twice (issue 8, item 2, community/limits.py).

Every test here keeps the rules on (marked `posting_limits`); the clock the limits
read is fixed, so a test never straddles two windows.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from community import limits, premoderation, services
from community.models import CommunitySettings, Reply, Thread
from tests.factories import CategoryFactory, ReplyFactory

pytestmark = pytest.mark.posting_limits

START = 86400.0 * 21990 + 20  # 20 seconds into the first minute of a day (UTC)
LIMIT_MESSAGE = "You are posting faster than the community allows"
DAY_MESSAGE = "You have reached today&#x27;s limit of posts"


@pytest.fixture
def clock(monkeypatch):
    """The time the limits read, moved on by hand."""
    now = SimpleNamespace(value=START)
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: now.value))

    def advance(seconds: float) -> None:
        now.value += seconds

    return advance


def established(user):
    """Give `user` as many approved posts as a member needs not to count as new."""
    ReplyFactory.create_batch(CommunitySettings.load().premoderation_new_member_posts, author=user)
    assert not premoderation.is_new_member(user)
    return user


@pytest.fixture
def category():
    return CategoryFactory()


def started_by(author, category, title: str, body: str):
    """A thread `author` started without going through the posting limits."""
    return services.thread_create(
        author=author, category=category, title=title, body=body, check_limits=False
    )


@pytest.fixture
def thread(other_member, category):
    return started_by(
        other_member,
        category,
        "The espresso machine leaks water",
        "Water drips under the drip tray after each coffee.",
    )


@pytest.fixture
def elsewhere(other_member, category):
    """Another discussion, where the same text would be posted again."""
    return started_by(other_member, category, "The grinder is noisy", "It rattles.")


def reply_url(thread) -> str:
    return reverse("community:reply_create", args=[thread.pk])


def post_replies(client: Client, thread, count: int, start: int = 0) -> list[int]:
    return [
        client.post(reply_url(thread), {"body": f"Idea number {n}: check the seal."}).status_code
        for n in range(start, start + count)
    ]


def ask(client: Client, category, n: int, **headers):
    data = {
        "title": f"The milk frother stops, case {n}",
        "body": f"Case {n}: it whirrs for a second and stops.",
        "category": category.pk,
        "tags": "frother, milk",
    }
    return client.post(reverse("community:ask"), data, **headers)


# --- per minute, per day -------------------------------------------------------------


def test_a_member_may_reply_six_times_a_minute(member, member_client, thread, clock):
    established(member)

    assert post_replies(member_client, thread, 6) == [302] * 6
    refused = member_client.post(reply_url(thread), {"body": "A seventh idea, too fast."})

    assert refused.status_code == 429
    assert LIMIT_MESSAGE in refused.content.decode()
    assert "try again in about 1 minute" in refused.content.decode()
    assert refused["Retry-After"] == "41"  # the minute started 20 seconds ago
    assert Reply.objects.filter(thread=thread, author=member).count() == 6

    clock(60)  # the next minute
    assert post_replies(member_client, thread, 1, start=7) == [302]


def test_a_member_may_ask_three_questions_a_minute(member, member_client, category, clock):
    established(member)

    assert [ask(member_client, category, n).status_code for n in range(3)] == [302] * 3
    assert ask(member_client, category, 3).status_code == 429
    assert Thread.objects.filter(author=member).count() == 3


def test_a_new_member_has_stricter_limits(member, member_client, category, thread, clock):
    assert premoderation.is_new_member(member)

    assert ask(member_client, category, 0).status_code == 302
    assert ask(member_client, category, 1).status_code == 429
    assert post_replies(member_client, thread, 4) == [302, 302, 302, 429]


def test_a_new_member_may_ask_five_questions_a_day(member, member_client, category, clock):
    for n in range(5):
        assert ask(member_client, category, n).status_code == 302
        clock(61)

    refused = ask(member_client, category, 5)

    assert refused.status_code == 429
    assert DAY_MESSAGE in refused.content.decode()
    assert "try again in about" in refused.content.decode()
    assert "hours" in refused.content.decode()
    assert Thread.objects.filter(author=member).count() == 5
    clock(24 * 60 * 60)  # tomorrow
    assert ask(member_client, category, 6).status_code == 302


def test_a_member_may_reply_two_hundred_times_a_day(member, thread, clock):
    established(member)
    for n in range(200):
        services.reply_create(author=member, thread=thread, body=f"Reply {n}")
        if n % 6 == 5:
            clock(60)

    with pytest.raises(limits.PostingLimitReached):
        services.reply_create(author=member, thread=thread, body="Reply 200")


def test_staff_have_no_limits(moderator, moderator_client, thread, category, clock):
    assert post_replies(moderator_client, thread, 20) == [302] * 20
    assert [ask(moderator_client, category, n).status_code for n in range(8)] == [302] * 8


def test_the_count_is_kept_in_the_shared_cache(member, member_client, category, clock):
    """Counted in django.core.cache (Redis in production, shared by every app
    server): an empty cache has forgotten the count."""
    from django.core.cache import cache

    assert ask(member_client, category, 0).status_code == 302
    assert ask(member_client, category, 1).status_code == 429
    cache.clear()
    assert ask(member_client, category, 2).status_code == 302


# --- what the member gets back -------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_refused_question_comes_back_with_everything_typed(
    member, member_client, category, clock, htmx
):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    assert ask(member_client, category, 0).status_code == 302
    data = {
        "title": "The steam wand <sputters> & spits",
        "body": "It spits **hot** water\nbefore the steam comes.",
        "category": category.pk,
        "tags": "steam, wand",
    }

    response = member_client.post(reverse("community:ask"), data, **headers)

    assert response.status_code == 429
    html = response.content.decode()
    assert LIMIT_MESSAGE in html
    assert f'value="{escape(data["title"])}"' in html
    assert escape(data["body"]) in html
    assert 'value="steam, wand"' in html
    assert re.search(rf'<option value="{category.pk}" selected>', html)
    assert Thread.objects.filter(author=member).count() == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_refused_reply_comes_back_with_its_text(member, member_client, thread, clock, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    post_replies(member_client, thread, 3)
    body = "My <fourth> idea & a half:\nreplace the gasket."

    response = member_client.post(reply_url(thread), {"body": body}, **headers)

    assert response.status_code == 429
    html = response.content.decode()
    assert LIMIT_MESSAGE in html
    assert escape(body) in html
    assert response["Retry-After"]


def test_the_same_form_again_at_the_limit_leads_to_the_post(member, member_client, category, clock):
    """A double submit is answered before the limits: the member is sent to the
    question they asked, not told to wait."""
    data = {
        "title": "The drip tray overflows",
        "body": "The tray fills up after two coffees.",
        "category": category.pk,
        "submission_key": "d" * 32,
    }
    first = member_client.post(reverse("community:ask"), data)
    second = member_client.post(reverse("community:ask"), data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(author=member).count() == 1


# --- the same text twice ---------------------------------------------------------------


def test_the_same_reply_again_without_a_key_is_the_first_one(member, member_client, thread, clock):
    body = "Check that the water tank is seated properly."

    first = member_client.post(reply_url(thread), {"body": body})
    second = member_client.post(reply_url(thread), {"body": f"  {body}\n"})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Reply.objects.filter(thread=thread, author=member).count() == 1


def test_the_same_question_again_without_a_key_is_the_first_one(
    member, member_client, category, clock
):
    first = ask(member_client, category, 0)
    clock(61)
    second = ask(member_client, category, 0)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(author=member).count() == 1


def test_the_same_reply_in_another_thread_is_refused(
    member, member_client, thread, other_member, category, clock, elsewhere
):
    body = "Buy the new model at example.com, it never breaks!"
    assert member_client.post(reply_url(thread), {"body": body}).status_code == 302

    refused = member_client.post(reply_url(elsewhere), {"body": body})

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "You posted this same text in another discussion" in html
    assert escape(body) in html
    assert not Reply.objects.filter(thread=elsewhere).exists()


def test_a_question_copied_from_a_reply_is_refused(member, thread, category, clock):
    body = "My machine does exactly this since the last update."
    services.reply_create(author=member, thread=thread, body=body)

    with pytest.raises(limits.DuplicatePost):
        services.thread_create(
            author=member, category=category, title="Same problem as there", body=body
        )


def test_the_same_text_elsewhere_is_fine_after_five_minutes(member, thread, category, clock):
    body = "Buy the new model at example.com, it never breaks!"
    first = services.reply_create(author=member, thread=thread, body=body)
    Reply.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(minutes=6))
    clock(60)

    again = services.thread_create(
        author=member, category=category, title="Where to buy a new one", body=body
    )

    assert again.pk


def test_short_replies_and_staff_may_repeat_themselves(
    member, moderator, thread, other_member, category, clock, elsewhere
):
    for author, body in [
        (member, "Thanks, it works!"),
        (moderator, "Thank you for the report: we are sending a replacement part today."),
    ]:
        services.reply_create(author=author, thread=thread, body=body)
        services.reply_create(author=author, thread=elsewhere, body=body)

    assert Reply.objects.filter(thread=elsewhere).count() == 2
