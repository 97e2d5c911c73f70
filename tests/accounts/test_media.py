"""Public media served by the app in production (DEBUG off, as every test runs):
avatars and Wagtail's images, images only, with headers that keep them images."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.images import image_bytes

pytestmark = pytest.mark.django_db


def upload_avatar(client) -> None:
    response = client.post(
        "/accounts/profile/",
        {
            "display_name": "Léa",
            "bio": "",
            "email_notifications": "all",
            "avatar": SimpleUploadedFile("me.pdf", image_bytes("PNG"), "application/pdf"),
        },
    )
    assert response.status_code == 302


def test_an_uploaded_avatar_is_served_with_debug_off(member_client, member, client):
    assert not settings.DEBUG
    upload_avatar(member_client)
    member.refresh_from_db()
    with member.avatar.open("rb") as handle:
        stored = handle.read()

    response = client.get(member.avatar.url)

    assert member.avatar.url.startswith("/media/avatars/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "Set-Cookie" not in response


def test_a_head_request_and_a_conditional_request(member_client, member, client):
    upload_avatar(member_client)
    member.refresh_from_db()

    assert client.head(member.avatar.url).status_code == 200
    last_modified = client.get(member.avatar.url)["Last-Modified"]
    again = client.get(member.avatar.url, headers={"if-modified-since": last_modified})
    assert again.status_code == 304
    assert client.post(member.avatar.url).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/media/avatars/../../manage.py",
        "/media/avatars/%2e%2e/%2e%2e/manage.py",
        "/media/avatars/..%2f..%2fmanage.py",
        "/media/..%5c..%5csecret.png",
        "/media/avatars/1/../../secret.png",
        "/media//etc/passwd.png",
        "/media/avatars//secret.png",
        "/media/avatars/./secret.png",
        "/media/avatars/",
        "/media/avatars",
        "/media/",
    ],
)
def test_paths_outside_the_public_media_are_404(client, path):
    # A file just outside the media folder, which a traversal would reach.
    outside = default_storage.path("secret.png").replace("media/secret.png", "secret.png")
    with open(outside, "wb") as handle:
        handle.write(image_bytes("PNG"))
    default_storage.save("avatars/1/real.png", ContentFile(image_bytes("PNG")))

    assert client.get(path).status_code == 404
    assert client.get("/media/avatars/1/real.png").status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "avatars/1/page.html",
        "avatars/1/drawing.svg",
        "avatars/1/upload.bin",
        "avatars/1/no-extension",
        "documents/contract.png",
        "secret/key.png",
        "avatars.png",
    ],
)
def test_only_images_in_public_folders_are_served(client, name):
    stored = default_storage.save(name, ContentFile(image_bytes("PNG")))

    assert client.get(f"/media/{stored}").status_code == 404


def test_wagtail_images_and_renditions_are_served(client):
    from wagtail.images.models import Image

    image = Image.objects.create(
        title="Grinder", file=ContentFile(image_bytes("JPEG", size=(300, 200)), name="grinder.jpg")
    )
    rendition = image.get_rendition("fill-100x100")

    original = client.get(image.file.url)
    small = client.get(rendition.url)

    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"
    assert small.status_code == 200 and small["X-Content-Type-Options"] == "nosniff"
