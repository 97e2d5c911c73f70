"""The replies of the thread page come from a cache shared by every viewer
(community/fragments.py): nobody reads what is another's (votes, rights, tools, hidden
replies and their reasons, CSRF tokens), and whoever changes something reads the
change on their next page."""

import re

import pytest
from django.test import Client

from community import services
from community.cache import csrf_placeholder
from community.fragments import REPLY_TEMPLATE
from community.services.visibility import post_hide
from tests.community.helpers import page, reply_article
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import client_for


@pytest.fixture
def peer_reply(thread, other_member):
    return services.reply_create(author=other_member, thread=thread, body="Descale it first.")


def helpful_button(article: str) -> str:
    match = re.search(r"<button[^>]*aria-pressed=\"(true|false)\"[^>]*>\s*Helpful", article)
    assert match, "no helpful toggle"
    return match.group(1)


def rendered_replies(client, url) -> int:
    """How many replies the page had to render (the others came from the cache)."""
    response = client.get(url)
    assert response.status_code == 200
    return sum(template.name == REPLY_TEMPLATE for template in response.templates)


def test_a_second_viewer_alike_is_served_the_cached_replies(thread, peer_reply):
    url = thread.get_absolute_url()
    first, second = client_for(UserFactory()), client_for(UserFactory())

    assert rendered_replies(first, url) == 1
    assert rendered_replies(second, url) == 0
    assert rendered_replies(first, url) == 0


def test_one_members_vote_is_not_shown_to_another(thread, peer_reply):
    voter, other = UserFactory(), UserFactory()
    voter_client = client_for(voter)
    url = thread.get_absolute_url()
    page(voter_client, url)
    services.reply_set_helpful(user=voter, reply=peer_reply, helpful=True)

    voter_sees = reply_article(page(voter_client, url), peer_reply)
    other_sees = reply_article(page(client_for(other), url), peer_reply)

    assert helpful_button(voter_sees) == "true"
    assert helpful_button(other_sees) == "false"
    # Both read the new count: the vote changed the reply's own key.
    assert 'data-testid="helpful-count">1<' in voter_sees
    assert 'data-testid="helpful-count">1<' in other_sees


def test_edit_and_accept_rights_stay_with_who_has_them(thread, asker, peer_reply, other_member):
    url = thread.get_absolute_url()
    edit_url = f"/community/r/{peer_reply.pk}/edit/"
    as_author = reply_article(page(client_for(other_member), url), peer_reply)
    as_asker = reply_article(page(client_for(asker), url), peer_reply)
    as_stranger = reply_article(page(client_for(UserFactory()), url), peer_reply)

    assert edit_url in as_author and "Accept as solution" not in as_author
    assert "Accept as solution" in as_asker and edit_url not in as_asker
    assert edit_url not in as_stranger and "Accept as solution" not in as_stranger


def test_staff_tools_are_shown_to_moderators_only(thread, peer_reply, moderator):
    # An official reply: nobody may recommend it, so members and moderators differ only
    # by the tools moderation adds.
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Hi.")
    url = thread.get_absolute_url()
    # Each viewer after the other, both ways, so either could find the other's copy.
    as_moderator = page(client_for(moderator), url)
    as_member = page(client_for(UserFactory()), url)
    as_moderator_again = page(client_for(ModeratorFactory()), url)

    for reply in (peer_reply, official):
        hide_url = f"/moderation/r/{reply.pk}/hide/"
        assert hide_url in reply_article(as_moderator, reply)
        assert hide_url in reply_article(as_moderator_again, reply)
        assert hide_url not in reply_article(as_member, reply)
        assert 'data-testid="report-link"' in reply_article(as_member, reply)
        assert 'data-testid="report-link"' not in reply_article(as_moderator, reply)
    assert "Recommend" in reply_article(as_moderator, peer_reply)
    assert "Recommend" not in reply_article(as_member, peer_reply)


def test_a_hidden_reply_and_its_reason_reach_only_its_author_and_staff(
    thread, peer_reply, other_member, moderator
):
    url = thread.get_absolute_url()
    stranger = client_for(UserFactory())
    assert f'id="reply-{peer_reply.pk}"' in page(stranger, url)
    post_hide(peer_reply, reason="Shares a customer's address")

    for_author = reply_article(page(client_for(other_member), url), peer_reply)
    for_moderator = reply_article(page(client_for(moderator), url), peer_reply)
    for_stranger = page(stranger, url)
    for_visitor = page(Client(), url)

    assert "Shares a customer&#x27;s address" in for_author
    assert "Only you and the staff see this reply." in for_author
    assert "Only staff and the author see this reply." in for_moderator
    for content in (for_stranger, for_visitor):
        assert f'id="reply-{peer_reply.pk}"' not in content
        assert "Descale it first." not in content
        assert "customer&#x27;s address" not in content


def test_a_visitor_never_gets_a_members_replies(thread, peer_reply):
    url = thread.get_absolute_url()
    voter = UserFactory()
    services.reply_set_helpful(user=voter, reply=peer_reply, helpful=True)
    page(client_for(voter), url)

    as_visitor = reply_article(page(Client(), url), peer_reply)

    assert "<form" not in as_visitor
    assert "1 member found this helpful" in as_visitor
    assert 'data-testid="report-link"' not in as_visitor


def test_the_author_reads_their_edit_vote_and_accept_on_the_next_page(
    thread, asker, peer_reply, other_member
):
    url = thread.get_absolute_url()
    asker_client = client_for(asker)
    page(asker_client, url)
    page(client_for(other_member), url)

    services.reply_edit(editor=other_member, reply=peer_reply, body="Descale it twice.")
    edited = reply_article(page(client_for(other_member), url), peer_reply)
    services.reply_set_helpful(user=asker, reply=peer_reply, helpful=True)
    voted = reply_article(page(asker_client, url), peer_reply)
    services.thread_accept_reply(user=asker, thread=thread, reply=peer_reply)
    accepted = reply_article(page(asker_client, url), peer_reply)

    assert "Descale it twice." in edited and "Descale it first." not in edited
    assert f"/community/r/{peer_reply.pk}/history/" in edited
    assert helpful_button(voted) == "true"
    assert "Undo solution" in accepted and "accepted by the asker" in accepted


def test_a_change_of_display_name_shows_at_once(thread, peer_reply, other_member):
    url = thread.get_absolute_url()
    reader = client_for(UserFactory())
    page(reader, url)
    other_member.display_name = "Renamed Rita"
    other_member.save(update_fields=["display_name"])

    assert "Renamed Rita" in reply_article(page(reader, url), peer_reply)


def test_replies_cached_in_one_language_are_not_served_in_the_other(thread, peer_reply):
    url = thread.get_absolute_url()
    english_reader, french_reader = UserFactory(language="en"), UserFactory(language="fr")
    english = reply_article(page(client_for(english_reader), url), peer_reply)
    french = reply_article(page(client_for(french_reader), url), peer_reply)

    assert "Helpful" in english and "Utile" not in english
    assert "Utile" in french and "Helpful" not in french
    assert rendered_replies(client_for(UserFactory(language="fr")), url) == 0


def test_each_member_gets_their_own_csrf_token_in_cached_forms(thread, peer_reply):
    url = thread.get_absolute_url()
    voter = UserFactory()
    page(client_for(UserFactory()), url)
    voter_client = Client(enforce_csrf_checks=True)
    voter_client.force_login(voter)
    content = page(voter_client, url)
    form = re.search(
        rf'<form[^>]*action="(/community/r/{peer_reply.pk}/helpful/)".*?'
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        reply_article(content, peer_reply),
        flags=re.DOTALL,
    )

    assert csrf_placeholder() not in content
    response = voter_client.post(form.group(1), {"value": "on", "csrfmiddlewaretoken": form[2]})
    assert response.status_code in (200, 302)
    peer_reply.refresh_from_db()
    assert peer_reply.helpful_count == 1


def test_the_schema_org_data_follows_a_vote_made_by_someone_else(thread, peer_reply):
    url = thread.get_absolute_url()
    reader, voter = client_for(UserFactory()), client_for(UserFactory())
    assert '"upvoteCount": 0' in page(reader, url).split("application/ld+json", 1)[1]

    voted = voter.post(f"/community/r/{peer_reply.pk}/helpful/", {"value": "on"})

    assert voted.status_code in (200, 302)
    structured = page(reader, url).split("application/ld+json", 1)[1].split("</script>", 1)[0]
    assert '"upvoteCount": 1' in structured
