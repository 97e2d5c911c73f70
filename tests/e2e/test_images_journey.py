"""A member asks a question with a photo from their phone or computer (the plain
file button), sees its thumbnail on the thread and opens the full image; the image
they get back carries no location. A reply with a photo dropped onto the editor
works the same way with JavaScript on."""

import re
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from community import services
from community.models import Attachment, Thread
from tests.factories import CategoryFactory, UserFactory
from tests.images import GPS_IFD, gps_exif, image_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "The burr grinder jams on the finest setting"
BODY = "It stops after two seconds; the photo shows the burrs."
THREAD_PATH = re.compile(r"/community/t/\d+/[\w-]+/$")
IMAGE_PATH = re.compile(r"/community/images/\d+/$")


def ask_with_a_photo(page: Page, photo_path) -> None:
    page.goto("/community/ask/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Details", exact=True).fill(BODY)
    page.get_by_label("Category", exact=True).select_option(label="Grinders")
    page.get_by_label("Images", exact=True).set_input_files(str(photo_path))
    page.get_by_role("button", name="Post your question").click()
    expect(page).to_have_url(THREAD_PATH)


@pytest.mark.parametrize("viewport", ["page", "mobile_page"])
def test_a_member_asks_with_a_photo_and_opens_it_full_size(request, viewport, sign_in, tmp_path):
    page: Page = request.getfixturevalue(viewport)
    CategoryFactory(name="Grinders", slug="grinders")
    member = UserFactory(display_name="Nadia Noor")
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(1600, 1200), exif=gps_exif()))
    sign_in(page, member)

    ask_with_a_photo(page, photo)

    link = page.get_by_test_id("attachment-link")
    expect(link).to_have_count(1)
    thumbnail = link.locator("img")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0
    # The thumbnail fits the screen, a phone's too.
    box = thumbnail.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    # The author's avatar (their initial) stands beside their name.
    expect(page.locator("#question .avatar--initial")).to_have_text("N")

    link.click()
    expect(page).to_have_url(IMAGE_PATH)
    full = page.locator("img")
    expect(full).to_be_visible()
    assert full.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1600, 1200]

    served = page.request.get(page.url)
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    image = Image.open(BytesIO(served.body()))
    assert not image.getexif().get_ifd(GPS_IFD)
    thread = Thread.objects.get(title=TITLE)
    assert Attachment.objects.filter(thread=thread).count() == 1


def test_a_photo_dropped_onto_the_reply_editor_is_attached(page: Page, sign_in):
    asker, helper = UserFactory(), UserFactory()
    thread = services.thread_create(
        author=asker, category=CategoryFactory(), title=TITLE, body=BODY
    )
    sign_in(page, helper)
    page.goto(thread.get_absolute_url())
    editor = page.get_by_role("textbox", name="Your reply")
    editor.fill("Mine did that too: look at the spring.")
    png = list(image_bytes("PNG", size=(300, 200)))
    # What a file dragged from the desktop hands the page.
    page.evaluate(
        """([selector, bytes]) => {
            const file = new File([new Uint8Array(bytes)], "spring.png", {type: "image/png"});
            const data = new DataTransfer();
            data.items.add(file);
            const editor = document.querySelector(selector);
            for (const type of ["dragover", "drop"]) {
                const options = {dataTransfer: data, bubbles: true, cancelable: true};
                editor.dispatchEvent(new DragEvent(type, options));
            }
        }""",
        ["#reply-form textarea[name=body]", png],
    )
    expect(page.locator("#reply-form .image-drop__status")).to_have_text("spring.png")
    page.get_by_role("button", name="Post reply").click()

    expect(page.locator("article[id^=reply-] [data-testid=attachment-link]")).to_have_count(1)
    assert Attachment.objects.filter(reply__thread=thread).count() == 1
