"""The queue's cached rows and sections (moderation.queue_rows): one moderator's tools
are never served to another or to a member, their forms carry the viewer's own
CSRF token, and a claim or an answer shows at once."""

import re

import pytest
from django.test import Client
from django.utils import translation

from community import services as community_services
from moderation import services
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.helpers import client_for, queue_titles_shown

pytestmark = pytest.mark.django_db


def ask(title="The kettle switches itself off"):
    return community_services.thread_create(
        author=UserFactory(), category=CategoryFactory(), title=title, body="It clicks off."
    )


def row_of(content: str, title: str) -> str:
    """The queue row of the thread titled `title` (not a message that names it)."""
    return content[content.index(f">{title}</a>") :].split("</tr>")[0]


def test_a_moderators_cached_rows_are_not_served_to_another_moderator():
    alice = ModeratorFactory(display_name="Alice", language="en")
    bob = ModeratorFactory(display_name="Bob", language="en")
    thread = ask()
    services.thread_claim(moderator=alice, thread=thread)

    seen_by_alice = row_of(client_for(alice).get("/moderation/").content.decode(), thread.title)
    seen_by_bob = row_of(client_for(bob).get("/moderation/").content.decode(), thread.title)

    assert "<strong>You</strong>" in seen_by_alice
    assert "Take over from" not in seen_by_alice
    assert "<strong>You</strong>" not in seen_by_bob
    assert "Take over from Alice" in seen_by_bob
    assert f'<option value="{bob.pk}">Bob (you)</option>' in seen_by_bob
    assert f'<option value="{bob.pk}">Bob</option>' in seen_by_alice


def test_a_moderators_queue_is_not_served_to_a_member(moderator_client, member_client):
    ask("Grinder jammed after cleaning")
    assert queue_titles_shown(moderator_client.get("/moderation/")) == [
        "Grinder jammed after cleaning"
    ]

    assert member_client.get("/moderation/").status_code == 403
    assert 'data-testid="assignment"' not in member_client.get("/community/").content.decode()


def test_a_cached_row_carries_the_csrf_token_of_the_session_it_is_served_to(moderator):
    thread = ask()
    first = Client(enforce_csrf_checks=True)
    first.force_login(moderator)
    first.get("/moderation/")  # fills the cache, with this session's forms
    second = Client(enforce_csrf_checks=True)
    second.force_login(moderator)  # another session: another CSRF secret

    content = second.get("/moderation/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row_of(content, thread.title))
    claimed = second.post(
        f"/moderation/t/{thread.pk}/claim/",
        {"csrfmiddlewaretoken": token.group(1), "next": "/moderation/"},
    )

    assert claimed.status_code == 302
    thread.refresh_from_db()
    assert thread.assigned_to == moderator


def test_a_claim_and_an_official_reply_show_at_once_to_their_author(moderator, moderator_client):
    thread = ask("Descaler left a taste")
    assert "Unassigned" in row_of(
        moderator_client.get("/moderation/").content.decode(), thread.title
    )

    moderator_client.post(f"/moderation/t/{thread.pk}/claim/", {"next": "/moderation/"})
    assert "<strong>You</strong>" in row_of(
        moderator_client.get("/moderation/").content.decode(), thread.title
    )

    moderator_client.post(f"/community/t/{thread.pk}/reply/", {"body": "Rinse it twice."})
    assert queue_titles_shown(moderator_client.get("/moderation/")) == []


def test_a_queue_row_cached_in_english_is_not_served_in_french():
    thread = ask("Steam wand sputters")
    english = client_for(ModeratorFactory(language="en")).get("/moderation/").content.decode()
    french = client_for(ModeratorFactory(language="fr")).get("/moderation/").content.decode()

    assert "Claim" in row_of(english, thread.title)
    with translation.override("fr"):
        claim_in_french = translation.gettext("Claim")
    assert claim_in_french != "Claim"
    assert f">{claim_in_french}<" in row_of(french, thread.title)
    assert ">Claim<" not in row_of(french, thread.title)
