"""Suspending members: moderators only, logged and reversible; a suspended member
reads, follows and sees notifications, but every write is refused with the reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community import services as community_services
from community.models import Follow, HelpfulVote, MeToo, Reply, Thread
from moderation import services
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.helpers import MODERATORS_ONLY

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(moderator):
    member = UserFactory()
    return services.member_suspend(
        moderator=moderator,
        member=member,
        until=timezone.now() + timedelta(days=3),
        reason="Repeated advertising",
    )


def log_actions(member) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(member)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


# Services --------------------------------------------------------------------------------


def test_suspend_and_unsuspend_are_logged_and_reversible(moderator, member):
    until = timezone.now() + timedelta(days=7)

    services.member_suspend(moderator=moderator, member=member, until=until, reason=" Spam  links ")

    member.refresh_from_db()
    assert member.is_suspended
    assert (member.suspended_until, member.suspension_reason) == (until, "Spam links")
    entry = ModelLogEntry.objects.for_instance(member).get(action="relais.member.suspend")
    assert entry.user_id == moderator.pk
    assert entry.data == {"until": until.isoformat(), "reason": "Spam links"}

    services.member_unsuspend(moderator=moderator, member=member, reason="Apologised")

    member.refresh_from_db()
    assert not member.is_suspended
    assert (member.suspended_until, member.suspension_reason) == (None, "")
    entry = ModelLogEntry.objects.for_instance(member).get(action="relais.member.unsuspend")
    assert entry.data == {"until": until.isoformat(), "reason": "Apologised"}


def test_double_submits_change_nothing_more(moderator, member):
    until = timezone.now() + timedelta(days=1)
    services.member_suspend(moderator=moderator, member=member, until=until, reason="Spam")
    services.member_suspend(moderator=moderator, member=member, until=until, reason="Spam")
    services.member_unsuspend(moderator=moderator, member=member)
    services.member_unsuspend(moderator=moderator, member=member)
    assert log_actions(member) == ["relais.member.suspend", "relais.member.unsuspend"]


def test_suspending_again_replaces_the_end_and_the_reason(moderator, suspended):
    later = timezone.now() + timedelta(days=30)
    services.member_suspend(moderator=moderator, member=suspended, until=later, reason="Again")
    suspended.refresh_from_db()
    assert (suspended.suspended_until, suspended.suspension_reason) == (later, "Again")
    assert log_actions(suspended) == ["relais.member.suspend", "relais.member.suspend"]


@pytest.mark.parametrize(
    ("until", "reason", "code"),
    [
        (timedelta(days=1), "", "reason_required"),
        (timedelta(days=1), "x" * 501, "reason_too_long"),
        (timedelta(minutes=-1), "Spam", "until_past"),
        (timedelta(days=3651), "Spam", "until_too_far"),
    ],
)
def test_invalid_suspensions_are_refused(moderator, member, until, reason, code):
    with pytest.raises(ValidationError) as error:
        services.member_suspend(
            moderator=moderator, member=member, until=timezone.now() + until, reason=reason
        )
    assert error.value.code == code
    member.refresh_from_db()
    assert member.suspended_until is None
    assert log_actions(member) == []


def test_staff_and_oneself_cannot_be_suspended(moderator, superuser):
    until = timezone.now() + timedelta(days=1)
    for target in (moderator, ModeratorFactory(), superuser):
        with pytest.raises(ValidationError):
            services.member_suspend(moderator=moderator, member=target, until=until, reason="x")
    assert not type(moderator).objects.filter(suspended_until__isnull=False).exists()


def test_only_moderators_suspend(member, editor, other_member):
    until = timezone.now() + timedelta(days=1)
    for actor in (member, editor):
        with pytest.raises(PermissionDenied):
            services.member_suspend(moderator=actor, member=other_member, until=until, reason="x")
        with pytest.raises(PermissionDenied):
            services.member_unsuspend(moderator=actor, member=other_member)


def test_a_suspension_ends_by_itself(moderator, member):
    services.member_suspend(
        moderator=moderator, member=member, until=timezone.now() + timedelta(days=1), reason="x"
    )
    type(member).objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() - timedelta(seconds=1)
    )
    member.refresh_from_db()
    assert not member.is_suspended
    community_services.thread_create(
        author=member, category=CategoryFactory(), title="Back again with a question", body="Hi"
    )


# Views -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), MODERATORS_ONLY)
def test_the_suspend_page_is_for_moderators_only(request, client, other_member, role, expected):
    client.force_login(request.getfixturevalue(role))
    url = f"/moderation/u/{other_member.username}/suspend/"
    assert client.get(url).status_code == expected
    if expected == 403:
        assert client.post(url, {"duration": "7", "reason": "x"}).status_code == 403
        assert client.post(f"/moderation/u/{other_member.username}/unsuspend/").status_code == 403
        other_member.refresh_from_db()
        assert other_member.suspended_until is None


def test_visitors_are_sent_to_sign_in(client, member):
    for url, method in [
        (f"/moderation/u/{member.username}/suspend/", "get"),
        (f"/moderation/u/{member.username}/suspend/", "post"),
        (f"/moderation/u/{member.username}/unsuspend/", "post"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_unsuspend_is_post_only_and_unknown_members_404(moderator_client, member):
    assert moderator_client.get(f"/moderation/u/{member.username}/unsuspend/").status_code == 405
    assert moderator_client.get("/moderation/u/nobody-here/suspend/").status_code == 404


@pytest.mark.parametrize(("duration", "days"), [("1", 1), ("7", 7), ("30", 30)])
def test_a_moderator_suspends_for_a_preset_duration(moderator_client, member, duration, days):
    response = moderator_client.post(
        f"/moderation/u/{member.username}/suspend/", {"duration": duration, "reason": "Spam"}
    )

    assert response.status_code == 302
    assert response["Location"] == member.get_absolute_url()
    member.refresh_from_db()
    expected = timezone.now() + timedelta(days=days)
    assert abs((member.suspended_until - expected).total_seconds()) < 60
    assert member.suspension_reason == "Spam"


def test_a_moderator_suspends_until_a_chosen_date(moderator_client, member):
    until = (timezone.now() + timedelta(days=12)).replace(second=0, microsecond=0)
    response = moderator_client.post(
        f"/moderation/u/{member.username}/suspend/",
        {"duration": "custom", "until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "Abuse"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.suspended_until == until


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"duration": "7", "reason": ""}, "reason"),
        ({"duration": "7", "reason": "   "}, "reason"),
        ({"duration": "custom", "reason": "Spam"}, "until"),
        ({"duration": "custom", "until": "not a date", "reason": "Spam"}, "until"),
        ({"duration": "custom", "until": "2001-01-01T10:00", "reason": "Spam"}, "until"),
        ({"duration": "custom", "until": "2999-01-01T10:00", "reason": "Spam"}, "until"),
        ({"duration": "forever", "reason": "Spam"}, "duration"),
        ({"duration": "7", "reason": "x" * 501}, "reason"),
    ],
)
def test_invalid_input_is_a_form_error(moderator_client, member, data, field):
    response = moderator_client.post(f"/moderation/u/{member.username}/suspend/", data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    member.refresh_from_db()
    assert member.suspended_until is None


def test_suspending_a_moderator_is_refused_on_the_page(moderator_client, moderator):
    other = ModeratorFactory()
    page = moderator_client.get(f"/moderation/u/{other.username}/suspend/")
    assert page.status_code == 200
    assert "Moderators and administrators cannot be suspended." in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    response = moderator_client.post(
        f"/moderation/u/{other.username}/suspend/", {"duration": "7", "reason": "x"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.suspended_until is None
    response = moderator_client.post(
        f"/moderation/u/{moderator.username}/suspend/", {"duration": "7", "reason": "x"}
    )
    assert response.status_code == 403


def test_lifting_a_suspension_from_the_profile(moderator_client, suspended):
    profile = moderator_client.get(suspended.get_absolute_url()).content.decode()
    assert "Repeated advertising" in profile
    assert f"/moderation/u/{suspended.username}/unsuspend/" in profile

    response = moderator_client.post(f"/moderation/u/{suspended.username}/unsuspend/")

    assert response.status_code == 302
    suspended.refresh_from_db()
    assert not suspended.is_suspended
    profile = moderator_client.get(suspended.get_absolute_url()).content.decode()
    assert f"/moderation/u/{suspended.username}/suspend/" in profile
    assert "The suspension of" in profile


def test_staff_tools_on_profiles_are_for_moderators_only(client, member, suspended):
    client.force_login(member)
    content = client.get(suspended.get_absolute_url()).content.decode()
    assert "/moderation/u/" not in content
    assert "Repeated advertising" not in content  # the reason is for them and staff only
    client.logout()
    assert "/moderation/u/" not in client.get(suspended.get_absolute_url()).content.decode()


def test_no_suspend_link_on_staff_profiles(moderator_client):
    other = ModeratorFactory()
    content = moderator_client.get(other.get_absolute_url()).content.decode()
    assert f"/moderation/u/{other.username}/suspend/" not in content


# What a suspended member sees and can do ---------------------------------------------------


def test_the_banner_tells_a_suspended_member_why_and_until_when(client, suspended, thread):
    client.force_login(suspended)
    for url in ("/community/", thread.get_absolute_url(), "/community/notifications/"):
        response = client.get(url)
        assert response.status_code == 200, url
        banner = response.content.decode()
        assert 'data-testid="suspension-banner"' in banner
        assert "Your account is suspended until" in banner
        assert "Repeated advertising." in banner
        assert "You can still read the community." in banner


def test_no_banner_for_members_in_good_standing(member_client):
    assert "suspension-banner" not in member_client.get("/community/").content.decode()


def test_a_suspended_member_sees_a_notice_instead_of_the_ask_form(client, suspended):
    client.force_login(suspended)
    page = client.get("/community/ask/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="ask-suspended"' in content
    assert 'name="title"' not in content

    response = client.post(
        "/community/ask/",
        {"title": "A question I may not ask", "body": "Body", "category": CategoryFactory().pk},
    )

    assert response.status_code == 403
    assert not Thread.objects.filter(author=suspended).exists()


def test_a_suspended_member_cannot_reply_vote_or_say_me_too_but_can_read_and_follow(
    client, suspended, thread
):
    reply = community_services.reply_create(author=UserFactory(), thread=thread, body="Try this")
    client.force_login(suspended)

    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="reply-suspended"' in content
    assert "Repeated advertising" in content
    assert f'action="/community/t/{thread.pk}/reply/"' not in content
    assert "/moderation/report/" not in content  # reporting is a write too

    assert client.post(f"/community/t/{thread.pk}/reply/", {"body": "Me!"}).status_code == 403
    assert client.post(f"/community/r/{reply.pk}/helpful/").status_code == 403
    assert client.post(f"/community/t/{thread.pk}/me-too/").status_code == 403
    assert not Reply.objects.filter(author=suspended).exists()
    assert not HelpfulVote.objects.filter(user=suspended).exists()
    assert not MeToo.objects.filter(user=suspended).exists()

    assert client.post(f"/community/t/{thread.pk}/follow/").status_code == 302
    assert Follow.objects.filter(user=suspended, thread=thread).exists()
    assert client.get("/community/notifications/").status_code == 200
