from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

AVATAR_MAX_BYTES = 1024 * 1024
AVATAR_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
AVATAR_MAX_PIXELS = 4096


@deconstructible
class AvatarValidator:
    """Limits avatars to small JPEG, PNG or WebP images, judged by their content."""

    def __call__(self, file):
        if file.size > AVATAR_MAX_BYTES:
            raise ValidationError(
                _("The image is too large (%(size)s KB); the limit is %(limit)s KB."),
                code="avatar_too_large",
                params={"size": file.size // 1024, "limit": AVATAR_MAX_BYTES // 1024},
            )
        from PIL import Image, UnidentifiedImageError

        try:
            file.seek(0)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise ValidationError(
                _("Upload a JPEG, PNG or WebP image."), code="avatar_not_image"
            ) from error
        finally:
            file.seek(0)
        if image_format not in AVATAR_CONTENT_TYPES:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="avatar_type")
        if width > AVATAR_MAX_PIXELS or height > AVATAR_MAX_PIXELS:
            raise ValidationError(
                _("The image is too large; at most %(limit)s pixels on each side."),
                code="avatar_dimensions",
                params={"limit": AVATAR_MAX_PIXELS},
            )

    def __eq__(self, other):
        return isinstance(other, AvatarValidator)
