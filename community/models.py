from django.conf import settings
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from community.querysets import CategoryQuerySet, ReplyQuerySet, ThreadQuerySet

TITLE_MIN_LENGTH = 10
TITLE_MAX_LENGTH = 150
BODY_MAX_LENGTH = 20_000


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Awaiting approval")
    HIDDEN = "hidden", _("Hidden by a moderator")


class HomePage(Page):
    """The site root: editors write the welcome; the community lists fill in the rest."""

    hero_text = models.CharField(
        _("hero text"),
        max_length=255,
        blank=True,
        help_text=_("The short promise shown in large type at the top of the home page."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("hero_text"), FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["categories"] = Category.objects.with_thread_counts()
        context["recent_threads"] = Thread.objects.for_list()[:6]
        return context


class ContentPage(Page):
    """An ordinary page written by editors: help, guidelines, about."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=500, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#2F5D8A",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a hex colour such as #2F5D8A."))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    first_response_hours = models.PositiveSmallIntegerField(
        _("first-response target (hours)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the site's default target."),
    )

    objects = CategoryQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("colour"),
        FieldPanel("position"),
        FieldPanel("first_response_hours"),
    ]

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:category_detail", kwargs={"slug": self.slug})


class Thread(index.Indexed, models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="threads", verbose_name=_("category")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="threads",
        verbose_name=_("author"),
    )
    title = models.CharField(
        _("title"),
        max_length=TITLE_MAX_LENGTH,
        validators=[MinLengthValidator(TITLE_MIN_LENGTH)],
    )
    slug = models.SlugField(_("slug"), max_length=160, allow_unicode=False)
    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.VISIBLE
    )
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    reply_count = models.PositiveIntegerField(_("replies"), default=0, editable=False)
    me_too_count = models.PositiveIntegerField(
        _("members with this problem"), default=0, editable=False
    )
    first_official_reply_at = models.DateTimeField(
        _("first official reply at"), null=True, blank=True, editable=False
    )

    tags = TaggableManager(_("tags"), blank=True)

    objects = ThreadQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("body"),
        index.FilterField("visibility"),
        index.FilterField("category_id"),
        index.FilterField("last_activity_at"),
    ]

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["visibility", "-last_activity_at"], name="thread_visible_activity"
            ),
            models.Index(fields=["visibility", "-created_at"], name="thread_visible_newest"),
            models.Index(
                fields=["category", "visibility", "-last_activity_at"],
                name="thread_category_activity",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:160] or "thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("community:thread_detail", kwargs={"pk": self.pk, "slug": self.slug})


class Reply(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="replies", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="replies",
        verbose_name=_("author"),
    )
    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    # Decided from the author's permission when the reply is posted, never recomputed.
    is_official = models.BooleanField(_("official reply"), default=False, editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.VISIBLE
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0, editable=False)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "visibility", "created_at"], name="reply_thread_order"),
        ]

    def __str__(self):
        return _("Reply #%(number)s") % {"number": self.pk}
