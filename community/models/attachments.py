"""Screenshots and photos attached to a question or a reply.

The files live in the "attachments" storage (settings.STORAGES), which no web
server publishes: the page links to community:attachment, a view that serves the
file only to those who may read its post. A hidden post keeps its images (nothing
is deleted, promise 3); only who may see them changes with the post.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from community.models.forum import Reply, Thread, exactly_one_of

# At most this many images on one question or reply.
ATTACHMENTS_PER_POST = 4
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_PIXELS = 40_000_000
# The thumbnail under a post fits in a square of this side.
THUMBNAIL_BOX = 320


class _AttachmentStorage(LazyObject):
    """settings.STORAGES["attachments"], looked up on first use (like Django's
    default_storage), so the model does not fix a storage when it is imported."""

    def _setup(self):
        self._wrapped = storages["attachments"]


attachments_storage = _AttachmentStorage()


def attachment_storage():
    return attachments_storage


def attachment_upload_to(instance, filename):
    # A random name: never the member's file name, and nothing to guess.
    extension = filename.rsplit(".", 1)[-1]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    image = models.FileField(
        _("image"), storage=attachment_storage, upload_to=attachment_upload_to, max_length=200
    )
    thumbnail = models.FileField(
        _("thumbnail"), storage=attachment_storage, upload_to=attachment_upload_to, max_length=200
    )
    content_type = models.CharField(max_length=20, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    thumbnail_width = models.PositiveIntegerField(editable=False)
    thumbnail_height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]
        constraints = [exactly_one_of("thread", "reply", name="attachment_of_one_post")]

    def __str__(self):
        post = f"thread {self.thread_id}" if self.thread_id else f"reply {self.reply_id}"
        return f"image {self.pk} of {post}"

    def get_absolute_url(self):
        return reverse("community:attachment", kwargs={"pk": self.pk})

    def get_thumbnail_url(self):
        return reverse("community:attachment_thumbnail", kwargs={"pk": self.pk})
