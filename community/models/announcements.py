"""News from the brand on the home page, between two dates."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import RevisionMixin, TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

from community.querysets import AnnouncementQuerySet


class Announcement(TranslatableMixin, RevisionMixin, models.Model):
    """News from the brand shown on the home page between two dates: a recall, an
    outage, a new product. Editors keep every revision and translate it; readers
    see the version in their language, else the default one."""

    title = models.CharField(_("title"), max_length=120)
    body = RichTextField(_("text"), blank=True, features=["bold", "italic", "link"])
    link_url = models.URLField(_("link"), blank=True, help_text=_("Where “Read more” leads."))
    link_label = models.CharField(
        _("link label"),
        max_length=60,
        blank=True,
        help_text=_("Leave empty for “Read more”, translated for each visitor."),
    )
    starts_at = models.DateTimeField(_("show from"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("show until"), null=True, blank=True, help_text=_("Leave empty to show it until removed.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="announcement")

    objects = AnnouncementQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("body"),
        FieldPanel("link_url"),
        FieldPanel("link_label"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
    ]

    # The dates and the address stay those of the original in every language.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("body"),
        TranslatableField("link_label"),
        SynchronizedField("link_url"),
        SynchronizedField("starts_at"),
        SynchronizedField("ends_at"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["-starts_at"], name="announcement_starts")]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        super().clean()
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.starts_at > now:
            return AnnouncementStatus.SCHEDULED
        if self.ends_at and self.ends_at <= now:
            return AnnouncementStatus.ENDED
        return AnnouncementStatus.SHOWING

    def get_status_display(self) -> str:
        return AnnouncementStatus(self.status()).label


class AnnouncementStatus(models.TextChoices):
    SHOWING = "showing", _("Showing")
    SCHEDULED = "scheduled", _("Scheduled")
    ENDED = "ended", _("Ended")
