"""The thread page tells the customer who answers (the brand's name), where the
answer is (badges and the jump link), and when to expect it; staff read the due time."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from community import services
from community.models import CommunitySettings, Thread
from community.services.visibility import post_hide
from community.thread_selectors import REPLIES_PER_PAGE
from moderation.services import thread_claim
from tests.community.helpers import page, reply_article
from tests.factories import CategoryFactory, EditorFactory, ModeratorFactory, UserFactory
from tests.helpers import client_for

EXPECTED = "The team usually replies within"


@pytest.fixture
def brand(db):
    rules = CommunitySettings.load()
    rules.community_name = "Maison Brio"
    rules.save(update_fields=["community_name"])
    return rules


def badge(content: str, testid: str) -> str:
    match = re.search(rf'<a [^>]*data-testid="{testid}"[^>]*>', content)
    assert match, f"no {testid} link"
    return match.group(0)


# The brand's name ---------------------------------------------------------------------


def test_official_badge_and_response_time_carry_the_community_name(brand, thread):
    asked = timezone.now() - timedelta(hours=4)
    Thread.objects.filter(pk=thread.pk).update(created_at=asked, published_at=asked)
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")

    content = page(Client(), thread.get_absolute_url())

    assert "Official reply · Maison Brio" in reply_article(content, official)
    assert "Maison Brio replied in 4\xa0hours" in content
    assert "Relais" not in content.split("<body", 1)[1]


def test_response_time_counts_from_the_asking_not_the_approval(brand, thread):
    asked = timezone.now() - timedelta(hours=5)
    Thread.objects.filter(pk=thread.pk).update(
        created_at=asked, published_at=asked + timedelta(hours=4)
    )
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")

    content = page(Client(), thread.get_absolute_url())

    assert "Maison Brio replied in 5\xa0hours" in content


# Badges lead to the answers -----------------------------------------------------------


@pytest.fixture
def solved_thread(thread, asker):
    peer = services.reply_create(author=UserFactory(), thread=thread, body="Clean the filter.")
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    services.thread_accept_reply(user=asker, thread=thread, reply=peer)
    return thread, peer, official


def test_solved_and_official_badges_link_to_the_solution_and_the_official_reply(
    solved_thread,
):
    thread, _peer, official = solved_thread

    content = page(Client(), thread.get_absolute_url())

    assert 'href="#solution"' in badge(content, "solved-badge")
    assert f'href="#reply-{official.pk}"' in badge(content, "official-badge")
    assert re.search(r'<article[^>]*id="solution"[^>]*aria-label="Solution"', content)
    assert 'href="#solution" data-testid="jump-to-solution"' in content


def test_an_unsolved_thread_has_no_solution_link_and_a_plain_official_badge_before_an_answer(
    thread,
):
    content = page(Client(), thread.get_absolute_url())

    assert 'data-testid="jump-to-solution"' not in content
    assert 'data-testid="solved-badge"' not in content
    assert 'data-testid="official-badge"' not in content


def test_official_badge_links_to_the_permalink_when_the_reply_is_on_another_page(thread):
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    for number in range(REPLIES_PER_PAGE):
        services.reply_create(author=UserFactory(), thread=thread, body=f"Idea {number}")

    content = page(Client(), f"{thread.get_absolute_url()}?page=2")

    assert f'href="{official.get_absolute_url()}"' in badge(content, "official-badge")


def test_the_first_official_reply_is_the_one_linked_and_a_hidden_one_is_skipped(thread):
    first = services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")
    second = services.reply_create(author=ModeratorFactory(), thread=thread, body="And rinse.")
    post_hide(first, reason="Wrong model")

    content = page(Client(), thread.get_absolute_url())

    assert f'href="#reply-{second.pk}"' in badge(content, "official-badge")


# When to expect the answer ------------------------------------------------------------


def test_the_asker_reads_when_to_expect_the_official_reply(member_client, thread):
    content = page(member_client, thread.get_absolute_url())

    assert "The team usually replies within 24 hours." in content


def test_the_category_target_and_the_singular_are_used(member, member_client):
    thread = services.thread_create(
        author=member,
        category=CategoryFactory(first_response_hours=1),
        title="The grinder is noisy",
        body="Loud since yesterday.",
    )

    content = page(member_client, thread.get_absolute_url())

    assert "The team usually replies within 1 hour." in content


def test_the_expectation_is_for_the_asker_only(thread, other_member):
    for client in (Client(), client_for(other_member), client_for(ModeratorFactory())):
        assert EXPECTED not in page(client, thread.get_absolute_url())
    assert EXPECTED not in page(client_for(EditorFactory()), thread.get_absolute_url())


def test_the_expectation_goes_once_the_brand_has_answered(member_client, thread):
    services.reply_create(author=UserFactory(), thread=thread, body="Same here.")
    assert EXPECTED in page(member_client, thread.get_absolute_url())

    services.reply_create(author=ModeratorFactory(), thread=thread, body="Descale it.")

    assert EXPECTED not in page(member_client, thread.get_absolute_url())


def test_right_after_asking_the_asker_reads_when_to_expect_the_answer(member_client, category):
    response = member_client.post(
        "/community/ask/",
        {
            "title": "The milk frother does not froth",
            "body": "Only warm milk.",
            "category": category.pk,
        },
        follow=True,
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Your question is posted." in content
    assert "The team usually replies within 24 hours." in content


@pytest.mark.premoderation
def test_a_question_awaiting_approval_also_says_when_to_expect_the_answer(member, category):
    client = client_for(member)
    response = client.post(
        "/community/ask/",
        {
            "title": "The milk frother does not froth",
            "body": "Only warm milk.",
            "category": category.pk,
        },
        follow=True,
    )

    content = response.content.decode()
    assert 'data-testid="awaiting-approval"' in content
    assert "The team usually replies within 24 hours." in content


# What staff read ----------------------------------------------------------------------


def test_staff_read_the_due_time_and_members_do_not(thread, other_member, member_client):
    due = timezone.localtime(thread.response_due_at).replace(microsecond=0).isoformat()

    content = page(client_for(ModeratorFactory()), thread.get_absolute_url())

    assert 'data-testid="response-due"' in content
    assert "Official reply due in 23\xa0hours" in content
    assert f'datetime="{due}"' in content
    for client in (Client(), client_for(other_member), member_client, client_for(EditorFactory())):
        assert 'data-testid="response-due"' not in page(client, thread.get_absolute_url())


def test_staff_read_that_a_thread_is_overdue_and_then_how_long_the_answer_took(thread):
    asked = timezone.now() - timedelta(hours=30)
    Thread.objects.filter(pk=thread.pk).update(
        created_at=asked, published_at=asked, response_due_at=asked + timedelta(hours=24)
    )
    staff = client_for(ModeratorFactory())

    assert "Official reply overdue by 6\xa0hours" in page(staff, thread.get_absolute_url())

    services.reply_create(author=ModeratorFactory(), thread=thread, body="Sorry, descale it.")

    content = page(staff, thread.get_absolute_url())
    assert "Answered officially 1\xa0day, 6\xa0hours after asking" in content
    assert "after the due time" in content


def test_an_official_reply_ends_the_claim(thread, moderator, moderator_client):
    thread_claim(moderator=moderator, thread=thread)
    assert "You are on this thread" in page(moderator_client, thread.get_absolute_url())

    services.reply_create(author=moderator, thread=thread, body="Descale it.")

    thread.refresh_from_db()
    assert thread.assigned_to is None and thread.claim_expires_at is None
    content = page(moderator_client, thread.get_absolute_url())
    assert "You are on this thread" not in content
    assert "You are answering this thread" not in content
    assert "Answered officially: nobody needs to be on this thread" in content


def test_a_peer_reply_keeps_the_claim(thread, moderator, moderator_client):
    thread_claim(moderator=moderator, thread=thread)

    services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    thread.refresh_from_db()
    assert thread.assigned_to == moderator
    assert "You are on this thread" in page(moderator_client, thread.get_absolute_url())
