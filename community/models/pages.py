"""The pages editors write in Wagtail: the home page, content pages and the help
centre."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index

from community.blocks import HOME_BODY_BLOCKS, THREADS_ON_PAGE, ThreadsOnPage
from community.cache import cache_page_for_visitors, content_version
from community.page_languages import in_reader_language, page_language, page_versions


class PageInLanguages:
    """Gives templates the page's language and its live versions in every language
    (the hreflang links, the note on a page not yet translated): one query."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_language"] = page_language(self)
        context["page_versions"] = page_versions(self, request)
        return context


class VisitorCachedPage(PageInLanguages):
    """Serves signed-out visitors one rendering of the page until the next write
    (community.cache.cache_page_for_visitors); members get theirs rendered."""

    def serves_visitors_from_cache(self, request) -> bool:
        return True

    def serve(self, request, *args, **kwargs):
        if not self.serves_visitors_from_cache(request):
            return super().serve(request, *args, **kwargs)
        return cache_page_for_visitors(super().serve)(request, *args, **kwargs)


class HomePage(VisitorCachedPage, Page):
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
    # One home page per language: the French one is a translation of the English.
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["community.ContentPage", "community.HelpIndexPage", "community.LegalPage"]

    class Meta:
        verbose_name = _("home page")

    @classmethod
    def can_create_at(cls, parent):
        return super().can_create_at(parent) and (
            cls.objects.count() < len(settings.WAGTAIL_CONTENT_LANGUAGES)
        )

    def get_cache_key_components(self):
        # The sections list threads and categories: any write moves the content version
        # on, and each language has its own copy.
        return [
            *super().get_cache_key_components(),
            content_version(),
            translation.get_language(),
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Each thread shows in one section only (community.blocks.ThreadsOnPage).
        context[THREADS_ON_PAGE] = ThreadsOnPage(self.sections)
        return context

    @property
    def leading_hero(self):
        """The first section, when it is a hero: the template gives it the full width."""
        if self.body and self.body[0].block_type == "hero":
            return self.body[0]
        return None

    @property
    def sections(self):
        return list(self.body)[1:] if self.leading_hero else list(self.body)


class ContentPage(VisitorCachedPage, Page):
    """An ordinary page written by editors: help, guidelines, about."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")


class LegalKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy policy")
    TERMS = "terms", _("Terms of use")
    NOTICE = "notice", _("Legal notice")


class LegalPage(PageInLanguages, Page):
    """The privacy policy, the terms of use or the legal notice: one page of each kind.

    The footer and the sign-up form link to them by kind (the `legal_page` URL), so
    an editor may move or rename them; members accept the published revision of the
    terms and of the privacy policy when they sign up.
    """

    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=LegalKind,
        help_text=_("The footer and the sign-up form link to the page of each kind."),
    )
    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    body = RichTextField(
        _("body"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["community.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")

    def clean(self):
        super().clean()
        # One of each kind per language: its translations share the kind.
        others = LegalPage.objects.filter(kind=self.kind, locale_id=self.locale_id).exclude(
            pk=self.pk
        )
        if self.kind and others.exists():
            raise ValidationError(
                {"kind": _("There is already a page of this kind: edit that one instead.")}
            )


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


class HelpIndexPage(VisitorCachedPage, Page):
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
        # The articles under this index and under its versions in other languages,
        # each in the reader's language where translated.
        indexes = Q()
        for index_path in HelpIndexPage.objects.filter(
            translation_key=self.translation_key
        ).values_list("path", flat=True):
            indexes |= Q(path__startswith=index_path)
        articles = (
            HelpArticlePage.objects.filter(indexes, depth=self.depth + 1)
            .live()
            .public()
            .only("id", "title", "slug", "url_path", "summary", "path", "depth", "translation_key")
        )
        context["articles"] = in_reader_language(articles, translation.get_language()).order_by(
            "title"
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


class HelpArticlePage(VisitorCachedPage, Page):
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
        # The categories themselves: their translations only lend them names.
        limit_choices_to={"locale__language_code": settings.LANGUAGE_CODE},
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

    def serves_visitors_from_cache(self, request) -> bool:
        # A visitor who rated the article is thanked on it: that page is theirs.
        return self.pk not in request.session.get(HELP_FEEDBACK_SESSION_KEY, [])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        given = request.session.get(HELP_FEEDBACK_SESSION_KEY, [])
        context["feedback_given"] = self.pk in given
        return context
