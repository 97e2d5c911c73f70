import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import UserFactory
from tests.images import pixel_bomb_png

pytestmark = pytest.mark.django_db


def image_file(name="me.png", image_format="PNG", size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def huge_png(width: int, height: int) -> SimpleUploadedFile:
    """A tiny file whose header claims `width` x `height` pixels (a pixel bomb)."""
    return SimpleUploadedFile("bomb.png", pixel_bomb_png(width, height), content_type="image/png")


def test_public_profile_shows_name_and_bio_escaped(client):
    user = UserFactory(display_name="Léa <b>Martin</b>", bio="Coffee lover.\n<script>x</script>")

    content = client.get(f"/u/{user.username}/").content.decode()

    assert "Léa &lt;b&gt;Martin&lt;/b&gt;" in content
    assert "<script>x</script>" not in content
    assert "Coffee lover." in content


def test_profile_of_an_unknown_or_inactive_member_is_404(client):
    inactive = UserFactory(is_active=False)

    assert client.get("/u/nobody-here/").status_code == 404
    assert client.get(f"/u/{inactive.username}/").status_code == 404


def test_editing_the_profile_needs_sign_in(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


def test_member_edits_own_profile_with_an_avatar(member_client, member):
    response = member_client.post(
        "/accounts/profile/",
        {
            "display_name": "New Name",
            "bio": "Hello",
            "avatar": image_file(),
            "email_notifications": "none",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "New Name"
    assert member.email_notifications == "none"
    assert member.avatar.name.startswith(f"avatars/{member.pk}/")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("me.png", b"not an image", content_type="image/png"), "valid image"),
        (image_file("me.bmp", "BMP"), "Upload a PNG, JPEG, WebP or GIF image"),
        (huge_png(8000, 6000), "too many pixels"),
        (
            SimpleUploadedFile(
                "me.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', content_type="image/svg+xml"
            ),
            "",
        ),
    ],
)
def test_avatar_limits_give_a_form_error_and_keep_the_other_fields(
    member_client, member, upload, message
):
    response = member_client.post(
        "/accounts/profile/",
        {"display_name": "Kept", "bio": "Kept bio", "avatar": upload, "email_notifications": "all"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'value="Kept"' in content
    assert "Kept bio" in content
    member.refresh_from_db()
    assert not member.avatar


def test_avatar_over_the_byte_limit_is_refused(member_client, member, monkeypatch):
    monkeypatch.setattr("accounts.forms.AVATAR_UPLOAD_MAX_BYTES", 1024 * 1024)
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert buffer.tell() > 1024 * 1024
    big = SimpleUploadedFile("big.png", buffer.getvalue(), "image/png")

    response = member_client.post(
        "/accounts/profile/", {"display_name": "x", "avatar": big, "email_notifications": "all"}
    )

    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
