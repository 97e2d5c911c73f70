"""Edits follow the posting rules of new posts (community/limits.py, rule 5):
pre-moderation's link limit (a change that needs approval waits, the old version
public), the copy-paste rule and the posting limits."""

import pytest
from django.test import Client

from community import services
from community.models import CommunitySettings, ProposedEdit, Revision, Visibility
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
def test_an_edit_past_the_link_limit_waits_for_approval_and_the_old_version_stays_public(
    newcomer, posted
):
    new_member_rules()
    client = client_of(newcomer)

    response = client.post(f"/community/r/{posted.pk}/edit/", {"body": SIX_LINKS}, follow=True)

    assert response.redirect_chain[0][0] == f"/community/r/{posted.pk}/"
    assert "Your change waits for a moderator&#x27;s approval" in response.content.decode()
    posted.refresh_from_db()
    assert (posted.body, posted.visibility) == ("Clean the burrs.", Visibility.VISIBLE)
    assert "shop" not in posted.body_html
    assert not Revision.objects.exists()
    waiting = ProposedEdit.objects.get()
    assert (waiting.reply, waiting.editor, waiting.body) == (posted, newcomer, SIX_LINKS)
    assert waiting.status == ProposedEdit.Status.PENDING
    # Visitors read the old version; the author's edit form holds the waiting text.
    assert "shop5.example" not in Client().get(posted.thread.get_absolute_url()).content.decode()
    form = client.get(f"/community/r/{posted.pk}/edit/").content.decode()
    assert 'data-testid="edit-waiting"' in form
    assert "https://shop5.example/deal</textarea>" in form


@pytest.mark.premoderation
def test_a_question_edited_past_the_link_limit_waits_with_its_new_title(newcomer):
    new_member_rules()
    thread = services.thread_create(
        author=newcomer, category=CategoryFactory(), title="Kettle", body="It whistles."
    )

    edited = services.thread_edit(
        editor=newcomer, thread=thread, title="Kettle  deals", body=SIX_LINKS, tags=["deals"]
    )

    assert edited.held_edit.title == "Kettle deals"
    thread.refresh_from_db()
    assert (thread.title, thread.body) == ("Kettle", "It whistles.")
    assert thread.visibility == Visibility.VISIBLE
    assert list(thread.tags.names()) == ["deals"]  # tags are not held: they link nowhere


@pytest.mark.premoderation
def test_a_newer_edit_replaces_the_waiting_one(newcomer, posted):
    new_member_rules()
    client = client_of(newcomer)
    url = f"/community/r/{posted.pk}/edit/"
    client.post(url, {"body": SIX_LINKS})
    client.post(url, {"body": SIX_LINKS + " and more"})

    assert (
        ProposedEdit.objects.filter(status=ProposedEdit.Status.PENDING)
        .get()
        .body.endswith("and more")
    )
    # An edit within the rules is saved at once and ends the wait.
    assert client.post(url, {"body": "Clean the burrs, then the hopper."}).status_code == 302
    posted.refresh_from_db()
    assert posted.body == "Clean the burrs, then the hopper."
    statuses = list(ProposedEdit.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [ProposedEdit.Status.SUPERSEDED] * 2


@pytest.mark.premoderation
def test_a_pending_post_is_edited_at_once_since_its_moderator_reads_it_anyway(newcomer):
    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 1
    rules.save()
    thread = services.thread_create(
        author=newcomer, category=CategoryFactory(), title="Kettle", body="It whistles."
    )
    assert thread.visibility == Visibility.PENDING

    services.thread_edit(editor=newcomer, thread=thread, title="Kettle", body=SIX_LINKS)

    thread.refresh_from_db()
    assert thread.body == SIX_LINKS
    assert not ProposedEdit.objects.exists()


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
