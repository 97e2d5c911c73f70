"""Hiding and restoring replies: logged, reversible, nothing lost, the queue kept exact."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community import services as community_services
from community.models import Reply, Thread, Visibility
from moderation import selectors, services
from tests.factories import EditorFactory, ModeratorFactory, UserFactory
from tests.helpers import in_queue

pytestmark = pytest.mark.django_db


def test_hiding_the_only_official_reply_puts_the_thread_back_with_its_due_time(thread, moderator):
    due = thread.response_due_at
    official = community_services.reply_create(author=moderator, thread=thread, body="Fixed.")
    assert not in_queue(thread)

    services.reply_hide(moderator=moderator, reply=official, reason="Wrong product")

    thread.refresh_from_db()
    assert in_queue(thread)
    assert thread.response_due_at == due
    assert thread.first_official_reply_at is None
    assert thread.reply_count == 0

    services.reply_restore(moderator=moderator, reply=official)

    thread.refresh_from_db()
    assert not in_queue(thread)
    assert thread.first_official_reply_at == official.created_at
    assert thread.reply_count == 1


def test_hiding_one_of_two_official_replies_keeps_the_thread_answered(thread, moderator):
    first = community_services.reply_create(author=moderator, thread=thread, body="One.")
    second = community_services.reply_create(author=ModeratorFactory(), thread=thread, body="Two")

    services.reply_hide(moderator=moderator, reply=first, reason="Duplicate")

    thread.refresh_from_db()
    assert not in_queue(thread)
    assert thread.first_official_reply_at == second.created_at


def test_hide_and_restore_are_logged_with_who_and_why_and_lose_nothing(thread, moderator):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Spam?")

    services.reply_hide(moderator=moderator, reply=reply, reason="Advertising")
    services.reply_restore(moderator=moderator, reply=reply, reason="It was a real answer")

    entries = ModelLogEntry.objects.filter(object_id=str(reply.pk)).order_by("timestamp", "pk")
    assert [(entry.action, entry.user_id) for entry in entries] == [
        ("relais.reply.hide", moderator.pk),
        ("relais.reply.restore", moderator.pk),
    ]
    assert entries[0].data["reason"] == "Advertising"
    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE
    assert reply.body == "Spam?"


def test_hiding_needs_a_reason_and_a_moderator(thread, moderator, member):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Text")

    with pytest.raises(ValidationError):
        services.reply_hide(moderator=moderator, reply=reply, reason="   ")
    for not_a_moderator in (member, EditorFactory()):
        with pytest.raises(PermissionDenied):
            services.reply_hide(moderator=not_a_moderator, reply=reply, reason="No")
    reply.refresh_from_db()
    assert reply.visibility == Visibility.VISIBLE


def test_hiding_twice_changes_nothing_the_second_time(thread, moderator):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Text")

    services.reply_hide(moderator=moderator, reply=reply, reason="Off-topic")
    services.reply_hide(moderator=moderator, reply=reply, reason="Off-topic")

    thread.refresh_from_db()
    assert thread.reply_count == 0
    assert ModelLogEntry.objects.filter(action="relais.reply.hide").count() == 1


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("moderator", 302)])
def test_hide_url_permissions(request, client, thread, role, status):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Text")
    client.force_login(request.getfixturevalue(role))

    response = client.post(f"/moderation/r/{reply.pk}/hide/", {"reason": "Rude"})

    assert response.status_code == status
    reply.refresh_from_db()
    assert (reply.visibility == Visibility.HIDDEN) is (status == 302)


def test_visitors_are_sent_to_sign_in_and_nothing_changes(client, thread):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Text")

    response = client.post(f"/moderation/r/{reply.pk}/hide/", {"reason": "Rude"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Reply.objects.get(pk=reply.pk).visibility == Visibility.VISIBLE


def test_the_author_sees_why_others_see_nothing_moderators_can_restore(client, thread, moderator):
    author = UserFactory()
    reply = community_services.reply_create(author=author, thread=thread, body="My hidden text")
    services.reply_hide(moderator=moderator, reply=reply, reason="Personal data")

    def page_for(user):
        client.logout()
        if user:
            client.force_login(user)
        return client.get(thread.get_absolute_url()).content.decode()

    as_author, as_other, as_visitor = page_for(author), page_for(UserFactory()), page_for(None)
    as_moderator = page_for(moderator)

    assert "Hidden by a moderator" in as_author and "Personal data" in as_author
    assert "My hidden text" in as_author
    for page in (as_other, as_visitor):
        assert "My hidden text" not in page and "Personal data" not in page
    assert "My hidden text" in as_moderator
    assert f"/moderation/r/{reply.pk}/restore/" in as_moderator


def test_an_empty_reason_through_the_form_gives_a_message_and_changes_nothing(
    moderator_client, thread
):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Text")

    response = moderator_client.post(f"/moderation/r/{reply.pk}/hide/", {"reason": ""}, follow=True)

    assert "Say why" in response.content.decode()
    assert Reply.objects.get(pk=reply.pk).visibility == Visibility.VISIBLE


def test_overdue_thread_returns_overdue_when_its_official_reply_is_hidden(thread, moderator):
    Thread.objects.filter(pk=thread.pk).update(response_due_at=timezone.now() - timedelta(hours=2))
    official = community_services.reply_create(author=moderator, thread=thread, body="Late.")

    services.reply_hide(moderator=moderator, reply=official, reason="Wrong answer")

    assert selectors.queue_counts().overdue == 1
