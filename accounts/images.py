"""Images members upload (avatars here, screenshots on posts in community), checked
by what the bytes are and written again by Pillow before anything is stored.

It lives in accounts, the lowest app, so that avatars and post attachments share
one set of checks: community imports it, accounts imports nothing of community.

Neither the file name nor the browser's content type is trusted: Pillow must
recognise the content as PNG, JPEG, WebP or GIF (only the first frame of a GIF is
kept) and verify it. The image is then turned upright (EXIF orientation) and
encoded anew without any metadata, so what is stored carries no EXIF (camera,
GPS location), no comments and no ICC profile, and no bytes of the original file.
"""

from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

# Formats Pillow must recognise in the content, and the format each is stored in.
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
JPEG_QUALITY = 85
MEGABYTE = 1024 * 1024
WEBP_QUALITY = 85

NOT_AN_IMAGE = _("Upload a PNG, JPEG, WebP or GIF image: this file is not one.")


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded without metadata, ready to be stored."""

    content: bytes
    format: str  # PNG, JPEG or WEBP
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def as_file(self, stem: str) -> ContentFile:
        return ContentFile(self.content, name=f"{stem}.{self.extension}")


def stored_extension(file) -> str | None:
    """The extension for a file of ours, from what its bytes are (PNG, JPEG or
    WebP, the formats images are stored in), never from its name; None when the
    content is none of them."""
    from PIL import Image, UnidentifiedImageError

    try:
        file.seek(0)
        with Image.open(file, formats=list(EXTENSIONS)) as image:
            return EXTENSIONS[image.format]
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    finally:
        file.seek(0)


def _too_large(size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The image is too large (%(size)s MB); the limit is %(limit)s MB."),
        code="image_too_large",
        params={"size": f"{size / MEGABYTE:.1f}", "limit": f"{max_bytes / MEGABYTE:g}"},
    )


def open_upload(file, *, max_bytes: int, max_pixels: int):
    """The uploaded file as a loaded, upright Pillow image without metadata, and the
    format it is stored in; raises ValidationError (with a message for the form)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    try:
        file.seek(0)
        # Only the decoders of the accepted formats ever read the bytes.
        with Image.open(file, formats=list(ACCEPTED_FORMATS)) as probe:
            source_format = probe.format
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    _(
                        "The image has too many pixels (%(width)s by %(height)s); "
                        "the limit is %(limit)s megapixels."
                    ),
                    code="image_dimensions",
                    params={"width": width, "height": height, "limit": max_pixels // 1_000_000},
                )
            probe.verify()
        # verify() leaves the image unusable: open again to decode the pixels.
        file.seek(0)
        with Image.open(file, formats=[source_format]) as image:
            image.seek(0)  # the first frame of an animation
            image.load()
            upright = ImageOps.exif_transpose(image)
            target = ACCEPTED_FORMATS[source_format]
            pixels = _pixels_for(upright, target)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        # Pillow refuses to open it at all: far more pixels than any limit of ours.
        raise ValidationError(
            _("The image has too many pixels; the limit is %(limit)s megapixels."),
            code="image_dimensions",
            params={"limit": max_pixels // 1_000_000},
        ) from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ValidationError(NOT_AN_IMAGE, code="image_invalid") from error
    finally:
        file.seek(0)
    return pixels, target


def _pixels_for(image, target: str):
    """A fresh image holding only the pixels, in a mode `target` can store."""
    from PIL import Image

    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    if target == "JPEG":
        mode = "L" if image.mode in {"L", "1"} else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode in {"L", "1"} else "RGB")
    converted = image.convert(mode)
    # Only the pixels go on: no info dictionary (EXIF, XMP, ICC, comments) follows.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def encode(image, image_format: str) -> CleanImage:
    if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    buffer = BytesIO()
    options = {
        "JPEG": {"quality": JPEG_QUALITY, "optimize": True},
        "WEBP": {"quality": WEBP_QUALITY},
        "PNG": {"optimize": True},
    }[image_format]
    image.save(buffer, format=image_format, **options)
    return CleanImage(buffer.getvalue(), image_format, image.width, image.height)


def clean_upload(file, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """The upload re-encoded in its own format (a GIF as PNG), without metadata."""
    image, image_format = open_upload(file, max_bytes=max_bytes, max_pixels=max_pixels)
    return encode(image, image_format)


def thumbnail_of(clean: CleanImage, *, box: int) -> CleanImage:
    """A smaller copy that fits in a square of `box` pixels (never enlarged)."""
    from PIL import Image

    with Image.open(BytesIO(clean.content)) as image:
        image.load()
        image.thumbnail((box, box))
        return encode(image, clean.format)


def square_of(file, *, side: int, max_bytes: int, max_pixels: int) -> CleanImage:
    """An avatar: the upload cropped to its centre square and scaled to `side` pixels."""
    from PIL import ImageOps

    image, image_format = open_upload(file, max_bytes=max_bytes, max_pixels=max_pixels)
    square = ImageOps.fit(image, (side, side))
    return encode(square, image_format)
