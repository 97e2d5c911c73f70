"""Changes to public posts that wait for approval (pre-moderation of edits).

A new member's edit past the link limit leaves the post as it was and waits on the
approvals page beside the pending posts; approving applies it (the earlier text
kept as a revision), rejecting keeps the post and tells the author why. Both are
logged, for moderators only, and a change decided on or replaced is not decided
again.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import user_close, user_data_export
from community import services as community_services
from community.models import CommunitySettings, ProposedEdit, Revision
from moderation import selectors, services
from moderation.audit import EDIT_APPROVE, EDIT_REJECT
from tests.community.test_queries import assert_same_queries
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.helpers import caches_cold, client_for, logged

pytestmark = [pytest.mark.django_db, pytest.mark.premoderation]

LINKS = "Try https://one.example https://two.example https://three.example"


@pytest.fixture(autouse=True)
def new_member_rules():
    """First posts public; a new member (under ten posts) may add two links."""
    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 0
    rules.premoderation_new_member_posts = 10
    rules.premoderation_max_links = 2
    rules.save()


@pytest.fixture
def newcomer():
    return UserFactory(display_name="Nina Newcomer")


@pytest.fixture
def thread():
    return community_services.thread_create(
        author=ModeratorFactory(),
        category=CategoryFactory(),
        title="The grinder stalls on fine settings",
        body="Any idea?",
    )


@pytest.fixture
def reply(newcomer, thread):
    return community_services.reply_create(author=newcomer, thread=thread, body="Clean the burrs.")


def propose(editor, reply, body=LINKS) -> ProposedEdit:
    edited = community_services.reply_edit(editor=editor, reply=reply, body=body)
    assert edited.held_edit is not None
    return edited.held_edit


def test_a_waiting_change_is_listed_with_both_versions(moderator_client, newcomer, reply):
    edit = propose(newcomer, reply)

    response = moderator_client.get("/moderation/approvals/")
    content = response.content.decode()

    [item] = response.context["page"].object_list
    assert (item.kind, item.edit, item.post) == ("edit", edit, reply)
    assert item.link_count == 3
    assert item.why == "More links than a new member may add (2 allowed)."
    assert "Change to a reply" in content
    assert "Clean the burrs." in content  # public now
    assert 'href="https://three.example"' in content  # proposed, rendered and sanitized
    assert f"/moderation/edits/{edit.pk}/approve/" in content
    assert f"/moderation/edits/{edit.pk}/reject/" in content
    assert selectors.pending_count() == 1


def test_approving_applies_the_change_and_keeps_the_earlier_text(
    moderator, newcomer, reply, client
):
    edit = propose(newcomer, reply)

    services.edit_approve(moderator=moderator, edit=edit)

    reply.refresh_from_db()
    assert reply.body == LINKS
    assert 'href="https://one.example"' in reply.body_html
    assert reply.edited_at is not None
    revision = Revision.objects.get(reply=reply)
    assert (revision.body, revision.editor) == ("Clean the burrs.", newcomer)
    edit.refresh_from_db()
    assert (edit.status, edit.decided_by) == (ProposedEdit.Status.APPROVED, moderator)
    assert logged(reply)[-1][:2] == (EDIT_APPROVE, moderator.pk)
    assert "three.example" in client.get(reply.thread.get_absolute_url()).content.decode()
    assert selectors.pending_count() == 0


def test_approving_a_question_change_applies_its_title(moderator, newcomer):
    asked = community_services.thread_create(
        author=newcomer, category=CategoryFactory(), title="Kettle whistles", body="Loudly."
    )
    edited = community_services.thread_edit(
        editor=newcomer, thread=asked, title="Kettle whistles, shops", body=LINKS
    )

    services.edit_approve(moderator=moderator, edit=edited.held_edit)

    asked.refresh_from_db()
    assert (asked.title, asked.body) == ("Kettle whistles, shops", LINKS)
    assert Revision.objects.get(thread=asked).title == "Kettle whistles"


def test_rejecting_keeps_the_post_and_tells_the_author_why(moderator, newcomer, reply):
    edit = propose(newcomer, reply)

    services.edit_reject(moderator=moderator, edit=edit, reason="Links to shops.")

    reply.refresh_from_db()
    assert reply.body == "Clean the burrs."
    assert not Revision.objects.exists()
    edit.refresh_from_db()
    assert (edit.status, edit.reason) == (ProposedEdit.Status.REJECTED, "Links to shops.")
    assert logged(reply)[-1][:2] == (EDIT_REJECT, moderator.pk)
    form = client_for(newcomer).get(f"/community/r/{reply.pk}/edit/").content.decode()
    assert 'data-testid="edit-not-approved"' in form
    assert "Links to shops." in form
    assert "Clean the burrs.</textarea>" in form  # the form starts from the public text


def test_rejecting_needs_a_reason(moderator, newcomer, reply):
    edit = propose(newcomer, reply)
    with pytest.raises(ValidationError):
        services.edit_reject(moderator=moderator, edit=edit, reason="  ")
    edit.refresh_from_db()
    assert edit.status == ProposedEdit.Status.PENDING


def test_a_change_decided_on_or_replaced_is_not_decided_again(moderator, newcomer, reply):
    first = propose(newcomer, reply)
    second = propose(newcomer, reply, body=LINKS + " https://four.example")

    with pytest.raises(ValidationError):
        services.edit_approve(moderator=moderator, edit=first)  # replaced by the second
    services.edit_approve(moderator=moderator, edit=second)
    with pytest.raises(ValidationError):
        services.edit_reject(moderator=moderator, edit=second, reason="Too late.")

    reply.refresh_from_db()
    assert reply.body.endswith("four.example")
    assert Revision.objects.filter(reply=reply).count() == 1


def test_deciding_needs_a_moderator(newcomer, reply):
    edit = propose(newcomer, reply)
    for person in (newcomer, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.edit_approve(moderator=person, edit=edit)
        with pytest.raises(PermissionDenied):
            services.edit_reject(moderator=person, edit=edit, reason="No.")
    edit.refresh_from_db()
    assert edit.status == ProposedEdit.Status.PENDING


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302), ("superuser", 302)]
)
def test_decision_urls_are_for_moderators(request, newcomer, reply, action, role, status):
    edit = propose(newcomer, reply)
    client = client_for(request.getfixturevalue(role))

    response = client.post(f"/moderation/edits/{edit.pk}/{action}/", {"reason": "Shops."})

    assert response.status_code == status
    edit.refresh_from_db()
    if status == 403:
        assert edit.status == ProposedEdit.Status.PENDING
    else:
        assert response["Location"] == "/moderation/approvals/"
        assert edit.status == {"approve": "approved", "reject": "rejected"}[action]


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_decision_urls_send_visitors_to_sign_in_and_refuse_get(
    moderator_client, newcomer, reply, action
):
    edit = propose(newcomer, reply)
    url = f"/moderation/edits/{edit.pk}/{action}/"

    response = Client().post(url, {"reason": "Shops."})

    assert response["Location"].startswith("/accounts/login/")
    assert moderator_client.get(url).status_code == 405
    edit.refresh_from_db()
    assert edit.status == ProposedEdit.Status.PENDING


def test_a_second_decision_through_the_page_is_a_message(moderator_client, newcomer, reply):
    edit = propose(newcomer, reply)
    moderator_client.post(f"/moderation/edits/{edit.pk}/approve/")

    response = moderator_client.post(
        f"/moderation/edits/{edit.pk}/reject/", {"reason": "No."}, follow=True
    )

    assert response.status_code == 200
    assert "This change was decided on already" in response.content.decode()
    edit.refresh_from_db()
    assert edit.status == ProposedEdit.Status.APPROVED


def test_approvals_page_queries_are_constant_for_1_and_50_changes(moderator_client, thread):
    def add(count):
        for number in range(count):
            author = UserFactory()
            posted = community_services.reply_create(
                author=author, thread=thread, body=f"Answer {number}."
            )
            propose(author, posted, body=f"{LINKS} {number}")

    add(1)
    moderator_client.get("/moderation/approvals/")  # warm caches

    def count_queries():
        caches_cold()
        with CaptureQueriesContext(connection) as context:
            response = moderator_client.get("/moderation/approvals/")
        assert response.status_code == 200
        return [query["sql"] for query in context.captured_queries], response

    with_one, _response = count_queries()
    add(55)
    with_many, response = count_queries()

    assert response.content.decode().count('data-testid="approval-edit"') == 50
    assert_same_queries(with_one, with_many, "/moderation/approvals/")


def test_a_closed_account_withdraws_its_waiting_change_and_its_data_lists_it(
    newcomer, reply, moderator
):
    edit = propose(newcomer, reply)
    exported = user_data_export(user=newcomer)["proposed_changes"]
    assert [(row["reply"], row["status"]) for row in exported] == [(reply.pk, "pending")]

    user_close(user=newcomer)

    edit.refresh_from_db()
    assert edit.status == ProposedEdit.Status.SUPERSEDED
    assert selectors.pending_count() == 0
