"""Marks on posts through the community's URLs: helpful, "me too", follow, the
accepted solution and moderators' recommendations, on the plain POST path and on
the htmx path."""

import pytest
from django.conf import settings
from django.test import Client

from community import services
from community.models import Follow, HelpfulVote, MeToo, Notification
from tests.community.helpers import (
    HTMX,
    featured_section,
    list_row,
    listed_titles,
    page,
    reply_article,
)
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


# Helpful ------------------------------------------------------------------------------------


def helpful_state(reply) -> tuple[int, int]:
    reply.refresh_from_db()
    return reply.helpful_count, HelpfulVote.objects.filter(reply=reply).count()


def test_helpful_toggles_on_and_off_with_true_counts(peer_reply, member_client):
    url = f"/community/r/{peer_reply.pk}/helpful/"

    response = member_client.post(url, {"value": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    assert helpful_state(peer_reply) == (1, 1)

    member_client.post(url, {"value": "on"})  # a double submit
    assert helpful_state(peer_reply) == (1, 1)

    member_client.post(url, {"value": "off"})
    assert helpful_state(peer_reply) == (0, 0)

    member_client.post(url, {"value": "off"})
    assert helpful_state(peer_reply) == (0, 0)

    member_client.post(url)  # no value means "on"
    assert helpful_state(peer_reply) == (1, 1)


def test_helpful_counts_every_member_once(peer_reply, member_client, moderator_client):
    url = f"/community/r/{peer_reply.pk}/helpful/"

    member_client.post(url, {"value": "on"})
    moderator_client.post(url, {"value": "on"})

    assert helpful_state(peer_reply) == (2, 2)
    article = reply_article(page(member_client, peer_reply.thread.get_absolute_url()), peer_reply)
    assert 'data-testid="helpful-count">2<' in article
    assert 'aria-pressed="true"' in article


def test_helpful_htmx_answers_the_fragment(peer_reply, member_client):
    url = f"/community/r/{peer_reply.pk}/helpful/"

    on = member_client.post(url, {"value": "on"}, **HTMX).content.decode()
    off = member_client.post(url, {"value": "off"}, **HTMX).content.decode()

    assert on.startswith(f'<div class="helpful" id="helpful-{peer_reply.pk}">')
    assert "<html" not in on
    assert 'data-testid="helpful-count">1<' in on
    assert 'aria-pressed="true"' in on
    assert 'name="value" value="off"' in on
    assert 'data-testid="helpful-count">0<' in off
    assert 'aria-pressed="false"' in off
    assert 'name="value" value="on"' in off
    assert helpful_state(peer_reply) == (0, 0)


# Me too and follow ------------------------------------------------------------------------


def me_too_state(thread) -> tuple[int, int]:
    thread.refresh_from_db()
    return thread.me_too_count, MeToo.objects.filter(thread=thread).count()


def test_me_too_toggles_and_follows_the_thread(thread, other_member):
    client = client_for(other_member)
    url = f"/community/t/{thread.pk}/me-too/"

    response = client.post(url, {"value": "on"})
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert me_too_state(thread) == (2, 2)
    assert Follow.objects.filter(thread=thread, user=other_member).exists()

    client.post(url, {"value": "on"})
    assert me_too_state(thread) == (2, 2)

    client.post(url, {"value": "off"})
    assert me_too_state(thread) == (1, 1)
    client.post(url, {"value": "off"})
    assert me_too_state(thread) == (1, 1)


def test_me_too_htmx_answers_the_actions_fragment(thread, other_member):
    client = client_for(other_member)

    content = client.post(f"/community/t/{thread.pk}/me-too/", **HTMX).content.decode()

    assert content.startswith('<div class="thread-actions" id="thread-actions">')
    assert "<html" not in content
    assert 'data-testid="me-too-count">2<' in content
    assert content.count('aria-pressed="true"') == 2  # "me too" and "Following"
    assert "Following" in content

    content = client.post(
        f"/community/t/{thread.pk}/me-too/", {"value": "off"}, **HTMX
    ).content.decode()
    assert 'data-testid="me-too-count">1<' in content


def test_follow_and_unfollow(thread, other_member):
    client = client_for(other_member)
    url = f"/community/t/{thread.pk}/follow/"

    response = client.post(url, {"value": "on"})
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert Follow.objects.filter(thread=thread, user=other_member).count() == 1
    client.post(url, {"value": "on"})
    assert Follow.objects.filter(thread=thread, user=other_member).count() == 1

    client.post(url, {"value": "off"})
    assert not Follow.objects.filter(thread=thread, user=other_member).exists()


def test_follow_htmx_answers_the_actions_fragment(thread, other_member):
    client = client_for(other_member)

    following = client.post(f"/community/t/{thread.pk}/follow/", **HTMX).content.decode()
    stopped = client.post(
        f"/community/t/{thread.pk}/follow/", {"value": "off"}, **HTMX
    ).content.decode()

    assert following.startswith('<div class="thread-actions"')
    assert "Following" in following
    assert following.count('aria-pressed="true"') == 1  # following, no "me too" yet
    assert 'data-testid="me-too-count">1<' in following  # the "me too" form stays
    assert "Following" not in stopped
    assert "Follow" in stopped
    assert stopped.count('aria-pressed="true"') == 0


def test_unfollowing_stops_reply_notifications(thread, member_client, member, other_member):
    member_client.post(f"/community/t/{thread.pk}/follow/", {"value": "off"})

    services.reply_create(author=other_member, thread=thread, body="Any news?")

    assert not Notification.objects.filter(recipient=member).exists()


# Accepting a solution ---------------------------------------------------------------------


def test_asker_accepts_a_reply(thread, peer_reply, member_client):
    response = member_client.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    thread.refresh_from_db()
    assert thread.solution == peer_reply
    content = page(Client(), thread.get_absolute_url())
    assert "accepted by the asker" in content
    assert "marked by" not in content
    assert "✓ Solved" in content
    assert "Undo solution" in reply_article(
        page(member_client, thread.get_absolute_url()), peer_reply
    )
    assert Notification.objects.filter(
        recipient=peer_reply.author, kind=Notification.Kind.ACCEPTED
    ).exists()


def test_accepting_twice_changes_nothing_the_second_time(thread, peer_reply, member_client):
    url = f"/community/t/{thread.pk}/accept/"

    member_client.post(url, {"reply": peer_reply.pk})
    thread.refresh_from_db()
    solved_at = thread.solved_at
    member_client.post(url, {"reply": peer_reply.pk})

    thread.refresh_from_db()
    assert thread.solved_at == solved_at
    assert (
        Notification.objects.filter(
            recipient=peer_reply.author, kind=Notification.Kind.ACCEPTED
        ).count()
        == 1
    )


def test_moderator_marks_the_solution_by_name(thread, peer_reply):
    moderator = ModeratorFactory(display_name="Sam Support")

    client_for(moderator).post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    content = page(Client(), thread.get_absolute_url())
    assert "marked by Sam Support" in content
    assert "accepted by the asker" not in content


def test_the_solution_can_move_to_another_reply_and_be_undone(thread, peer_reply, member_client):
    better = services.reply_create(author=UserFactory(), thread=thread, body="Replace the seal.")
    url = f"/community/t/{thread.pk}/accept/"

    member_client.post(url, {"reply": peer_reply.pk})
    member_client.post(url, {"reply": better.pk})

    thread.refresh_from_db()
    assert thread.solution == better
    content = page(member_client, thread.get_absolute_url())
    assert "Replace the seal." in featured_section(content)
    assert "Check the drip tray." not in featured_section(content)
    assert "Undo solution" in reply_article(content, better)
    assert "Accept as solution" in reply_article(content, peer_reply)

    response = member_client.post(url, {"reply": ""})

    assert response["Location"] == thread.get_absolute_url()
    thread.refresh_from_db()
    assert (thread.solution, thread.solution_marked_by, thread.solved_at) == (None, None, None)
    content = page(member_client, thread.get_absolute_url())
    assert "Solved" not in content.split('id="replies-heading"')[0]
    assert featured_section(content) == ""


def test_accept_htmx_answers_with_the_updated_page_to_swap_in(thread, peer_reply, member_client):
    response = member_client.post(
        f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk}, **HTMX
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    content = response.content.decode()
    assert 'id="main"' in content
    assert "accepted by the asker" in featured_section(content)
    thread.refresh_from_db()
    assert thread.solution == peer_reply


def test_solved_threads_show_solved_in_the_list(thread, peer_reply, member_client, category):
    services.thread_create(
        author=UserFactory(), category=category, title="Another open question", body="Open."
    )

    member_client.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    content = page(Client(), "/community/")
    assert content.count("badge--solved") == 1
    assert "✓ Solved" in list_row(content, thread.title)
    assert "Solved" not in list_row(content, "Another open question")
    assert listed_titles(page(Client(), "/community/?status=solved")) == [thread.title]


def test_solution_and_recommended_replies_are_featured_above_all_replies(
    thread, peer_reply, member_client, moderator_client
):
    recommended = services.reply_create(author=UserFactory(), thread=thread, body="Tighten it.")
    plain = services.reply_create(author=UserFactory(), thread=thread, body="No idea, sorry.")
    moderator_client.post(f"/community/r/{recommended.pk}/recommend/", {"value": "on"})
    member_client.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    content = page(Client(), thread.get_absolute_url())
    featured = featured_section(content)

    assert "Solution and recommended answers" in featured
    assert featured.index("Check the drip tray.") < featured.index("Tighten it.")  # solution first
    assert "No idea, sorry." not in featured
    for reply in (peer_reply, recommended):
        assert f'href="/community/r/{reply.pk}/">See it in the conversation' in featured
    assert f"Recommended by {settings.WAGTAIL_SITE_NAME}" in featured
    # Each reply keeps its place in the conversation too.
    for reply in (peer_reply, recommended, plain):
        reply_article(content, reply)


# Recommending ------------------------------------------------------------------------------


def test_moderator_recommends_and_undoes(peer_reply, moderator, other_member):
    client = client_for(moderator)
    url = f"/community/r/{peer_reply.pk}/recommend/"

    response = client.post(url, {"value": "on"})
    client.post(url, {"value": "on"})  # a double submit

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    peer_reply.refresh_from_db()
    assert peer_reply.recommended_by == moderator
    assert peer_reply.recommended_at is not None
    assert (
        Notification.objects.filter(
            recipient=other_member, kind=Notification.Kind.RECOMMENDED
        ).count()
        == 1
    )
    content = page(client, peer_reply.thread.get_absolute_url())
    assert "Recommended answers" in featured_section(content)
    assert "Undo recommendation" in reply_article(content, peer_reply)

    client.post(url, {"value": "off"})

    peer_reply.refresh_from_db()
    assert (peer_reply.recommended_by, peer_reply.recommended_at) == (None, None)
    content = page(client, peer_reply.thread.get_absolute_url())
    assert featured_section(content) == ""
    assert "★ Recommend" in reply_article(content, peer_reply)


def test_recommend_htmx_answers_with_the_updated_page_to_swap_in(peer_reply, moderator_client):
    response = moderator_client.post(
        f"/community/r/{peer_reply.pk}/recommend/", {"value": "on"}, **HTMX
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "Recommended by" in featured_section(response.content.decode())
    peer_reply.refresh_from_db()
    assert peer_reply.is_recommended


def test_official_replies_offer_no_recommend_button(thread, moderator_client):
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Official.")

    content = page(moderator_client, thread.get_absolute_url())

    assert "Recommend" not in reply_article(content, official)
