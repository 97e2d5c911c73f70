"""Claim, assign and release: who is on a thread, for how long, and what the queue shows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community import services as community_services
from community.models import CommunitySettings, Notification, Thread
from moderation import selectors, services
from moderation.audit import THREAD_ASSIGN, THREAD_CLAIM, THREAD_RELEASE
from tests.factories import (
    CategoryFactory,
    EditorFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)
from tests.helpers import caches_cold, queue_titles_shown

pytestmark = pytest.mark.django_db


def ask(title="The kettle switches itself off", category=None):
    return community_services.thread_create(
        author=UserFactory(),
        category=category or CategoryFactory(),
        title=title,
        body="It clicks off after a few seconds.",
    )


@pytest.fixture
def thread():
    return ask()


def log_entries(thread, action):
    return list(
        ModelLogEntry.objects.filter(
            content_type__model="thread", object_id=str(thread.pk), action=action
        ).order_by("timestamp", "pk")
    )


def expire_claim(thread):
    Thread.objects.filter(pk=thread.pk).update(
        claim_expires_at=timezone.now() - timedelta(minutes=1)
    )
    thread.refresh_from_db()


# Services ------------------------------------------------------------------------


def test_claim_holds_the_thread_for_the_configured_hours_and_is_logged(thread, moderator):
    rules = CommunitySettings.load()
    rules.claim_expiry_hours = 6
    rules.save()
    before = timezone.now()

    services.thread_claim(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert thread.assigned_to == moderator
    assert before + timedelta(hours=6) <= thread.claim_expires_at
    assert thread.claim_expires_at <= timezone.now() + timedelta(hours=6)
    [entry] = log_entries(thread, THREAD_CLAIM)
    assert entry.user == moderator
    assert entry.data["assignee"] == moderator.pk
    assert entry.data["assignee_name"] == moderator.public_name
    assert entry.data["expires_at"] == thread.claim_expires_at.isoformat()
    assert entry.data["take_over"] is False


def test_claiming_again_renews_without_a_second_log_entry(thread, moderator):
    services.thread_claim(moderator=moderator, thread=thread)
    Thread.objects.filter(pk=thread.pk).update(
        claim_expires_at=timezone.now() + timedelta(minutes=5)
    )

    services.thread_claim(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert thread.claim_expires_at > timezone.now() + timedelta(hours=3)
    assert len(log_entries(thread, THREAD_CLAIM)) == 1


def test_a_live_claim_of_someone_else_needs_a_take_over(thread, moderator):
    alice = ModeratorFactory(display_name="Alice")
    services.thread_claim(moderator=alice, thread=thread)
    thread.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        services.thread_claim(moderator=moderator, thread=thread)

    until = timezone.localtime(thread.claim_expires_at).strftime("%H:%M")
    assert caught.value.messages == [f"Already claimed by Alice until {until}."]
    thread.refresh_from_db()
    assert thread.assigned_to == alice

    services.thread_claim(moderator=moderator, thread=thread, take_over=True)

    thread.refresh_from_db()
    assert thread.assigned_to == moderator
    entry = log_entries(thread, THREAD_CLAIM)[-1]
    assert entry.data["take_over"] is True
    assert entry.data["previous"] == alice.pk


def test_an_expired_claim_counts_as_nobody(thread, moderator):
    alice = ModeratorFactory()
    services.thread_claim(moderator=alice, thread=thread)
    expire_claim(thread)

    assert thread.assignee_at(timezone.now()) is None
    services.thread_claim(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert thread.assigned_to == moderator
    assert log_entries(thread, THREAD_CLAIM)[-1].data["take_over"] is False


def test_assign_gives_the_thread_to_a_moderator_and_is_logged(thread, moderator):
    bob = ModeratorFactory(display_name="Bob")

    services.thread_assign(moderator=moderator, thread=thread, assignee=bob)

    thread.refresh_from_db()
    assert thread.assigned_to == bob
    assert thread.claim_expires_at > timezone.now() + timedelta(hours=3)
    [entry] = log_entries(thread, THREAD_ASSIGN)
    assert entry.user == moderator
    assert (entry.data["assignee"], entry.data["assignee_name"]) == (bob.pk, "Bob")
    assert entry.data["expires_at"] == thread.claim_expires_at.isoformat()


@pytest.mark.parametrize("role", ["member", "editor"])
def test_assign_refuses_someone_who_is_not_a_moderator(request, thread, moderator, role):
    with pytest.raises(ValidationError):
        services.thread_assign(
            moderator=moderator, thread=thread, assignee=request.getfixturevalue(role)
        )
    thread.refresh_from_db()
    assert thread.assigned_to is None
    assert log_entries(thread, THREAD_ASSIGN) == []


def test_release_clears_the_claim_and_is_logged_once(thread, moderator):
    services.thread_claim(moderator=moderator, thread=thread)

    services.thread_release(moderator=moderator, thread=thread)
    services.thread_release(moderator=moderator, thread=thread)  # a double submit

    thread.refresh_from_db()
    assert (thread.assigned_to, thread.claim_expires_at) == (None, None)
    [entry] = log_entries(thread, THREAD_RELEASE)
    assert entry.data["previous"] == moderator.pk
    assert entry.data["assignee"] is None


def test_releasing_an_expired_claim_clears_it_without_a_log_entry(thread, moderator):
    services.thread_claim(moderator=moderator, thread=thread)
    expire_claim(thread)

    services.thread_release(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert (thread.assigned_to, thread.claim_expires_at) == (None, None)
    assert log_entries(thread, THREAD_RELEASE) == []


@pytest.mark.parametrize("role", ["member", "editor"])
def test_only_moderators_claim_assign_and_release(request, thread, moderator, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.thread_claim(moderator=user, thread=thread)
    with pytest.raises(PermissionDenied):
        services.thread_assign(moderator=user, thread=thread, assignee=moderator)
    with pytest.raises(PermissionDenied):
        services.thread_release(moderator=user, thread=thread)
    thread.refresh_from_db()
    assert thread.assigned_to is None


def test_an_official_reply_takes_the_thread_out_of_the_queue_whatever_the_claim(
    thread, moderator, moderator_client
):
    services.thread_claim(moderator=moderator, thread=thread)

    community_services.reply_create(author=moderator, thread=thread, body="Here is the fix.")

    assert queue_titles_shown(moderator_client.get("/moderation/")) == []


# Views -----------------------------------------------------------------------------

ACTIONS = ["claim", "assign", "release"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302)])
def test_assignment_urls_are_for_moderators(request, client, thread, action, role, status):
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.post(
        f"/moderation/t/{thread.pk}/{action}/", {"assignee": ModeratorFactory().pk}
    )

    assert response.status_code == status
    if status == 403:
        thread.refresh_from_db()
        assert thread.assigned_to is None


@pytest.mark.parametrize("action", ACTIONS)
def test_assignment_urls_send_visitors_to_sign_in(client, thread, action):
    response = client.post(f"/moderation/t/{thread.pk}/{action}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("action", ACTIONS)
def test_assignment_urls_take_post_only(moderator_client, thread, action):
    assert moderator_client.get(f"/moderation/t/{thread.pk}/{action}/").status_code == 405


def test_claim_url_claims_and_goes_back_to_a_local_next(moderator_client, thread, moderator):
    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/claim/", {"next": "/moderation/?filter=overdue"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/moderation/?filter=overdue"
    thread.refresh_from_db()
    assert thread.assigned_to == moderator


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_claim_url_ignores_a_foreign_next(moderator_client, thread, next_url):
    response = moderator_client.post(f"/moderation/t/{thread.pk}/claim/", {"next": next_url})

    assert response["Location"] == "/moderation/"


def test_claim_url_shows_who_holds_the_thread_and_take_over_works(moderator_client, moderator):
    thread = ask()
    alice = ModeratorFactory(display_name="Alice")
    services.thread_claim(moderator=alice, thread=thread)

    response = moderator_client.post(f"/moderation/t/{thread.pk}/claim/", follow=True)

    assert "Already claimed by Alice until" in response.content.decode()
    thread.refresh_from_db()
    assert thread.assigned_to == alice

    moderator_client.post(f"/moderation/t/{thread.pk}/claim/", {"take_over": "1"})

    thread.refresh_from_db()
    assert thread.assigned_to == moderator


def test_claim_url_with_htmx_answers_with_the_fragment(moderator_client, thread, moderator):
    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/claim/",
        {"next": thread.get_absolute_url()},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="assignment-{thread.pk}"' in content
    assert "You are on this thread" in content
    assert "<html" not in content
    # The note by the reply form follows, out of band.
    assert 'id="reply-assignee"' in content
    assert 'data-hx-swap-oob="true"' in content
    assert f'name="next" value="{thread.get_absolute_url()}"' in content
    assert "HX-Request" in response["Vary"]


def test_claim_url_with_htmx_from_the_queue_keeps_the_short_wording(moderator_client, thread):
    alice = ModeratorFactory(display_name="Alice")
    services.thread_claim(moderator=alice, thread=thread)

    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/claim/",
        {"compact": "1", "next": "/moderation/"},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert">Already claimed by Alice until' in content
    assert "Take over from Alice" in content
    assert 'data-hx-swap-oob="true"' not in content


def test_assign_url_assigns_and_refuses_non_moderators(moderator_client, thread, member):
    bob = ModeratorFactory(display_name="Bob")

    moderator_client.post(f"/moderation/t/{thread.pk}/assign/", {"assignee": bob.pk})
    thread.refresh_from_db()
    assert thread.assigned_to == bob

    for bad in [member.pk, "", "not-a-number", "99999999999999999999999", 0]:
        response = moderator_client.post(
            f"/moderation/t/{thread.pk}/assign/", {"assignee": bad}, follow=True
        )
        assert response.status_code == 200
        assert "Threads can only be assigned to moderators." in response.content.decode()
        thread.refresh_from_db()
        assert thread.assigned_to == bob


def test_assign_url_with_htmx_shows_the_new_assignee(moderator_client, thread):
    bob = ModeratorFactory(display_name="Bob")

    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/assign/", {"assignee": bob.pk}, headers={"HX-Request": "true"}
    )

    assert "Assigned to <strong>Bob</strong>" in response.content.decode()


def test_release_url_releases(moderator_client, thread, moderator):
    services.thread_claim(moderator=moderator, thread=thread)

    response = moderator_client.post(
        f"/moderation/t/{thread.pk}/release/", headers={"HX-Request": "true"}
    )

    assert "Nobody is on this thread" in response.content.decode()
    thread.refresh_from_db()
    assert thread.assigned_to is None


def test_assignment_url_for_a_missing_thread_is_404(moderator_client):
    assert moderator_client.post("/moderation/t/999999/claim/").status_code == 404


# Thread page -----------------------------------------------------------------------


def test_thread_page_shows_the_assignment_to_staff_only(client, thread, moderator, member):
    alice = ModeratorFactory(display_name="Alice")
    services.thread_claim(moderator=alice, thread=thread)
    thread.refresh_from_db()
    until = timezone.localtime(thread.claim_expires_at).strftime("%H:%M")

    client.force_login(moderator)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert "Assigned to <strong>Alice</strong>" in content
    assert f"Alice is answering this thread (claimed until {until})." in content
    assert "Take over from Alice" in content
    assert f'action="/moderation/t/{thread.pk}/assign/"' in content

    client.force_login(member)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert "Alice" not in content
    assert "/claim/" not in content


def test_thread_page_shows_nobody_once_the_claim_expired(moderator_client, thread):
    services.thread_claim(moderator=ModeratorFactory(display_name="Alice"), thread=thread)
    expire_claim(thread)

    content = moderator_client.get(thread.get_absolute_url()).content.decode()

    assert "Nobody is on this thread" in content
    assert "Nobody has claimed this thread." in content
    assert "Alice is answering" not in content


# Queue -----------------------------------------------------------------------------


def titles(client, query=""):
    return queue_titles_shown(client.get(f"/moderation/{query}"))


def test_queue_filters_mine_and_unassigned_and_combines_them(moderator_client, moderator):
    repairs = CategoryFactory(slug="repairs")
    mine = ask("Claimed by me", category=repairs)
    theirs = ask("Claimed by someone else")
    lapsed = ask("Claim lapsed long ago")
    free = ask("Nobody on it")
    late_mine = ask("Claimed by me and overdue")
    Thread.objects.filter(pk=late_mine.pk).update(
        response_due_at=timezone.now() - timedelta(hours=1)
    )
    services.thread_claim(moderator=moderator, thread=mine)
    services.thread_claim(moderator=moderator, thread=late_mine)
    services.thread_claim(moderator=ModeratorFactory(), thread=theirs)
    services.thread_claim(moderator=moderator, thread=lapsed)
    expire_claim(lapsed)

    assert set(titles(moderator_client, "?filter=mine")) == {mine.title, late_mine.title}
    assert set(titles(moderator_client, "?filter=unassigned")) == {lapsed.title, free.title}
    assert titles(moderator_client, "?filter=overdue&filter=mine") == [late_mine.title]
    assert titles(moderator_client, "?filter=overdue&filter=unassigned") == []
    assert titles(moderator_client, "?filter=mine&category=repairs") == [mine.title]
    assert len(titles(moderator_client, "?filter=nonsense")) == 5


def test_queue_shows_assignees_and_expired_claims_as_unassigned(moderator_client, moderator):
    held = ask("Held by Alice")
    lapsed = ask("Lapsed claim of Bob")
    services.thread_claim(moderator=ModeratorFactory(display_name="Alice"), thread=held)
    services.thread_claim(moderator=ModeratorFactory(display_name="Bob"), thread=lapsed)
    expire_claim(lapsed)

    response = moderator_client.get("/moderation/")

    content = response.content.decode()
    held_row = content[content.index(f">{held.title}</a>") :].split("</tr>")[0]
    lapsed_row = content[content.index(f">{lapsed.title}</a>") :].split("</tr>")[0]
    assert "<strong>Alice</strong>" in held_row
    assert ">Unassigned<" in lapsed_row
    assert "<strong>Alice</strong>" in content
    assert "<strong>Bob</strong>" not in content
    assert content.count(">Unassigned<") == 2  # the filter's option and Bob's lapsed row
    assert "Take over from Alice" in content
    assert f'action="/moderation/t/{lapsed.pk}/claim/"' in content
    assert 'name="next" value="/moderation/"' in content


def test_queue_lists_moderators_once_for_the_assign_menus(moderator_client, moderator):
    ask("First")
    ask("Second")
    bob = ModeratorFactory(display_name="Bob")
    EditorFactory(display_name="Eddie the editor")
    UserFactory(display_name="Just a member")
    ModeratorFactory(display_name="Gone moderator", is_active=False)

    response = moderator_client.get("/moderation/")

    content = response.content.decode()
    assert content.count(f'<option value="{bob.pk}">Bob</option>') == 2
    assert content.count(f'<option value="{moderator.pk}">') == 2
    assert "Eddie the editor" not in content
    assert "Just a member" not in content
    assert "Gone moderator" not in content


def test_moderator_list_matches_the_moderator_role(moderator, superuser, editor, member):
    listed = selectors.moderator_list()
    assert moderator in listed
    assert superuser in listed
    assert editor not in listed
    assert member not in listed
    assert len(listed) == len(set(listed))


def count_queries(client, path) -> int:
    caches_cold()  # measure from cold caches, as after a write
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_queue_with_assigned_rows_runs_the_same_queries_for_1_and_50(moderator_client, moderator):
    others = [ModeratorFactory() for _ in range(3)]
    first = ask("Question number one")
    services.thread_claim(moderator=moderator, thread=first)
    count_queries(moderator_client, "/moderation/")
    with_one = count_queries(moderator_client, "/moderation/")
    for number in range(49):
        thread = ask(f"Question number {number} of many")
        holder = [*others, moderator][number % 4]
        services.thread_claim(moderator=holder, thread=thread)
        if number % 5 == 0:
            expire_claim(thread)

    assert count_queries(moderator_client, "/moderation/") == with_one
    assert count_queries(moderator_client, "/moderation/?filter=unassigned") == with_one
    assert count_queries(moderator_client, "/moderation/?filter=mine") == with_one


def test_thread_page_runs_the_same_queries_for_1_and_50_replies_and_moderators():
    thread = ask()
    viewer = ModeratorFactory()
    client = Client()
    client.force_login(viewer)
    services.thread_claim(moderator=viewer, thread=thread)
    ReplyFactory(thread=thread)
    path = thread.get_absolute_url()
    count_queries(client, path)
    with_one = count_queries(client, path)
    for _ in range(49):
        ReplyFactory(thread=thread, author=ModeratorFactory())

    assert count_queries(client, path) == with_one


def test_assigning_a_thread_to_another_moderator_notifies_them(moderator):
    colleague = ModeratorFactory()
    thread = ThreadFactory(title="Grinder jams")

    services.thread_assign(moderator=moderator, thread=thread, assignee=colleague)
    services.thread_assign(moderator=moderator, thread=thread, assignee=colleague)  # renewed
    services.thread_assign(moderator=moderator, thread=thread, assignee=moderator)  # self

    sent = Notification.objects.filter(kind=Notification.Kind.ASSIGNED)
    assert list(sent.values_list("recipient_id", "actor_id", "thread_id")) == [
        (colleague.pk, moderator.pk, thread.pk)
    ]
