"""Who may report a post and who may suspend a member, asked of moderation.permissions
directly: the functions the views, the services and the tools moderation renders on
community pages all ask, so the rule is written once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.roles import EDITORS_GROUP
from community import selectors
from moderation import permissions
from tests.factories import ModeratorFactory, ReplyFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def suspended_until():
    return timezone.now() + timedelta(days=7)


@pytest.fixture
def people():
    author = UserFactory()
    return {
        "visitor": AnonymousUser(),
        "author": author,
        "other_member": UserFactory(),
        "suspended": UserFactory(suspended_until=suspended_until(), suspension_reason="Spam"),
        "moderator": ModeratorFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "editor": UserFactory(groups=[EDITORS_GROUP]),
        "inactive": UserFactory(is_active=False),
    }


@pytest.fixture
def posts(people):
    thread = ThreadFactory(author=people["author"])
    return {"thread": thread, "reply": ReplyFactory(thread=thread, author=people["author"])}


# Reporting ------------------------------------------------------------------------------

MAY_REPORT = {"other_member", "editor"}
REPORT_REFUSALS = {
    "visitor": "Sign in to report a post.",
    "inactive": "Sign in to report a post.",
    "author": "You cannot report your own post.",
    "suspended": "Your account is suspended until",
    "moderator": "Moderators do not report posts",
    "superuser": "Moderators do not report posts",
}


@pytest.mark.parametrize("kind", ["thread", "reply"])
@pytest.mark.parametrize("role", sorted(MAY_REPORT | set(REPORT_REFUSALS)))
def test_can_report_a_post_by_role(people, posts, role, kind):
    user, post = people[role], posts[kind]

    assert permissions.can_report(user, post) is (role in MAY_REPORT)
    if role in MAY_REPORT:
        permissions.check_report(user, post)
    else:
        with pytest.raises(PermissionDenied, match=REPORT_REFUSALS[role]):
            permissions.check_report(user, post)


def test_can_report_is_asked_per_row_without_queries(people, posts, django_assert_num_queries):
    """The report link is asked for every reply of a page: ids and cached roles only."""
    replies = [ReplyFactory(thread=posts["thread"]) for _ in range(5)]
    viewer = people["other_member"]
    permissions.can_report(viewer, posts["thread"])  # the viewer's roles, once per request
    with django_assert_num_queries(0):
        assert all(permissions.can_report(viewer, reply) for reply in replies)


def test_the_reports_service_asks_the_same_check():
    from moderation.services import reports

    assert reports.check_report is permissions.check_report


# Suspending -----------------------------------------------------------------------------


def profile(user):
    """The member as their profile page loads them (with the staff flag)."""
    return selectors.member_profile(username=user.username)


@pytest.fixture
def members():
    return {
        "member": UserFactory(),
        "suspended": UserFactory(suspended_until=suspended_until()),
        "moderator": ModeratorFactory(),
        "suspended_moderator": ModeratorFactory(suspended_until=suspended_until()),
        "editor": UserFactory(groups=[EDITORS_GROUP]),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


# Whom a moderator may suspend, and whose suspension they may lift.
SUSPENSION = {
    "member": (True, False),
    "suspended": (True, True),
    "moderator": (False, False),
    "suspended_moderator": (False, True),
    "editor": (False, False),
    "superuser": (False, False),
}


@pytest.mark.parametrize("target", sorted(SUSPENSION))
def test_what_a_moderator_may_do_about_a_member(members, target):
    may_suspend, may_lift = SUSPENSION[target]
    moderator = ModeratorFactory()
    member = profile(members[target])

    assert permissions.can_suspend(moderator, member) is may_suspend
    assert permissions.can_lift_suspension(moderator, member) is may_lift
    # Without the flag the profile loads, the answer is the same (at the price of a query).
    assert permissions.can_suspend(moderator, members[target]) is may_suspend


def test_nobody_suspends_themselves(members):
    moderator = profile(members["suspended_moderator"])

    assert not permissions.can_suspend(moderator, moderator)
    assert not permissions.can_lift_suspension(moderator, moderator)


@pytest.mark.parametrize("role", ["visitor", "author", "other_member", "editor", "suspended"])
def test_only_moderators_suspend(people, members, role):
    for member in (profile(members["member"]), profile(members["suspended"])):
        assert not permissions.can_suspend(people[role], member)
        assert not permissions.can_lift_suspension(people[role], member)


def test_suspension_checks_cost_no_query_on_a_loaded_profile(members, django_assert_num_queries):
    moderator = ModeratorFactory()
    member = profile(members["suspended"])
    permissions.can_moderate(moderator)  # the viewer's roles, once per request
    with django_assert_num_queries(0):
        assert permissions.can_suspend(moderator, member)
        assert permissions.can_lift_suspension(moderator, member)
