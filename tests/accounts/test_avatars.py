"""Avatars: an uploaded picture cropped to a small square without metadata, or the
member's initial on a colour of their username, through one template tag."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from PIL import Image

from accounts.templatetags.avatars import TONES, avatar_tone
from community import services
from tests.factories import CategoryFactory, UserFactory
from tests.images import GPS_IFD, gps_exif, image_bytes

pytestmark = pytest.mark.django_db


def render(person, size="medium") -> str:
    return Template("{% load avatars %}{% avatar person size %}").render(
        Context({"person": person, "size": size})
    )


def post_avatar(client, content, name="me.jpg"):
    return client.post(
        "/accounts/profile/",
        {
            "display_name": "Léa",
            "bio": "",
            "email_notifications": "all",
            "avatar": SimpleUploadedFile(name, content, "image/jpeg"),
        },
    )


def test_an_uploaded_avatar_is_a_small_square_without_metadata(member_client, member):
    photo = image_bytes("JPEG", size=(900, 500), exif=gps_exif())

    response = post_avatar(member_client, photo)

    assert response.status_code == 302
    member.refresh_from_db()
    with member.avatar.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.size == (256, 256)
    assert stored.format == "JPEG"
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert "me.jpg" not in member.avatar.name


def test_a_gif_avatar_keeps_its_first_frame_as_png(member_client, member):
    response = post_avatar(member_client, image_bytes("GIF", frames=2), name="me.gif")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.endswith(".png")


def test_the_avatar_tag_shows_the_picture(member_client, member):
    post_avatar(member_client, image_bytes("PNG"))
    member.refresh_from_db()
    html = render(member, "large")
    assert f'src="{member.avatar.url}"' in html
    assert 'width="64"' in html and 'alt=""' in html


def test_without_a_picture_the_tag_shows_the_initial_on_a_stable_tone():
    person = UserFactory(username="zoe-martin", display_name="élodie")
    html = render(person, "small")
    assert ">É</span>" in html
    assert f"avatar--tone-{avatar_tone('zoe-martin')}" in html
    assert "avatar--small" in html and "<img" not in html
    assert avatar_tone("zoe-martin") == avatar_tone("Zoe-Martin")
    assert len({avatar_tone(f"member-{n}") for n in range(200)}) == TONES


def test_the_initial_is_escaped():
    person = UserFactory(display_name="<script>")
    html = render(person)
    assert "<script>" not in html
    assert "&lt;" in html or ">S<" in html


def test_avatars_show_on_lists_threads_and_profiles(client, member):
    thread = services.thread_create(
        author=member, category=CategoryFactory(), title="The grinder jams again", body="Help."
    )
    services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    assert "avatar--small" in client.get("/community/").content.decode()
    page = client.get(thread.get_absolute_url()).content.decode()
    assert page.count("avatar avatar--medium") == 2
    assert "avatar--large" in client.get(f"/u/{member.username}/").content.decode()


def test_only_the_member_changes_their_avatar(client, member):
    response = client.post(
        "/accounts/profile/",
        {"avatar": SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png")},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    member.refresh_from_db()
    assert not member.avatar


# Stored names, replaced files, limits ------------------------------------------------

PNG_WITH_HTML = image_bytes("PNG") + b"<html><script>alert(document.cookie)</script></html>"


def stored_avatar_files(member) -> list[str]:
    storage = member.avatar.storage
    folder = f"avatars/{member.pk}"
    return sorted(storage.listdir(folder)[1]) if storage.exists(folder) else []


@pytest.mark.parametrize("name", ["me.pdf", "me.ps", "me.xbm", "me.html", "me"])
def test_an_avatar_is_stored_under_a_random_name_with_the_extension_of_its_content(
    member_client, member, name
):
    response = post_avatar(member_client, PNG_WITH_HTML, name=name)

    assert response.status_code == 302
    member.refresh_from_db()
    stored = member.avatar.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png")
    assert name.split(".")[0] not in stored.removesuffix(".png")
    with member.avatar.open("rb") as handle:
        content = handle.read()
    assert b"<html>" not in content and b"script" not in content


def test_a_file_saved_on_the_model_takes_its_extension_from_its_bytes(member):
    # The Django admin saves the upload through the model field: its name says
    # ".pdf", its bytes are a PNG.
    from django.core.files.base import ContentFile

    member.avatar = ContentFile(image_bytes("PNG"), name="invoice.pdf")
    member.save()

    assert member.avatar.name.endswith(".png")
    assert member.avatar.name.startswith(f"avatars/{member.pk}/")


def test_the_django_admin_re_encodes_an_uploaded_avatar(superuser_client, member):
    page = superuser_client.get(f"/django-admin/accounts/user/{member.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"avatar", "groups", "user_permissions", "password"}
    }
    data.update(
        {
            "date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": member.date_joined.strftime("%H:%M:%S"),
            "avatar": SimpleUploadedFile("note.pdf", PNG_WITH_HTML, "application/pdf"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data = {name: value for name, value in data.items() if value is not False}

    response = superuser_client.post(f"/django-admin/accounts/user/{member.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.avatar.name.endswith(".png")
    with member.avatar.open("rb") as handle:
        assert b"<html>" not in handle.read()


def test_a_new_avatar_deletes_the_previous_file_once_saved(
    member_client, member, django_capture_on_commit_callbacks
):
    post_avatar(member_client, image_bytes("PNG"), name="one.png")
    member.refresh_from_db()
    first = member.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        post_avatar(member_client, image_bytes("JPEG"), name="two.jpg")

    member.refresh_from_db()
    assert member.avatar.name != first
    assert not member.avatar.storage.exists(first)
    assert stored_avatar_files(member) == [member.avatar.name.rsplit("/", 1)[-1]]


def test_thirty_uploads_leave_one_file(
    member_client, member, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("accounts.services.AVATAR_CHANGES_PER_WINDOW", 100)
    for n in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_avatar(member_client, image_bytes("PNG", colour=(n, 0, 0)))
        assert response.status_code == 302

    member.refresh_from_db()
    assert stored_avatar_files(member) == [member.avatar.name.rsplit("/", 1)[-1]]


def test_removing_the_avatar_deletes_its_file(
    member_client, member, django_capture_on_commit_callbacks
):
    post_avatar(member_client, image_bytes("PNG"))
    member.refresh_from_db()
    stored = member.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            "/accounts/profile/",
            {"display_name": "Léa", "bio": "", "email_notifications": "all", "avatar-clear": "on"},
        )

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.avatar
    assert not member.avatar.storage.exists(stored)


def test_a_refused_change_keeps_the_previous_file(member, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from accounts import services
    from accounts.images import clean_upload

    picture = clean_upload(io.BytesIO(image_bytes("PNG")), max_bytes=10**6, max_pixels=10**6)
    services.user_update_profile(
        user=member,
        display_name=member.display_name,
        bio="",
        language="en",
        email_notifications="all",
        avatar=picture,
    )
    member.refresh_from_db()
    kept = member.avatar.name

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.user_update_profile(
            user=member,
            display_name="Official Relais support",
            bio="",
            language="en",
            email_notifications="all",
            avatar=picture,
        )

    member.refresh_from_db()
    assert member.avatar.name == kept
    assert member.avatar.storage.exists(kept)
    assert stored_avatar_files(member) == [kept.rsplit("/", 1)[-1]]


def test_avatar_changes_are_limited_per_member(member_client, member, other_member, client):
    for _n in range(10):
        assert post_avatar(member_client, image_bytes("PNG")).status_code == 302
    member.refresh_from_db()
    tenth = member.avatar.name
    files = stored_avatar_files(member)

    response = post_avatar(member_client, image_bytes("PNG"))

    assert response.status_code == 200
    assert "You have changed your picture too often" in response.content.decode()
    member.refresh_from_db()
    assert member.avatar.name == tenth
    assert stored_avatar_files(member) == files  # no file written for the refused one
    # Another member's changes are theirs to count.
    client.force_login(other_member)
    assert post_avatar(client, image_bytes("PNG")).status_code == 302


def test_editing_the_profile_without_touching_the_avatar_is_not_counted(member_client, member):
    post_avatar(member_client, image_bytes("PNG"))
    for n in range(12):
        response = member_client.post(
            "/accounts/profile/",
            {"display_name": f"Léa {n}", "bio": "", "email_notifications": "all"},
        )
        assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Léa 11" and member.avatar
