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
