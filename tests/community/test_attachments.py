"""Images on questions and replies: checked by content, re-encoded without
metadata, limited in size and number, served only to those who may read the post."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from accounts.images import clean_upload
from community import services
from community.models import Attachment, Reply, Thread
from community.models.attachments import ATTACHMENTS_PER_POST
from tests.factories import CategoryFactory
from tests.helpers import client_for
from tests.images import GPS_IFD, gps_exif, image_bytes, upload

pytestmark = pytest.mark.django_db

TITLE = "The grinder jams on the finest setting"
BODY = "It stops after two seconds; see the photo."


def ask_data(category, **extra):
    return {"title": TITLE, "body": BODY, "category": category.pk, "tags": "", **extra}


def read(file_field) -> Image.Image:
    with file_field.storage.open(file_field.name, "rb") as handle:
        image = Image.open(BytesIO(handle.read()))
        image.load()
        return image


# Checks and re-encoding --------------------------------------------------------------


def test_clean_upload_removes_exif_gps_location():
    source = image_bytes("JPEG", exif=gps_exif())
    assert Image.open(BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the photo has it

    clean = clean_upload(upload("photo.jpg", source), max_bytes=10**7, max_pixels=10**7)

    stored = Image.open(BytesIO(clean.content))
    assert clean.format == "JPEG"
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert b"PhoneMaker" not in clean.content
    assert "exif" not in stored.info


def test_clean_upload_turns_the_photo_upright_before_dropping_orientation():
    # Orientation 6: the camera was turned, the picture must be rotated 90°.
    source = image_bytes("JPEG", size=(80, 20), exif=gps_exif(orientation=6))

    clean = clean_upload(upload("photo.jpg", source), max_bytes=10**7, max_pixels=10**7)

    assert (clean.width, clean.height) == (20, 80)
    assert ORIENTATION_TAG not in Image.open(BytesIO(clean.content)).getexif()


ORIENTATION_TAG = 0x0112


@pytest.mark.parametrize(
    ("image_format", "stored_as"),
    [("PNG", "PNG"), ("JPEG", "JPEG"), ("WEBP", "WEBP"), ("GIF", "PNG")],
)
def test_clean_upload_accepts_the_four_formats(image_format, stored_as):
    clean = clean_upload(
        upload("x.bin", image_bytes(image_format)), max_bytes=10**7, max_pixels=10**7
    )
    assert clean.format == stored_as
    assert Image.open(BytesIO(clean.content)).format == stored_as


def test_an_animated_gif_keeps_its_first_frame():
    clean = clean_upload(
        upload("a.gif", image_bytes("GIF", frames=3, colour=(255, 0, 0))),
        max_bytes=10**7,
        max_pixels=10**7,
    )
    image = Image.open(BytesIO(clean.content)).convert("RGB")
    assert getattr(image, "n_frames", 1) == 1
    assert image.getpixel((0, 0))[0] > 200


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "image_invalid",
        ),
        (b"GIF89a<script>alert(1)</script>", "image_invalid"),
        (image_bytes("PNG")[:60], "image_invalid"),
        (image_bytes("BMP"), "image_invalid"),
        (image_bytes("TIFF"), "image_invalid"),
    ],
    ids=["svg", "polyglot", "truncated", "bmp", "tiff"],
)
def test_clean_upload_refuses_what_is_not_an_accepted_image(content, code):
    # The name and the content type claim a PNG: only the content counts.
    with pytest.raises(ValidationError) as error:
        clean_upload(upload("shot.png", content), max_bytes=10**7, max_pixels=10**7)
    assert error.value.code == code


def test_clean_upload_refuses_too_many_bytes_and_pixels():
    with pytest.raises(ValidationError) as error:
        clean_upload(upload(content=image_bytes("PNG")), max_bytes=100, max_pixels=10**7)
    assert error.value.code == "image_too_large"
    with pytest.raises(ValidationError) as error:
        clean_upload(
            upload(content=image_bytes("PNG", size=(100, 100))), max_bytes=10**7, max_pixels=9_999
        )
    assert error.value.code == "image_dimensions"


# Asking and replying with images ----------------------------------------------------------


def test_asking_with_images_stores_them_and_shows_thumbnails(member_client, category):
    response = member_client.post(
        reverse("community:ask"),
        ask_data(
            category,
            images=[upload("my-display.png"), upload("b.jpg", image_bytes("JPEG"))],
        ),
    )

    assert response.status_code == 302
    thread = Thread.objects.get(title=TITLE)
    images = list(thread.attachments.all())
    assert [image.content_type for image in images] == ["image/png", "image/jpeg"]
    # Never the member's file name (a random one; a short name could occur in it).
    assert "my-display" not in images[0].image.name
    page = member_client.get(thread.get_absolute_url()).content.decode()
    assert page.count('data-testid="attachment-link"') == 2
    assert f'href="{images[0].get_absolute_url()}"' in page
    assert f'src="{images[0].get_thumbnail_url()}"' in page


def test_the_full_image_and_thumbnail_are_served(client, member, category):
    big = image_bytes("PNG", size=(1200, 800))
    thread = services.thread_create(
        author=member,
        category=category,
        title=TITLE,
        body=BODY,
        images=[clean_upload(upload(content=big), max_bytes=10**7, max_pixels=10**7)],
    )
    image = thread.attachments.get()

    full = client.get(image.get_absolute_url())
    thumb = client.get(image.get_thumbnail_url())

    assert full.status_code == thumb.status_code == 200
    assert full["Content-Type"] == "image/png"
    assert full["Cache-Control"].startswith("private")
    assert "default-src 'none'" in full["Content-Security-Policy"]
    assert full["X-Content-Type-Options"] == "nosniff"
    assert Image.open(BytesIO(b"".join(full.streaming_content))).size == (1200, 800)
    assert max(Image.open(BytesIO(b"".join(thumb.streaming_content))).size) <= 320


def test_replying_with_an_image(member, category, other_member):
    thread = services.thread_create(author=member, category=category, title=TITLE, body=BODY)
    response = client_for(other_member).post(
        reverse("community:reply_create", kwargs={"pk": thread.pk}),
        {"body": "Same here, look.", "images": [upload()]},
    )
    assert response.status_code == 302
    reply = Reply.objects.get(thread=thread)
    assert reply.attachments.count() == 1
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert reply.attachments.get().get_thumbnail_url() in page


def test_a_bad_file_is_a_form_error_that_keeps_what_was_typed(member_client, category):
    response = member_client.post(
        reverse("community:ask"),
        ask_data(category, images=[upload("evil.png", b"<?php system($_GET['x']); ?>")]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "this file is not one" in html
    assert "evil.png" in html
    assert TITLE in html and BODY in html
    assert not Thread.objects.exists()
    assert not Attachment.objects.exists()


def test_a_reply_with_a_bad_file_keeps_the_body(member, category, other_member):
    thread = services.thread_create(author=member, category=category, title=TITLE, body=BODY)
    response = client_for(other_member).post(
        reverse("community:reply_create", kwargs={"pk": thread.pk}),
        {"body": "My carefully typed reply", "images": [upload("x.gif", b"GIF89a nope")]},
    )
    assert response.status_code == 200
    assert "My carefully typed reply" in response.content.decode()
    assert not Reply.objects.exists()


def test_more_than_the_limit_of_images_is_refused(member_client, category):
    files = [upload(f"{n}.png") for n in range(ATTACHMENTS_PER_POST + 1)]
    response = member_client.post(reverse("community:ask"), ask_data(category, images=files))
    assert response.status_code == 200
    assert "at most 4 images" in response.content.decode()
    assert not Thread.objects.exists()


def test_the_service_refuses_more_than_the_limit(member, category):
    clean = clean_upload(upload(), max_bytes=10**7, max_pixels=10**7)
    with pytest.raises(ValidationError):
        services.thread_create(
            author=member,
            category=category,
            title=TITLE,
            body=BODY,
            images=[clean] * (ATTACHMENTS_PER_POST + 1),
        )
    assert not Thread.objects.exists()


def test_valid_images_with_another_error_ask_to_choose_them_again(member_client, category):
    response = member_client.post(
        reverse("community:ask"), ask_data(category, title="short", images=[upload()])
    )
    assert response.status_code == 200
    assert "choose them again" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_same_ask_sent_twice_stores_its_images_once(member_client, category):
    data = ask_data(category, submission_key="k" * 32)
    member_client.post(reverse("community:ask"), {**data, "images": [upload()]})
    member_client.post(reverse("community:ask"), {**data, "images": [upload()]})
    assert Thread.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_editing_keeps_the_images(member, category):
    clean = clean_upload(upload(), max_bytes=10**7, max_pixels=10**7)
    thread = services.thread_create(
        author=member, category=category, title=TITLE, body=BODY, images=[clean]
    )
    reply = services.reply_create(author=member, thread=thread, body="Me too", images=[clean])
    client = client_for(member)
    client.post(
        reverse("community:thread_edit", kwargs={"pk": thread.pk}),
        {"title": TITLE, "body": "Edited text", "tags": ""},
    )
    client.post(reverse("community:reply_edit", kwargs={"pk": reply.pk}), {"body": "Edited"})
    thread.refresh_from_db()
    assert thread.body == "Edited text"
    assert thread.attachments.count() == 1
    assert reply.attachments.count() == 1


# Who may see them ------------------------------------------------------------------------


@pytest.fixture
def pictured(member, other_member):
    """A thread and a reply, each with one image: (thread, reply, thread image, reply image)."""
    clean = clean_upload(upload(), max_bytes=10**7, max_pixels=10**7)
    thread = services.thread_create(
        author=member, category=CategoryFactory(), title=TITLE, body=BODY, images=[clean]
    )
    reply = services.reply_create(
        author=other_member, thread=thread, body="Look at mine", images=[clean]
    )
    return thread, reply, thread.attachments.get(), reply.attachments.get()


def status_of(client, image) -> tuple[int, int]:
    return (
        client.get(image.get_absolute_url()).status_code,
        client.get(image.get_thumbnail_url()).status_code,
    )


def test_visible_posts_show_their_images_to_everyone(client, pictured):
    _thread, _reply, thread_image, reply_image = pictured
    assert status_of(client, thread_image) == (200, 200)
    assert status_of(client, reply_image) == (200, 200)


def test_a_hidden_reply_hides_its_images_but_keeps_them(
    client, pictured, member, other_member, moderator
):
    _thread, reply, thread_image, reply_image = pictured
    services.post_hide(reply, reason="Personal data")

    assert status_of(client, reply_image) == (404, 404)  # a visitor
    assert status_of(client_for(member), reply_image) == (404, 404)  # another member
    assert status_of(client_for(other_member), reply_image) == (200, 200)  # its author
    assert status_of(client_for(moderator), reply_image) == (200, 200)
    assert status_of(client, thread_image) == (200, 200)  # the question's stay public
    assert Attachment.objects.filter(pk=reply_image.pk).exists()

    services.post_restore(Reply.objects.get(pk=reply.pk))
    assert status_of(client, reply_image) == (200, 200)


def test_a_hidden_thread_hides_every_image_in_it(client, pictured, member, other_member, moderator):
    thread, _reply, thread_image, reply_image = pictured
    services.post_hide(thread, reason="Off topic")

    for image in (thread_image, reply_image):
        assert status_of(client, image) == (404, 404)
        assert status_of(client_for(moderator), image) == (200, 200)
    assert status_of(client_for(member), thread_image) == (200, 200)  # the asker
    # The reply's author may not read the hidden thread, so not its images either.
    assert status_of(client_for(other_member), reply_image) == (404, 404)


def test_an_image_of_a_post_awaiting_approval_is_private(client, category, settings):
    from tests.factories import UserFactory

    author = UserFactory()
    clean = clean_upload(upload(), max_bytes=10**7, max_pixels=10**7)
    thread = services.thread_create(
        author=author, category=category, title=TITLE, body=BODY, images=[clean]
    )
    Thread.objects.filter(pk=thread.pk).update(visibility="pending")
    image = thread.attachments.get()
    assert status_of(client, image) == (404, 404)
    assert status_of(client_for(author), image) == (200, 200)


def test_an_unknown_image_and_a_missing_file_are_404(client, pictured):
    _thread, _reply, thread_image, _reply_image = pictured
    assert client.get(reverse("community:attachment", kwargs={"pk": 999_999})).status_code == 404
    thread_image.image.storage.delete(thread_image.image.name)
    assert client.get(thread_image.get_absolute_url()).status_code == 404


def test_the_image_messages_are_in_french(member, member_client, category):
    member.language = "fr"
    member.save(update_fields=["language"])
    response = member_client.post(
        reverse("community:ask"), ask_data(category, images=[upload("x.png", b"nope")])
    )
    html = response.content.decode()
    assert "ce fichier n\u2019en est pas une" in html
    assert "captures d\u2019écran ou photos" in html


def test_a_file_name_with_markup_comes_back_escaped(member_client, category):
    name = '<img src=x onerror="alert(1)">.png'
    response = member_client.post(
        reverse("community:ask"), ask_data(category, images=[upload(name, b"nope")])
    )
    html = response.content.decode()
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=" in html


def test_a_pixel_bomb_is_refused_before_it_is_decoded():
    from tests.images import pixel_bomb_png

    with pytest.raises(ValidationError) as error:
        clean_upload(
            upload("bomb.png", pixel_bomb_png(60_000, 60_000)), max_bytes=10**7, max_pixels=10**7
        )
    assert error.value.code == "image_dimensions"
    with pytest.raises(ValidationError) as error:
        clean_upload(
            upload("big.png", pixel_bomb_png(8_000, 6_000)), max_bytes=10**7, max_pixels=10**7
        )
    assert error.value.code == "image_dimensions"


def test_storages_come_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from community.config.settings import env_storage

    assert env_storage("X_STORAGE", {"location": "private-media"}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": "private-media"},
    }
    monkeypatch.setenv("X_STORAGE_BACKEND", "storages.backends.s3.S3Storage")
    monkeypatch.setenv("X_STORAGE_OPTIONS", '{"bucket_name": "relais"}')
    assert env_storage("X_STORAGE", {}) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "relais"},
    }
    monkeypatch.setenv("X_STORAGE_OPTIONS", "[1]")
    with pytest.raises(ImproperlyConfigured):
        env_storage("X_STORAGE", {})
