"""What a member may put in their profile: a suspended member cannot change what
others see of them, and nobody of the public passes for the brand's staff."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.names import skeleton
from tests.factories import ModeratorFactory, UserFactory
from tests.images import image_bytes

pytestmark = pytest.mark.django_db


def profile_data(**changes) -> dict:
    return {"display_name": "Léa", "bio": "", "email_notifications": "all", **changes}


def suspend(member) -> None:
    member.suspended_until = timezone.now() + timedelta(days=7)
    member.suspension_reason = "Spam."
    member.save()


# Suspension -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"display_name": "Official support"},
        {"display_name": "A new name"},
        {"bio": "Now with a link to my shop."},
        {"avatar": "picture"},
        {"avatar-clear": "on"},
    ],
)
def test_a_suspended_member_cannot_change_their_public_profile(member, client, changes):
    member.display_name, member.bio = "Léa", ""
    member.avatar.save("old.png", SimpleUploadedFile("old.png", image_bytes("PNG")), save=True)
    suspend(member)
    client.force_login(member)
    if changes.get("avatar") == "picture":
        changes = {"avatar": SimpleUploadedFile("new.png", image_bytes("PNG"), "image/png")}
    avatar = member.avatar.name

    response = client.post("/accounts/profile/", profile_data(**changes))

    assert response.status_code == 403
    assert "until then you cannot change your display name" in response.content.decode()
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.avatar.name) == ("Léa", "", avatar)


def test_a_suspended_member_still_chooses_language_and_emails(member, client):
    member.display_name = "Léa"
    member.save()
    suspend(member)
    client.force_login(member)

    page = client.get("/accounts/profile/")
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Léa", "bio": "", "email_notifications": "none", "language": "fr"},
    )

    assert 'data-testid="profile-suspended"' in page.content.decode()
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email_notifications == "none" and member.language == "fr"


def test_the_browser_form_of_a_suspended_member_sends_no_public_field(member, client):
    # The page shows the public fields disabled: a browser leaves them out.
    suspend(member)
    client.force_login(member)
    name = member.display_name

    response = client.post("/accounts/profile/", {"email_notifications": "none"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == name


def test_the_service_refuses_a_suspended_members_public_change(member):
    suspend(member)

    with pytest.raises(PermissionDenied):
        services.user_update_profile(
            user=member,
            display_name="Someone else",
            bio=member.bio,
            language=member.language,
            email_notifications=member.email_notifications,
        )
    member.refresh_from_db()
    assert member.display_name != "Someone else"


def test_a_member_whose_suspension_ended_edits_again(member_client, member):
    member.suspended_until = timezone.now() - timedelta(minutes=1)
    member.save()

    response = member_client.post("/accounts/profile/", profile_data(display_name="Back again"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Back again"


# Reserved names ---------------------------------------------------------------------

IMITATIONS = [
    "Official reply · Relais",
    "Camille from Relais",
    "OFFICIAL",
    "0ff1c1al support",
    "O.f.f.i.c.i.a.l",
    "\uff33\uff54\uff41\uff46\uff46",  # "Staff" in fullwidth letters
    "M\u043ederator",  # a Cyrillic o
    "Modérateur du forum",
    "Site admin",
    "ReLaïs team",
    "Re1ais",
]


@pytest.mark.parametrize("name", IMITATIONS)
def test_a_member_cannot_take_a_reserved_display_name(member_client, member, name):
    response = member_client.post("/accounts/profile/", profile_data(display_name=name))

    assert response.status_code == 200
    assert "kept for the brand" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name != name


def test_the_community_name_editors_set_is_reserved(member_client, member):
    from community.models import CommunitySettings

    rules = CommunitySettings.load()
    rules.community_name = "Maison Brio"
    rules.save()

    refused = member_client.post(
        "/accounts/profile/", profile_data(display_name="Camille from Maison Brio")
    )
    also_refused = member_client.post(
        "/accounts/profile/", profile_data(display_name="maisonbrío help")
    )
    allowed = member_client.post("/accounts/profile/", profile_data(display_name="Camille"))

    assert refused.status_code == 200 and "Maison Brio" in refused.content.decode()
    assert also_refused.status_code == 200
    assert allowed.status_code == 302


def test_a_staff_members_name_is_refused_to_members(member_client, member):
    ModeratorFactory(display_name="Camille Durand")

    for name in ["Camille Durand", "camille   DURAND", "Camïlle Durand ✓"]:
        response = member_client.post("/accounts/profile/", profile_data(display_name=name))
        assert response.status_code == 200, name
        assert "too close to the name" in response.content.decode()
    assert (
        member_client.post("/accounts/profile/", profile_data(display_name="Camille")).status_code
        == 302
    )


def test_staff_may_use_reserved_names(moderator_client, moderator):
    response = moderator_client.post(
        "/accounts/profile/", profile_data(display_name="Camille · Official Relais support")
    )

    assert response.status_code == 302
    moderator.refresh_from_db()
    assert moderator.display_name == "Camille · Official Relais support"


def test_ordinary_names_are_allowed(member_client, member):
    for name in ["Léa Martin", "José", "Zoë from Lyon", "李雷", "Ana-Maria O'Neil"]:
        response = member_client.post("/accounts/profile/", profile_data(display_name=name))
        assert response.status_code == 302, name


def test_a_member_keeps_a_name_they_already_hold(member_client, member):
    # Names from before the rule stay until the member changes them.
    User.objects.filter(pk=member.pk).update(display_name="Staff picks fan")

    response = member_client.post(
        "/accounts/profile/", profile_data(display_name="Staff picks fan", bio="Hello")
    )

    assert response.status_code == 302


def test_skeletons_fold_case_accents_and_look_alikes():
    assert skeleton("ÔFFICIAL") == skeleton("official") == skeleton("0ff1c1al")
    fullwidth = "\uff32\uff45\uff4c\uff41\uff49\uff53"
    assert skeleton(fullwidth) == skeleton("relais") == skeleton("Rel\u0430is")
    assert skeleton("a d m i n") == skeleton("adrnin") == "admln"


# Sign-up ----------------------------------------------------------------------------

SIGNUP = {
    "email": "ada@example.com",
    "username": "ada",
    "display_name": "Ada from Lyon",
    "password1": "correct horse battery staple",
    "password2": "correct horse battery staple",
    "accept_terms": "on",
}


def test_sign_up_refuses_a_reserved_display_name(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": "Relais Official"})

    assert response.status_code == 200
    assert "kept for the brand" in response.content.decode()
    assert not User.objects.filter(username="ada").exists()


@pytest.mark.parametrize("username", ["admin", "relais-support", "the_moderator", "0fficial"])
def test_sign_up_refuses_a_reserved_username(client, username):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": username})

    assert response.status_code == 200
    assert "Usernames may not contain" in response.content.decode()
    assert not User.objects.filter(username=username).exists()


def test_sign_up_with_an_ordinary_name_works(client):
    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert User.objects.get(username="ada").display_name == "Ada from Lyon"


# E-mail enumeration -----------------------------------------------------------------


def test_sign_up_answers_a_registered_email_as_a_new_one(client, mailoutbox, settings):
    UserFactory(email="taken@example.com", username="owner")

    new = client.post(
        "/accounts/signup/", {**SIGNUP, "email": "fresh@example.com", "username": "fresh"}
    )
    client.logout()
    taken = client.post(
        "/accounts/signup/", {**SIGNUP, "email": "taken@example.com", "username": "second"}
    )

    assert settings.ACCOUNT_PREVENT_ENUMERATION is True
    assert (new.status_code, new["Location"]) == (taken.status_code, taken["Location"])
    assert not User.objects.filter(username="second").exists()
    # Each address gets a message: a confirmation link, or "you already have an
    # account" for its owner; the page says the same to both.
    assert sorted(message.to[0] for message in mailoutbox) == [
        "fresh@example.com",
        "taken@example.com",
    ]
    page_new = client.get(new["Location"]).content.decode()
    page_taken = client.get(taken["Location"]).content.decode()
    assert ("taken@example.com" in page_taken) == ("fresh@example.com" in page_new)
