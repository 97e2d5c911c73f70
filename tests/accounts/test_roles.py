"""Roles: who is staff, who may use which admin."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import EDITORS_GROUP, MODERATORS_GROUP, is_editor, is_moderator

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {MODERATORS_GROUP, EDITORS_GROUP}


@pytest.mark.parametrize(
    ("role", "moderates", "edits"),
    [
        ("member", False, False),
        ("moderator", True, False),
        ("editor", False, True),
        ("superuser", True, True),
    ],
)
def test_roles(request, role, moderates, edits):
    user = request.getfixturevalue(role)

    assert is_moderator(user) is moderates
    assert is_editor(user) is edits


def test_anonymous_and_inactive_users_hold_no_role(moderator):
    from django.contrib.auth.models import AnonymousUser

    assert not is_moderator(AnonymousUser())
    moderator.is_active = False
    moderator.save()
    assert not is_moderator(moderator)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("member", 302), ("moderator", 302), ("editor", 200), ("superuser", 200)],
)
def test_wagtail_admin_is_for_editors_and_superusers(request, client, role, expected):
    client.force_login(request.getfixturevalue(role))

    response = client.get("/admin/")

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


def test_wagtail_admin_sends_visitors_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("role", "expected"),
    [("member", 302), ("moderator", 302), ("editor", 302), ("superuser", 200)],
)
def test_django_admin_is_for_superusers_only(request, client, role, expected):
    user = request.getfixturevalue(role)
    user.is_staff = True  # even a staff flag does not open Django's admin to non-superusers
    user.save()
    client.force_login(user)

    assert client.get("/django-admin/").status_code == expected


@pytest.mark.parametrize(
    ("role", "marked"),
    [("member", False), ("moderator", True), ("editor", True), ("superuser", True)],
)
def test_staff_are_marked_on_their_profile_and_in_the_header(request, client, role, marked):
    user = request.getfixturevalue(role)

    profile = client.get(f"/u/{user.username}/").content.decode()
    client.force_login(user)
    home = client.get("/").content.decode()

    assert ('badge--staff">Staff' in profile) is marked
    assert ('badge--staff">Staff' in home) is marked
