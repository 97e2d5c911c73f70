import re

from django import forms
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import (
    MinLengthValidator,
    MinValueValidator,
    RegexValidator,
    validate_email,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page, RevisionMixin
from wagtail.search import index

from community.blocks import HOME_BODY_BLOCKS
from community.cache import cache_page_for_visitors, content_version
from community.querysets import (
    AnnouncementQuerySet,
    CategoryQuerySet,
    NotificationQuerySet,
    ReplyQuerySet,
    ThreadQuerySet,
)

TITLE_MIN_LENGTH = 10
TITLE_MAX_LENGTH = 150
BODY_MAX_LENGTH = 20_000
RESERVED_SLUGS = {"reply", "edit", "history", "me-too", "follow", "accept"}
HEX_COLOUR_VALIDATOR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a hex colour such as #2F5D8A."))
DEFAULT_BRAND_COLOUR = "#1d5a85"


# How many replies of a thread the search index reads.
SEARCH_REPLIES_INDEXED = 50


# A moderator's reason for hiding a post, which its author reads; the moderation
# forms and services take their limit from here.
HIDDEN_REASON_MAX_LENGTH = 500


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Awaiting approval")
    HIDDEN = "hidden", _("Hidden by a moderator")


class HomePage(Page):
    """The site root: editors arrange its sections; the community's lists fill them."""

    body = StreamField(
        HOME_BODY_BLOCKS,
        blank=True,
        verbose_name=_("body"),
        help_text=_(
            "The sections of the home page, top to bottom. A hero placed first spans "
            "the full width."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["community.ContentPage", "community.HelpIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_cache_key_components(self):
        # The sections list threads and categories: any write moves the content version
        # on, and each language has its own copy.
        return [
            *super().get_cache_key_components(),
            content_version(),
            translation.get_language(),
        ]

    def serve(self, request, *args, **kwargs):
        # Visitors share one rendering until the next write (community.cache); the
        # sections stay cached on their own for members.
        return cache_page_for_visitors(super().serve)(request, *args, **kwargs)

    @property
    def leading_hero(self):
        """The first section, when it is a hero: the template gives it the full width."""
        if self.body and self.body[0].block_type == "hero":
            return self.body[0]
        return None

    @property
    def sections(self):
        return list(self.body)[1:] if self.leading_hero else list(self.body)


class ContentPage(Page):
    """An ordinary page written by editors: help, guidelines, about."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")


# Help centre -----------------------------------------------------------------------

HELP_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "code"]
# Article ids a visitor has rated, kept in their session so that each counts once.
HELP_FEEDBACK_SESSION_KEY = "help_feedback"


class CalloutBlock(blocks.StructBlock):
    """A tip or a warning set apart from the text."""

    kind = blocks.ChoiceBlock(
        choices=[("tip", _("Tip")), ("note", _("Note")), ("warning", _("Warning"))],
        default="tip",
        label=_("kind"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=_("text"))

    class Meta:
        icon = "help"
        label = _("Callout")
        template = "community/blocks/callout.html"


class HelpIndexPage(Page):
    """The help centre: editors' answers to the questions members ask most."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["community.HomePage"]
    subpage_types = ["community.HelpArticlePage"]

    class Meta:
        verbose_name = _("help index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            HelpArticlePage.objects.child_of(self)
            .live()
            .public()
            .only("id", "title", "slug", "url_path", "summary", "path", "depth")
            .order_by("title")
        )
        return context


class HelpArticleTag(TaggedItemBase):
    """Tags of help articles: the same Tag rows as threads, so both meet on a tag."""

    content_object = ParentalKey(
        "community.HelpArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("help article tag")
        verbose_name_plural = _("help article tags")


class HelpArticlePage(Page):
    """One answer in the help centre; thread pages suggest it by category and tags."""

    summary = models.CharField(
        _("summary"),
        max_length=255,
        help_text=_("One or two sentences shown in lists and under related threads."),
    )
    body = StreamField(
        [
            (
                "heading",
                blocks.CharBlock(
                    form_classname="title",
                    label=_("Heading"),
                    icon="title",
                    template="community/blocks/heading.html",
                ),
            ),
            (
                "paragraph",
                blocks.RichTextBlock(
                    features=HELP_RICH_TEXT_FEATURES,
                    label=_("Paragraph"),
                    template="community/blocks/paragraph.html",
                ),
            ),
            (
                "steps",
                blocks.ListBlock(
                    blocks.CharBlock(label=_("Step")),
                    label=_("Steps"),
                    icon="list-ol",
                    template="community/blocks/steps.html",
                ),
            ),
            ("callout", CalloutBlock()),
            ("image", ImageChooserBlock(label=_("Image"), template="community/blocks/image.html")),
        ],
        blank=True,
        verbose_name=_("body"),
    )
    related_categories = ParentalManyToManyField(
        "community.Category",
        blank=True,
        related_name="help_articles",
        verbose_name=_("related categories"),
    )
    tags = ClusterTaggableManager(_("tags"), through=HelpArticleTag, blank=True)
    helpful_yes = models.PositiveIntegerField(_("found it helpful"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(
        _("did not find it helpful"), default=0, editable=False
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("related_categories", widget=forms.CheckboxSelectMultiple),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
    ]
    parent_page_types = ["community.HelpIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("help article page")

    def with_content_json(self, content):
        # Publishing a revision must not roll back the feedback counted since it was saved.
        page = super().with_content_json(content)
        page.helpful_yes = self.helpful_yes
        page.helpful_no = self.helpful_no
        return page

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        given = request.session.get(HELP_FEEDBACK_SESSION_KEY, [])
        context["feedback_given"] = self.pk in given
        return context


class FooterLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=60)
    url = blocks.URLBlock(label=_("address"))

    class Meta:
        icon = "link"
        label = _("link")


class ContactChannelValue(blocks.StructValue):
    def href(self) -> str:
        return contact_href(self.get("kind"), self.get("value"))


class ContactChannelBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[
            ("email", _("E-mail")),
            ("phone", _("Phone")),
            ("chat", _("Chat")),
            ("social", _("Social network")),
        ],
    )
    label = blocks.CharBlock(label=_("label"), max_length=60)
    value = blocks.CharBlock(
        label=_("address, number or link"),
        max_length=200,
        help_text=_("An e-mail address, a phone number or a web address (https://…)."),
    )

    class Meta:
        icon = "mail"
        label = _("contact channel")
        value_class = ContactChannelValue


def contact_href(kind: str, value: str) -> str:
    """The link for a contact channel, or "" when the value is not a safe link."""
    value = (value or "").strip()
    if kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            return ""
        return f"mailto:{value}"
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        return f"tel:{digits}" if len(digits) >= 3 else ""
    if re.match(r"^https?://", value, re.IGNORECASE):
        return value
    return ""


@register_setting(icon="cog")
class CommunitySettings(BaseGenericSetting):
    """Site-wide rules editors can change in the Wagtail admin."""

    first_response_hours = models.PositiveSmallIntegerField(
        _("default first-response target (hours)"),
        default=24,
        help_text=_(
            "How soon every question should get an official reply, unless its category "
            "sets its own target."
        ),
    )

    claim_expiry_hours = models.PositiveSmallIntegerField(
        _("claim expiry (hours)"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A moderator's claim on a thread lapses after this long, so no question "
            "stays stuck with someone who is away."
        ),
    )
    report_auto_hide_threshold = models.PositiveSmallIntegerField(
        _("reports before hiding"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "When this many different members report the same post, it is hidden until a "
            "moderator reviews it."
        ),
    )
    premoderation_first_posts = models.PositiveSmallIntegerField(
        _("posts held for approval"),
        default=1,
        help_text=_(
            "A new member's first posts wait for a moderator's approval. 0 turns this off."
        ),
    )
    premoderation_new_member_posts = models.PositiveSmallIntegerField(
        _("new member until (posts)"),
        default=10,
        help_text=_("Members with fewer approved posts than this count as new."),
    )
    premoderation_max_links = models.PositiveSmallIntegerField(
        _("links allowed to new members"),
        default=2,
        help_text=_("A new member's post with more links than this waits for approval."),
    )

    community_name = models.CharField(
        _("community name"),
        max_length=80,
        blank=True,
        help_text=_("Shown in the header and page titles. Leave blank to use the site's name."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown in the header in place of the community name (which stays its text alternative)."
        ),
    )
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default=DEFAULT_BRAND_COLOUR,
        validators=[HEX_COLOUR_VALIDATOR],
        help_text=_(
            "Used for links, buttons and the header. Choose a dark colour, so white text "
            "on it and it on white stay easy to read."
        ),
    )
    footer_links = StreamField(
        [("link", FooterLinkBlock())],
        verbose_name=_("footer links"),
        blank=True,
        use_json_field=True,
    )
    contact_channels = StreamField(
        [("channel", ContactChannelBlock())],
        verbose_name=_("contact channels"),
        blank=True,
        use_json_field=True,
        help_text=_("Shown in the footer under “Contact us”."),
    )

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("first_response_hours"),
                    FieldPanel("claim_expiry_hours"),
                    FieldPanel("report_auto_hide_threshold"),
                    FieldPanel("premoderation_first_posts"),
                    FieldPanel("premoderation_new_member_posts"),
                    FieldPanel("premoderation_max_links"),
                ],
                heading=_("Rules"),
            ),
            ObjectList(
                [
                    FieldPanel("community_name"),
                    FieldPanel("logo"),
                    FieldPanel("brand_colour"),
                ],
                heading=_("Branding"),
            ),
            ObjectList(
                [FieldPanel("footer_links"), FieldPanel("contact_channels")],
                heading=_("Footer"),
            ),
        ]
    )

    class Meta:
        verbose_name = _("community settings")

    @classmethod
    def base_queryset(cls):
        return super().base_queryset().select_related("logo")

    @property
    def display_name(self) -> str:
        return self.community_name or settings.WAGTAIL_SITE_NAME

    @property
    def brand_palette(self) -> dict[str, str]:
        """The brand colour and its darker and paler variants for the stylesheet's
        custom properties; falls back to the default if the stored value is not a
        plain hex colour, so nothing else can reach the inline style."""
        colour = self.brand_colour or ""
        try:
            HEX_COLOUR_VALIDATOR(colour)
        except ValidationError:
            colour = DEFAULT_BRAND_COLOUR
        if colour.lower() == DEFAULT_BRAND_COLOUR:  # the stylesheet's own, hand-picked variants
            return {"brand": DEFAULT_BRAND_COLOUR, "strong": "#154566", "soft": "#e6f0f7"}
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        strong = [round(c * 0.75) for c in rgb]
        soft = [round(c + (255 - c) * 0.88) for c in rgb]
        return {
            "brand": colour.lower(),
            "strong": "#" + "".join(f"{c:02x}" for c in strong),
            "soft": "#" + "".join(f"{c:02x}" for c in soft),
        }


class Announcement(RevisionMixin, models.Model):
    """News from the brand shown on the home page between two dates: a recall, an
    outage, a new product. Editors keep every revision."""

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

    class Meta:
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
    # When the brand promised its first official reply: fixed when the question
    # is published, so hiding an official reply later brings back the same due time.
    response_due_at = models.DateTimeField(
        _("official reply due at"), null=True, blank=True, editable=False
    )
    # When the question became public: when asked, or when a moderator approved it.
    # The official-reply clock starts here.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    # Which moderator is answering: shown to staff so two do not answer the same
    # thread. A claim lapses at claim_expires_at; an expired claim means nobody.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    claim_expires_at = models.DateTimeField(
        _("claim expires at"), null=True, blank=True, editable=False
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    solution = models.ForeignKey(
        "Reply",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("accepted solution"),
    )
    solution_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("solution marked by"),
    )
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    # The ask/reply form's key, hashed with the author (community/limits.py): the same
    # form sent twice makes one row. Unique, so two requests at once cannot both insert.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Why a moderator hid the thread: shown to its author (and staff), never to others.
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=HIDDEN_REASON_MAX_LENGTH, blank=True
    )

    tags = TaggableManager(_("tags"), blank=True, through="community.TaggedThread")

    objects = ThreadQuerySet.as_manager()

    # The services re-index a thread after commit whenever its words or its visibility
    # change (community.search); saving a row is not enough, since replies and
    # counters change it through updates.
    search_auto_update = False
    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("body"),
        index.SearchField("search_replies_text"),
        index.RelatedFields(
            "tags", [index.SearchField("name", boost=2), index.FilterField("slug")]
        ),
        index.FilterField("visibility"),
        index.FilterField("category_id"),
        index.FilterField("last_activity_at"),
        index.FilterField("solution"),
        index.FilterField("reply_count"),
        index.FilterField("first_official_reply_at"),
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
            models.Index(fields=["visibility", "-me_too_count"], name="thread_visible_votes"),
            models.Index(
                fields=["visibility", "-last_activity_at"],
                condition=models.Q(reply_count=0),
                name="thread_unanswered_activity",
            ),
            models.Index(
                fields=["visibility", "-last_activity_at"],
                condition=models.Q(first_official_reply_at__isnull=True),
                name="thread_awaiting_activity",
            ),
            models.Index(
                fields=["visibility", "response_due_at"],
                condition=models.Q(first_official_reply_at__isnull=True),
                name="thread_awaiting_due",
            ),
            models.Index(
                fields=["visibility", "-last_activity_at"],
                condition=models.Q(solution__isnull=False),
                name="thread_solved_activity",
            ),
            # The home page's "recently solved" section.
            models.Index(
                fields=["visibility", "-solved_at"],
                condition=models.Q(solution__isnull=False),
                name="thread_solved_newest",
            ),
            # The few pinned threads above the lists, found without reading the others.
            models.Index(
                fields=["visibility", "-last_activity_at"],
                condition=models.Q(is_pinned=True),
                name="thread_pinned_activity",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(visibility="pending"),
                name="thread_pending",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:160] or "thread"
            # /t/<id>/edit/ and friends are actions: a slug must never read as one.
            if self.slug in RESERVED_SLUGS:
                self.slug = f"{self.slug}-thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("community:thread_detail", kwargs={"pk": self.pk, "slug": self.slug})

    def search_replies_text(self) -> str:
        """What the visible replies say, for the search index (bounded: a long
        thread's first answers carry its vocabulary)."""
        bodies = self.replies.filter(visibility=Visibility.VISIBLE).order_by("pk")
        return " ".join(bodies.values_list("body", flat=True)[:SEARCH_REPLIES_INDEXED])

    @property
    def official_response_time(self):
        """How long the brand took to answer officially (None before it has)."""
        if self.first_official_reply_at is None:
            return None
        return self.first_official_reply_at - (self.published_at or self.created_at)

    @property
    def is_solved(self) -> bool:
        return self.solution_id is not None

    @property
    def is_closed(self) -> bool:
        """Locked or closed as a duplicate: members cannot reply any more."""
        return self.is_locked or self.duplicate_of_id is not None

    def assignee_at(self, moment):
        """Who holds the thread at `moment`, or None once the claim has lapsed."""
        if self.assigned_to_id and self.claim_expires_at and self.claim_expires_at > moment:
            return self.assigned_to
        return None

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


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
    # Why a moderator hid the reply: shown to its author (and staff), never to others.
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=HIDDEN_REASON_MAX_LENGTH, blank=True
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_at = models.DateTimeField(
        _("recommended at"), null=True, blank=True, editable=False
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    # The ask/reply form's key, hashed with the author (community/limits.py): the same
    # form sent twice makes one row. Unique, so two requests at once cannot both insert.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "visibility", "created_at"], name="reply_thread_order"),
            # "Has a recommended reply" on each row of the moderation queue: a probe per
            # row instead of a scan of every reply.
            models.Index(
                fields=["thread"],
                condition=models.Q(recommended_at__isnull=False, visibility="visible"),
                name="reply_recommended",
            ),
            # The approvals page and the moderators' header count read pending replies.
            models.Index(
                fields=["created_at"],
                condition=models.Q(visibility="pending"),
                name="reply_pending",
            ),
        ]

    def __str__(self):
        return _("Reply #%(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("community:reply_permalink", kwargs={"pk": self.pk})

    @property
    def is_recommended(self) -> bool:
        return self.recommended_at is not None


class TaggedThread(TaggedItemBase):
    content_object = models.ForeignKey(Thread, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("thread tag")
        verbose_name_plural = _("thread tags")


class HelpfulVote(models.Model):
    """A member found a reply helpful (one per member and reply)."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="helpful_once_per_member")
        ]

    def __str__(self):
        return f"helpful: reply {self.reply_id} by user {self.user_id}"


class MeToo(models.Model):
    """A member has this problem too (one per member and thread; the asker counts first)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="me_toos"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="me_too_once")]

    def __str__(self):
        return f"me too: thread {self.thread_id} by user {self.user_id}"


class Follow(models.Model):
    """A member is told about new replies on a thread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="follow_once")]

    def __str__(self):
        return f"follow: thread {self.thread_id} by user {self.user_id}"


class Revision(models.Model):
    """What a thread or reply said before an edit: edits never lose the earlier text."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField(
        _("replaced at"), default=timezone.now, help_text=_("When an edit replaced this text.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread__isnull=False, reply__isnull=True)
                | models.Q(thread__isnull=True, reply__isnull=False),
                name="revision_of_one_post",
            )
        ]

    def __str__(self):
        post = f"thread {self.thread_id}" if self.thread_id else f"reply {self.reply_id}"
        return f"revision of {post} replaced at {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("New reply on a thread you follow")
        OFFICIAL_REPLY = "official_reply", _("Official reply on your thread")
        SOLUTION = "solution", _("A solution was accepted")
        ACCEPTED = "accepted", _("Your reply was accepted as the solution")
        RECOMMENDED = "recommended", _("Your reply was recommended")
        MENTION = "mention", _("You were mentioned")
        ASSIGNED = "assigned", _("A thread was assigned to you")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for user {self.recipient_id} on thread {self.thread_id}"

    def get_absolute_url(self):
        if self.reply_id:
            return reverse("community:reply_permalink", kwargs={"pk": self.reply_id})
        return reverse("community:thread_detail_short", kwargs={"pk": self.thread_id})


class Deflection(models.Model):
    """A member about to ask who found their answer in a suggestion instead: counted
    once per member and thread or help article, shown in the moderation metrics."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deflections",
        verbose_name=_("member"),
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("thread"),
    )
    help_article = models.ForeignKey(
        "community.HelpArticlePage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("help article"),
    )
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("question answered before asking")
        verbose_name_plural = _("questions answered before asking")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread__isnull=False, help_article__isnull=True)
                | models.Q(thread__isnull=True, help_article__isnull=False),
                name="deflection_one_answer",
            ),
            models.UniqueConstraint(
                fields=["member", "thread"],
                condition=models.Q(thread__isnull=False),
                name="deflection_once_per_thread",
            ),
            models.UniqueConstraint(
                fields=["member", "help_article"],
                condition=models.Q(help_article__isnull=False),
                name="deflection_once_per_article",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="deflection_created")]

    def __str__(self):
        return str(self.thread or self.help_article)
