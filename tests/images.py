"""Image files for upload tests, made with Pillow."""

import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(
    image_format: str = "PNG", *, size=(60, 40), colour=(200, 30, 30), exif=None, frames=1
):
    image = Image.new("RGB", size, colour)
    buffer = BytesIO()
    options = {}
    if exif is not None:
        options["exif"] = exif
    if frames > 1:
        others = [Image.new("RGB", size, (0, 0, 200 - 10 * n)) for n in range(frames - 1)]
        options.update(save_all=True, append_images=others)
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def gps_exif(*, orientation: int | None = None):
    """EXIF with a GPS position (and an orientation, if given), as a phone writes it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 29.0)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.0)
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif


def upload(name="screenshot.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type)


def pixel_bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels."""
    buffer = BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # IHDR starts at byte 8: length (4), type (4), width (4), height (4), ..., CRC.
    data[16:20] = width.to_bytes(4, "big")
    data[20:24] = height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)
