"""Hiding, restoring, locking and unlocking threads: logged, reversible, nothing lost."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from community import services as community_services
from community.models import Reply, Thread, Visibility
from moderation import selectors, services
from tests.factories import CategoryFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    return community_services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="The blender lid cracked",
        body="After a week of use.",
    )


def in_queue(thread) -> bool:
    return selectors.awaiting_official_reply().filter(pk=thread.pk).exists()


def actions_logged(thread) -> list[str]:
    entries = ModelLogEntry.objects.filter(
        content_type__model="thread", object_id=str(thread.pk)
    ).order_by("timestamp", "pk")
    return [entry.action for entry in entries]


def test_hidden_thread_leaves_lists_and_queue_and_comes_back_with_its_due_time(
    client, thread, moderator
):
    due = thread.response_due_at

    services.thread_hide(moderator=moderator, thread=thread, reason="Duplicate of another")

    assert not in_queue(thread)
    assert thread.title not in client.get("/community/").content.decode()
    assert client.get(thread.get_absolute_url()).status_code == 404

    services.thread_restore(moderator=moderator, thread=thread)

    thread.refresh_from_db()
    assert in_queue(thread)
    assert thread.response_due_at == due
    assert actions_logged(thread) == ["relais.thread.hide", "relais.thread.restore"]


def test_the_author_and_moderators_still_read_a_hidden_thread(client, thread, moderator):
    services.thread_hide(moderator=moderator, thread=thread, reason="Personal data in title")

    client.force_login(thread.author)
    as_author = client.get(thread.get_absolute_url()).content.decode()
    client.force_login(moderator)
    as_moderator = client.get(thread.get_absolute_url()).content.decode()
    client.force_login(UserFactory())

    assert "Hidden by a moderator" in as_author and "Personal data in title" in as_author
    assert f"/moderation/t/{thread.pk}/restore/" in as_moderator
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_nothing_is_lost_when_a_thread_is_hidden(thread, moderator):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Help")

    services.thread_hide(moderator=moderator, thread=thread, reason="Spam")

    assert Thread.objects.filter(pk=thread.pk, body="After a week of use.").exists()
    assert Reply.objects.filter(pk=reply.pk, visibility=Visibility.VISIBLE).exists()


def test_locking_stops_member_replies_and_is_logged_and_reversible(client, thread, moderator):
    member = UserFactory()

    services.thread_set_locked(moderator=moderator, thread=thread, locked=True, reason="Heated")
    client.force_login(member)
    refused = client.post(f"/community/t/{thread.pk}/reply/", {"body": "One more thing"})
    services.thread_set_locked(moderator=moderator, thread=thread, locked=False)
    accepted = client.post(f"/community/t/{thread.pk}/reply/", {"body": "One more thing"})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Reply.objects.filter(thread=thread).count() == 1
    assert actions_logged(thread) == ["relais.thread.lock", "relais.thread.unlock"]


def test_hiding_and_locking_need_a_reason_and_a_moderator(thread, member, moderator):
    with pytest.raises(ValidationError):
        services.thread_hide(moderator=moderator, thread=thread, reason="")
    with pytest.raises(ValidationError):
        services.thread_set_locked(moderator=moderator, thread=thread, locked=True, reason=" ")
    for not_a_moderator in (member, EditorFactory(), thread.author):
        with pytest.raises(PermissionDenied):
            services.thread_hide(moderator=not_a_moderator, thread=thread, reason="No")
    thread.refresh_from_db()
    assert thread.visibility == Visibility.VISIBLE
    assert not thread.is_locked


@pytest.mark.parametrize("action", ["hide", "restore", "lock", "unlock"])
@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302)])
def test_thread_action_urls_are_for_moderators(request, client, thread, action, role, status):
    client.force_login(request.getfixturevalue(role))

    response = client.post(f"/moderation/t/{thread.pk}/{action}/", {"reason": "Because"})

    assert response.status_code == status
    if status == 403:
        thread.refresh_from_db()
        assert (thread.visibility, thread.is_locked) == (Visibility.VISIBLE, False)


def test_thread_actions_send_visitors_to_sign_in(client, thread):
    response = client.post(f"/moderation/t/{thread.pk}/hide/", {"reason": "Because"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
