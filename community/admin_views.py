"""Community models in the Wagtail admin: the thread chooser editors use to
feature threads on the home page, and the filters of the snippet lists."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from community.models.announcements import Announcement, AnnouncementStatus
from community.models.forum import Category, Thread
from community.translations import untranslated_list

TITLE_SEARCH_MAX_LENGTH = 200


class ThreadFilterForm(BaseFilterForm):
    # The database's own lookups rather than the search index: a thread posted a
    # moment ago can be featured at once.
    q = forms.CharField(
        label=_("Search term"),
        max_length=TITLE_SEARCH_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Search titles")}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.originals(),
        required=False,
        empty_label=_("All categories"),
    )
    solved = forms.BooleanField(label=_("Solved only"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            objects = objects.filter(title__icontains=query)
            self.is_searching = True
            self.search_query = query
        if category := self.cleaned_data.get("category"):
            objects = objects.filter(category=category)
        if self.cleaned_data.get("solved"):
            objects = objects.solved()
        return objects


class ThreadChooseViewMixin:
    filter_form_class = ThreadFilterForm
    ordering = ["-last_activity_at", "-pk"]

    def get_object_list(self):
        # Only what visitors can read: a hidden or pending thread is never featured.
        return Thread.objects.visible().select_related("category")

    @property
    def columns(self):
        return [
            *super().columns,
            Column("category", label=_("Category"), accessor="category.local_name"),
            Column("reply_count", label=_("Replies")),
            Column("status", label=_("Status"), accessor=thread_status_label),
        ]


def thread_status_label(thread: Thread) -> str:
    if thread.solution_id:
        return _("Solved")
    if thread.first_official_reply_at:
        return _("Official reply")
    return _("Open")


class ThreadChooseView(ThreadChooseViewMixin, ChooseView):
    pass


class ThreadChooseResultsView(ThreadChooseViewMixin, ChooseResultsView):
    pass


class ThreadChooserViewSet(ChooserViewSet):
    model = Thread
    icon = "comment"
    choose_one_text = _("Choose a thread")
    choose_another_text = _("Choose another thread")
    edit_item_text = _("View this thread")
    choose_view_class = ThreadChooseView
    choose_results_view_class = ThreadChooseResultsView
    per_page = 20


thread_chooser_viewset = ThreadChooserViewSet("thread_chooser")


# Snippet list filters -------------------------------------------------------------


class AnnouncementFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=AnnouncementStatus.choices,
        empty_label=_("All"),
        method="filter_status",
    )

    class Meta:
        model = Announcement
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.status(value)


class CategoryFilterSet(WagtailFilterSet):
    own_target = django_filters.BooleanFilter(
        label=_("Own first-response target"),
        field_name="first_response_hours",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = Category
        fields = []


class MissingTranslationsReportView(ReportView):
    """Reports → Missing translations: what editors still have to translate, each with
    the link to wagtail-localize's "Translate" action."""

    page_title = _("Missing translations")
    header_icon = "globe"
    index_url_name = "community_missing_translations"
    index_results_url_name = "community_missing_translations_results"
    paginate_by = 50

    @property
    def columns(self):
        return [
            TitleColumn(
                "title", label=_("Title"), get_url=lambda row: row.translate_url, sort_key=None
            ),
            Column("kind", label=_("Type")),
            Column("language", label=_("Written in")),
            Column("missing_names", label=_("Missing in")),
        ]

    def dispatch(self, request, *args, **kwargs):
        if not can_translate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return untranslated_list()


TRANSLATE_PERMISSION = "wagtail_localize.submit_translation"


def can_translate(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(TRANSLATE_PERMISSION))
