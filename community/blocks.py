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
# The key under which the home page hands its sections the threads shown so far.
THREADS_ON_PAGE = "threads_on_page"


class ThreadsOnPage:
    """Which threads the home page's sections have shown, so each shows only once.

    Threads an editor featured belong to their featured section, wherever it
    stands on the page: an editor's choice outranks an automatic list. Every
    other thread goes to the first list, top to bottom, that would show it, and
    later lists fill their count with threads not shown above. Nothing is read
    until a section asks (the sections may come from the cache).
    """

    def __init__(self, sections):
        self.sections = sections
        self.shown: set[int] | None = None

    def _start(self) -> set[int]:
        if self.shown is None:
            self.shown = {
                thread.pk
                for block in self.sections
                if block.block_type == "featured_threads"
                for thread in block.value["threads"]
                if thread is not None
            }
        return self.shown

    def not_shown_yet(self) -> set[int]:
        """The ids a list must leave out: featured threads and those listed above."""
        return set(self._start())

    def add(self, threads) -> None:
        self._start().update(thread.pk for thread in threads)


def _threads_on_page(parent_context) -> ThreadsOnPage | None:
    return (parent_context or {}).get(THREADS_ON_PAGE)


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
        from community.selectors import latest_threads, reader_language

        context = super().get_context(value, parent_context)
        on_page = _threads_on_page(parent_context)
        threads = latest_threads(
            show=value["show"],
            limit=value["count"],
            exclude=on_page.not_shown_yet() if on_page else (),
            reader=reader_language(),
        )
        if on_page:
            on_page.add(threads)
        context["threads"] = threads
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
