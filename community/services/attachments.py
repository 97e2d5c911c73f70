"""Images on a question or a reply: stored with the post, never removed by an edit.

The form hands over images already checked and re-encoded
(accounts.images.clean_upload); this stores each with its thumbnail in the
attachments storage, inside the post's transaction. A file written just before a
rollback stays behind with no row pointing at it, never served (random names,
and the view serves rows only).
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.images import CleanImage, thumbnail_of
from community.models import ATTACHMENTS_PER_POST, Attachment, Reply, Thread
from community.models.attachments import THUMBNAIL_BOX


def check_attachment_count(*, existing: int, added: int) -> None:
    if existing + added > ATTACHMENTS_PER_POST:
        raise ValidationError(
            _("A post holds at most %(limit)s images."),
            code="too_many_images",
            params={"limit": ATTACHMENTS_PER_POST},
        )


@transaction.atomic
def attachments_add(
    *, uploader, post: Thread | Reply, images: Sequence[CleanImage]
) -> list[Attachment]:
    """Attach `images` to `post`, after those it has (at most ATTACHMENTS_PER_POST)."""
    if not images:
        return []
    link = {"thread": post} if isinstance(post, Thread) else {"reply": post}
    check_attachment_count(existing=Attachment.objects.filter(**link).count(), added=len(images))
    created = []
    for image in images:
        thumbnail = thumbnail_of(image, box=THUMBNAIL_BOX)
        attachment = Attachment(
            **link,
            uploaded_by=uploader,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            thumbnail_width=thumbnail.width,
            thumbnail_height=thumbnail.height,
        )
        attachment.image.save(f"image.{image.extension}", image.as_file("image"), save=False)
        attachment.thumbnail.save(
            f"thumbnail.{thumbnail.extension}", thumbnail.as_file("thumbnail"), save=False
        )
        attachment.save()
        created.append(attachment)
    return created
