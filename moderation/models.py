from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from community.models import Category, Reply, Thread

CANNED_PLACEHOLDERS = ("{asker}", "{thread_title}", "{category}", "{staff_name}")


def optional_link(to, *, on_delete, verbose_name, **options) -> models.ForeignKey:
    """A link that may be left empty, and that the linked model does not name
    (related_name="+": moderation reads these rows from its own side)."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )


class CannedResponse(TranslatableMixin, index.Indexed, models.Model):
    """Prepared text for standard cases; staff personalise it before posting. Editors
    translate it; the picker offers the version in the thread's language first."""

    title = models.CharField(_("title"), max_length=120)
    category = optional_link(
        Category,
        on_delete=models.SET_NULL,
        verbose_name=_("category"),
        help_text=_("Offered only on this category's threads. Leave empty to offer it everywhere."),
    )
    body = models.TextField(
        _("text"),
        max_length=10_000,
        help_text=_("Markdown. Placeholders: {asker}, {thread_title}, {category}, {staff_name}."),
    )
    use_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    panels = [FieldPanel("title"), FieldPanel("category"), FieldPanel("body")]
    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("body"),
        index.AutocompleteField("title"),
        index.FilterField("category"),
    ]

    # A translation is offered on the same category's threads: the category stays the
    # default-language row that threads point to.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("body"),
        SynchronizedField("category"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["title", "pk"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self):
        return self.title


class Report(models.Model):
    """A member's flag on a thread or reply; one open report per member per post."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or harassing")
        OFF_TOPIC = "off_topic", _("Off-topic")
        PERSONAL_DATA = "personal_data", _("Shares personal data")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        HIDDEN = "hidden", _("Post hidden")
        SUSPENDED = "suspended", _("Author suspended")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    # The thread is always set (for a reply, the reply's thread) so a report links to
    # its page; `reply` is empty when the thread itself is reported.
    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="+", verbose_name=_("thread")
    )
    reply = optional_link(Reply, on_delete=models.PROTECT, verbose_name=_("reply"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_by = optional_link(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, verbose_name=_("resolved by")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "thread"],
                condition=Q(status="open", reply__isnull=True),
                name="report_one_open_per_member_thread",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reply"],
                condition=Q(status="open", reply__isnull=False),
                name="report_one_open_per_member_reply",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "thread", "reply"], name="report_open_item"),
        ]

    def __str__(self):
        return _("Report #%(number)s") % {"number": self.pk}

    @property
    def post(self):
        return self.reply if self.reply_id else self.thread
