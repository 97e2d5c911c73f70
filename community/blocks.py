"""The sections editors arrange on the home page.

Sections that list community content read it in ``get_context`` with a fixed
number of queries, however many threads or categories there are; the home page
caches the rendered sections (see HomePage.get_cache_key_components).
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

HOME_RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]
LATEST_THREADS_MAX = 12


class ThreadChooserBlock(blocks.ChooserBlock):
    """A thread picked in the admin's thread chooser (visible threads only)."""

    # Blocks are built while models load: the model and the widget are looked up later.
    @cached_property
    def target_model(self):
        from community.models.forum import Thread

        return Thread

    @cached_property
    def widget(self):
        from community.admin_views import thread_chooser_viewset

        return thread_chooser_viewset.widget_class()

    class Meta:
        icon = "comment"


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.RichTextBlock(
        label=_("text"), features=["bold", "italic", "link"], required=False
    )
    show_search = blocks.BooleanBlock(label=_("show the search box"), default=True, required=False)

    class Meta:
        icon = "title"
        label = _("Hero")
        template = "community/blocks/hero.html"


class SectionBlock(blocks.StructBlock):
    """A home page section with an optional heading; empty, it reads in the visitor's language."""

    heading = blocks.CharBlock(
        label=_("heading"),
        max_length=80,
        required=False,
        help_text=_("Leave empty for the default heading, translated for each visitor."),
    )


class CategoryGridBlock(SectionBlock):
    show_counts = blocks.BooleanBlock(
        label=_("show how many discussions each has"), default=True, required=False
    )

    class Meta:
        icon = "folder-open-inverse"
        label = _("Category grid")
        template = "community/blocks/category_grid.html"

    def get_context(self, value, parent_context=None):
        from community.selectors import category_list

        context = super().get_context(value, parent_context)
        context["categories"] = category_list()
        return context


class FeaturedThreadsBlock(SectionBlock):
    threads = blocks.ListBlock(
        ThreadChooserBlock(label=_("thread")), label=_("threads"), min_num=1, max_num=10
    )

    class Meta:
        icon = "pick"
        label = _("Featured threads")
        template = "community/blocks/featured_threads.html"

    def get_context(self, value, parent_context=None):
        from community.selectors import featured_threads

        context = super().get_context(value, parent_context)
        # Read again with what a row shows; a thread hidden since it was chosen drops out.
        chosen = [thread.pk for thread in value["threads"] if thread is not None]
        context["threads"] = featured_threads(pks=chosen)
        return context


class LatestThreadsBlock(SectionBlock):
    SOLVED = "solved"
    ACTIVE = "active"
    UNANSWERED = "unanswered"

    show = blocks.ChoiceBlock(
        label=_("show"),
        choices=[
            (SOLVED, _("Recently solved")),
            (ACTIVE, _("Latest activity")),
            (UNANSWERED, _("Waiting for a first reply")),
        ],
        default=SOLVED,
    )
    count = blocks.IntegerBlock(
        label=_("how many"), default=5, min_value=1, max_value=LATEST_THREADS_MAX
    )

    class Meta:
        icon = "list-ul"
        label = _("Latest threads")
        template = "community/blocks/latest_threads.html"

    def get_context(self, value, parent_context=None):
        from community.selectors import latest_threads

        context = super().get_context(value, parent_context)
        context["threads"] = latest_threads(show=value["show"], limit=value["count"])
        return context


class AnnouncementsBlock(SectionBlock):
    count = blocks.IntegerBlock(label=_("how many"), default=3, min_value=1, max_value=10)

    class Meta:
        icon = "info-circle"
        label = _("Announcements")
        template = "community/blocks/announcements.html"

    def get_context(self, value, parent_context=None):
        from community.selectors import current_announcements

        context = super().get_context(value, parent_context)
        context["announcements"] = current_announcements(limit=value["count"])
        return context


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.TextBlock(label=_("text"), max_length=300, required=False)
    button_label = blocks.CharBlock(
        label=_("button label"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for “Ask the community”, translated for each visitor."),
    )

    class Meta:
        icon = "help"
        label = _("Call to action: ask")
        template = "community/blocks/call_to_action.html"


class HomeRichTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = _("Rich text")
        template = "community/blocks/home_rich_text.html"


HOME_BODY_BLOCKS = [
    ("hero", HeroBlock()),
    ("category_grid", CategoryGridBlock()),
    ("featured_threads", FeaturedThreadsBlock()),
    ("latest_threads", LatestThreadsBlock()),
    ("announcements", AnnouncementsBlock()),
    ("rich_text", HomeRichTextBlock(features=HOME_RICH_TEXT_FEATURES)),
    ("call_to_action", CallToActionBlock()),
]
