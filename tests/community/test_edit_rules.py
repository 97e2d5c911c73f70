"""Edits follow the posting rules of new posts (community/limits.py, rule 5):
pre-moderation's link limit, the copy-paste rule and the posting limits."""

import pytest
from django.test import Client

from community import limits, services
from community.models import CommunitySettings, Revision, Visibility
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

SIX_LINKS = " ".join(f"https://shop{number}.example/deal" for number in range(6))


def new_member_rules() -> None:
    """First posts public, new members until ten posts, two links at most."""
    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 0
    rules.premoderation_new_member_posts = 10
    rules.premoderation_max_links = 2
    rules.save()


@pytest.fixture
def newcomer():
    return UserFactory()


@pytest.fixture
def posted(newcomer):
    new_member_rules()
    thread = services.thread_create(
        author=UserFactory(), category=CategoryFactory(), title="The grinder stalls", body="Hi."
    )
    reply = services.reply_create(author=newcomer, thread=thread, body="Clean the burrs.")
    assert reply.visibility == Visibility.VISIBLE
    return reply


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.premoderation
def test_an_edit_past_the_link_limit_is_refused_and_the_old_version_stays_public(newcomer, posted):
    new_member_rules()

    response = client_of(newcomer).post(f"/community/r/{posted.pk}/edit/", {"body": SIX_LINKS})

    assert response.status_code == 200
    content = response.content.decode()
    assert "This change needs a moderator&#x27;s approval" in content
    assert "https://shop5.example/deal</textarea>" in content  # the text is kept
    posted.refresh_from_db()
    assert (posted.body, posted.visibility) == ("Clean the burrs.", Visibility.VISIBLE)
    assert "shop" not in posted.body_html
    assert not Revision.objects.exists()


@pytest.mark.premoderation
def test_a_question_edited_past_the_link_limit_is_refused(newcomer):
    new_member_rules()
    thread = services.thread_create(
        author=newcomer, category=CategoryFactory(), title="Kettle", body="It whistles."
    )

    with pytest.raises(limits.EditNeedsApproval):
        services.thread_edit(editor=newcomer, thread=thread, title="Kettle", body=SIX_LINKS)

    thread.refresh_from_db()
    assert (thread.body, thread.visibility) == ("It whistles.", Visibility.VISIBLE)


@pytest.mark.premoderation
def test_an_edit_within_the_link_limit_and_a_moderators_edit_are_saved(newcomer, posted):
    new_member_rules()
    two_links = "See https://one.example and https://two.example"

    kept = client_of(newcomer).post(f"/community/r/{posted.pk}/edit/", {"body": two_links})
    posted.refresh_from_db()
    assert kept.status_code == 302
    assert posted.body == two_links

    staff = client_of(ModeratorFactory()).post(
        f"/community/r/{posted.pk}/edit/", {"body": SIX_LINKS}
    )
    posted.refresh_from_db()
    assert staff.status_code == 302
    assert (posted.body, posted.visibility) == (SIX_LINKS, Visibility.VISIBLE)


@pytest.mark.posting_limits
def test_edits_count_against_the_edit_limits(newcomer, posted):
    client = client_of(newcomer)
    url = f"/community/r/{posted.pk}/edit/"

    statuses = [client.post(url, {"body": f"Version {turn}."}).status_code for turn in range(4)]

    # A new member makes three edits a minute.
    assert statuses == [302, 302, 302, 429]
    refused = client.post(url, {"body": "Version 4."})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Version 4.</textarea>" in refused.content.decode()
    posted.refresh_from_db()
    assert posted.body == "Version 2."
    # Staff edits are not limited.
    moderator = ModeratorFactory()
    for turn in range(8):
        services.reply_edit(editor=moderator, reply=posted, body=f"Staff version {turn}.")


@pytest.mark.posting_limits
def test_an_edit_to_the_text_just_posted_elsewhere_is_refused_as_copy_paste(newcomer, posted):
    spam = "Buy the premium descaler at our shop, best price guaranteed today."
    elsewhere = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="Kettle",
        body="It whistles.",
        check_limits=False,
    )
    services.reply_create(author=newcomer, thread=elsewhere, body=spam, check_limits=False)

    response = client_of(newcomer).post(f"/community/r/{posted.pk}/edit/", {"body": spam})

    assert response.status_code == 200
    assert "You posted this same text in another discussion" in response.content.decode()
    posted.refresh_from_db()
    assert posted.body == "Clean the burrs."
