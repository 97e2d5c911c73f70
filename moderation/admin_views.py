"""The community inside the Wagtail admin: threads, replies and reports to read.

Editors (admin access) and moderators read the lists and inspect a post; nobody
adds, edits or deletes them here, since posts are written on the site. Hiding and
restoring go through the moderation services, for moderators only, with a reason,
and land in the audit log like every other moderation action.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.defaults import permission_denied
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry

from accounts.roles import ADMIN_ACCESS_PERMISSION, MODERATE_PERMISSION, is_editor, is_moderator
from community.models import Category, Reply, Thread, Visibility
from community.querysets import officially_answered_q, readable_q
from moderation import permissions, reports_selectors, selectors, services
from moderation.models import Report
from moderation.services.reasons import REASON_MAX_LENGTH

EXCERPT_WORDS = 16

# Permission policy ----------------------------------------------------------------


class CommunityReadOnlyPolicy(BasePermissionPolicy):
    """Staff with admin access may look ("view"); nobody adds, changes or deletes."""

    def user_has_permission(self, user, action):
        return action == "view" and (is_editor(user) or is_moderator(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        holds = Q(is_superuser=True)
        for permission in (ADMIN_ACCESS_PERMISSION, MODERATE_PERMISSION):
            app_label, codename = permission.split(".")
            for via in ("groups__permissions", "user_permissions"):
                holds |= Q(
                    **{f"{via}__content_type__app_label": app_label, f"{via}__codename": codename}
                )
        return users.filter(holds).distinct()


# What each staff member may read ----------------------------------------------------


def readable_rows(model, user):
    """The threads, replies or reports `user` reads in the admin. Moderators read
    everything, as on the site; an editor without the moderation permission reads
    what the site shows them: visible posts (and their own), replies on threads they
    may read, and reports on such posts only. The rest is missing for them (404)."""
    rows = model._default_manager.all()
    if permissions.can_moderate(user):
        return rows
    if model is Thread:
        return rows.filter(readable_q(user))
    if model is Reply:
        return rows.filter(readable_q(user), readable_q(user, "thread__"))
    # A report: on a readable thread, and on a readable reply where it names one.
    reply_readable = Q(reply__isnull=True) | readable_q(user, "reply__")
    return rows.filter(readable_q(user, "thread__"), reply_readable)


# Fields only moderators read in the inspect views: why a post was hidden.
MODERATOR_FIELDS = ("hidden_reason",)


# Official-reply status ------------------------------------------------------------
# The admin shows the official-reply state of every thread, hidden and pending ones
# too, so unlike the queue's conditions (community.querysets: awaiting_official_reply_q,
# overdue_q) these leave visibility aside; the editors' links add visibility=visible
# to list the queue itself.

OFFICIAL_STATUSES = (
    ("answered", _("Answered")),
    ("awaiting", _("Awaiting")),
    ("overdue", _("Overdue")),
)


def official_status_q(status: str, *, at) -> Q:
    """The threads the list's "Official reply" filter shows at `at`: officially
    answered; awaiting (not answered, overdue ones included); or overdue."""
    answered = officially_answered_q()
    if status == "answered":
        return answered
    if status == "overdue":
        return ~answered & Q(response_due_at__lt=at)
    return ~answered


def official_status(thread: Thread, now=None) -> str:
    """The column's state of one loaded thread, by the conditions of
    official_status_q and without a query: "awaiting" here is within its target
    (a test holds the two together)."""
    if thread.first_official_reply_at is not None:
        return "answered"
    if thread.response_due_at is not None and thread.response_due_at < (now or timezone.now()):
        return "overdue"
    return "awaiting"


def official_status_label(thread: Thread) -> str:
    return dict(OFFICIAL_STATUSES)[official_status(thread)]


# Filters --------------------------------------------------------------------------

PUBLISHED_CHOICES = (("today", _("Today")), ("week", _("Last 7 days")))


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


class ThreadFilterSet(WagtailFilterSet):
    visibility = django_filters.ChoiceFilter(
        label=_("Status"), choices=Visibility.choices, empty_label=_("All")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.originals(), empty_label=_("All")
    )
    official = django_filters.ChoiceFilter(
        label=_("Official reply"),
        choices=OFFICIAL_STATUSES,
        empty_label=_("All"),
        method="filter_official",
    )
    hidden = django_filters.BooleanFilter(
        label=_("Hidden"), method="filter_hidden", widget=forms.NullBooleanSelect
    )
    published = django_filters.ChoiceFilter(
        label=_("Published"),
        choices=PUBLISHED_CHOICES,
        empty_label=_("Any time"),
        method="filter_published",
    )

    class Meta:
        model = Thread
        fields = ["visibility", "category"]

    def filter_official(self, queryset, name, value):
        if value not in dict(OFFICIAL_STATUSES):
            return queryset
        return queryset.filter(official_status_q(value, at=timezone.now()))

    def filter_hidden(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(visibility=Visibility.HIDDEN)
        return queryset.exclude(visibility=Visibility.HIDDEN)

    def filter_published(self, queryset, name, value):
        if value == "today":
            return queryset.filter(published_at__gte=_start_of_today())
        if value == "week":
            return queryset.filter(published_at__gte=timezone.now() - timedelta(days=7))
        return queryset


class ReplyFilterSet(WagtailFilterSet):
    is_official = django_filters.BooleanFilter(
        label=_("Official reply"), widget=forms.NullBooleanSelect
    )
    visibility = django_filters.ChoiceFilter(
        label=_("Status"), choices=Visibility.choices, empty_label=_("All")
    )

    class Meta:
        model = Reply
        fields = ["is_official", "visibility"]


class ReportFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Report.Status.choices, empty_label=_("All")
    )
    reason = django_filters.ChoiceFilter(
        label=_("Reason"), choices=Report.Reason.choices, empty_label=_("All")
    )

    class Meta:
        model = Report
        fields = ["status", "reason"]


# Hide and restore -----------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if required:
            self.fields["reason"].help_text = _("The author reads it with their hidden post.")
        else:
            self.fields["reason"].help_text = _("Optional: kept in the history.")


@dataclass(frozen=True)
class PostAction:
    """What the page that hides (or restores) one kind of post says, and the
    moderation service it runs."""

    title: str
    service: Callable
    done: str


class ModerationActionView(View):
    """Confirm, with a reason, and run one moderation service on one post.

    Moderators only (403 for editors); the service re-checks and writes the log.
    The post's viewset (PostViewSet) says which post, which action and where the
    post's inspect view is.
    """

    model = None
    related = ()  # read with the post for the confirmation page
    hide = True
    action: PostAction | None = None
    template_name = "moderation/admin/moderation_action.html"
    inspect_url_name = ""

    def dispatch(self, request, *args, pk, **kwargs):
        try:
            permissions.check_moderate(request.user)
        except PermissionDenied as denied:
            # Wagtail turns a raised PermissionDenied into a redirect to the admin
            # home; a refused moderation action answers 403 as it does on the site.
            return permission_denied(request, denied)
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.select_related("author", *self.related)

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return ReasonForm(data, required=self.hide)

    def get(self, request):
        return self.render(self.get_form())

    def post(self, request):
        form = self.get_form()
        if form.is_valid():
            try:
                self.run(reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                messages.success(request, self.action.done)
                return redirect(reverse(self.inspect_url_name, args=[self.object.pk]))
        return self.render(form, status=400)

    def run(self, *, reason):
        post = {self.model._meta.model_name: self.object}  # thread= or reply=
        self.action.service(moderator=self.request.user, reason=reason, **post)

    def render(self, form, status=200):
        context = {
            "object": self.object,
            "form": form,
            "hide": self.hide,
            "title": self.action.title,
            "inspect_url": reverse(self.inspect_url_name, args=[self.object.pk]),
            "action_url": self.request.path,
            "header_icon": "no-view" if self.hide else "view",
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


def _moderation_button(request, obj, url_namespace, cls=MenuItem):
    """The hide or restore button for a post, for moderators only (None otherwise)."""
    if not permissions.can_moderate(request.user):
        return None
    if obj.visibility == Visibility.HIDDEN:
        label, action, icon = _("Restore"), "restore", "view"
    else:
        label, action, icon = _("Hide"), "hide", "no-view"
    url = reverse(f"{url_namespace}:{action}", args=[obj.pk])
    return cls(label, url=url, icon_name=icon, priority=40)


class InspectURLFinder(ModelAdminURLFinder):
    """Links to a post in the admin (the audit log, reports) open its inspect view."""

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and not policy.user_has_permission(self.user, "view"):
            return None
        return self.construct_edit_url(instance)


class ReadableHistoryView(HistoryView):
    """Who hid or restored a post, when and why: readable by every staff member who
    may read the post itself (readable_rows)."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return readable_rows(self.model, self.request.user)


class ReadOnlyViewSet(ModelViewSet):
    """A listing with filters, an inspect view and the history; no forms at all."""

    history_view_class = ReadableHistoryView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        # Only the reading views: no add, edit, copy or delete routes exist at all.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("usage/<int:pk>/", self.usage_view, name="usage"),
        ]

    @property
    def url_finder_class(self):
        return type(
            "InspectURLFinder", (InspectURLFinder,), {"edit_url_name": self.get_url_name("inspect")}
        )


class PostIndexView(generic.IndexView):
    moderation_namespace = ""
    related = ()

    def get_base_queryset(self):
        return readable_rows(self.model, self.request.user).select_related(*self.related)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        button = _moderation_button(self.request, instance, self.moderation_namespace)
        if button is not None:
            buttons.append(button)
        return buttons


class PostInspectView(generic.InspectView):
    moderation_namespace = ""
    related = ()

    def get_object(self, queryset=None):
        rows = readable_rows(self.model, self.request.user).select_related(*self.related)
        return get_object_or_404(rows, pk=self.pk)

    def get_fields(self):
        fields = super().get_fields()
        if permissions.can_moderate(self.request.user):
            return fields
        return [name for name in fields if name not in MODERATOR_FIELDS]

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("View on site"),
                url=self.object.get_absolute_url(),
                icon_name="link-external",
                priority=30,
            )
        )
        buttons.append(
            Button(
                _("History"),
                url=reverse(f"{self.moderation_namespace}:history", args=[self.object.pk]),
                icon_name="history",
                priority=35,
            )
        )
        button = _moderation_button(self.request, self.object, self.moderation_namespace, Button)
        if button is not None:
            buttons.append(button)
        return buttons


def visibility_column() -> Column:
    """A post's status (visible, pending, hidden) in a list, sortable."""
    return Column(
        "visibility", label=_("Status"), accessor="get_visibility_display", sort_key="visibility"
    )


class PostViewSet(ReadOnlyViewSet):
    """Threads and replies: the reading views, and the pages that hide and restore
    a post (for moderators)."""

    index_view_class = PostIndexView
    inspect_view_class = PostInspectView
    # What is read with each row of the list, with the inspected post, and with the
    # post on the hide and restore pages.
    list_related: tuple[str, ...] = ()
    inspect_related: tuple[str, ...] = ()
    action_related: tuple[str, ...] = ()
    hiding: PostAction
    restoring: PostAction

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            moderation_namespace=self.name, related=self.list_related, **kwargs
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            moderation_namespace=self.name, related=self.inspect_related, **kwargs
        )

    def get_urlpatterns(self):
        def action_view(action: PostAction, *, hide: bool):
            return ModerationActionView.as_view(
                model=self.model,
                related=self.action_related,
                hide=hide,
                action=action,
                inspect_url_name=self.get_url_name("inspect"),
            )

        return [
            *super().get_urlpatterns(),
            path("<int:pk>/hide/", action_view(self.hiding, hide=True), name="hide"),
            path("<int:pk>/restore/", action_view(self.restoring, hide=False), name="restore"),
        ]


# Threads --------------------------------------------------------------------------


class ThreadInspectView(PostInspectView):
    def get_field_label(self, field_name, field):
        if field_name == "official_status":
            return _("Official reply")
        return super().get_field_label(field_name, field)

    def get_official_status_display_value(self):
        return official_status_label(self.object)


class ThreadViewSet(PostViewSet):
    model = Thread
    name = "community_threads"
    url_prefix = "community/threads"
    icon = "doc-full"
    menu_label = _("Threads")
    menu_order = 100
    inspect_view_class = ThreadInspectView
    list_display = [
        "title",
        Column(
            "category", label=_("Category"), accessor="category.local_name", sort_key="category"
        ),
        Column("author", label=_("Author"), accessor="author"),
        visibility_column(),
        Column("official_status", label=_("Official reply"), accessor=official_status_label),
        DateColumn("created_at", label=_("Asked"), sort_key="created_at"),
    ]
    filterset_class = ThreadFilterSet
    search_fields = ["title"]
    search_backend_name = None  # the database's own lookups: always in step with posts
    inspect_view_fields = [
        "title",
        "category",
        "author",
        "visibility",
        "hidden_reason",
        "official_status",
        "created_at",
        "published_at",
        "response_due_at",
        "first_official_reply_at",
        "reply_count",
        "me_too_count",
        "is_locked",
        "is_pinned",
        "body",
    ]
    list_related = ("category", "author")
    inspect_related = ("category", "author", "assigned_to")
    hiding = PostAction(_("Hide thread"), services.thread_hide, _("Thread hidden."))
    restoring = PostAction(_("Restore thread"), services.thread_restore, _("Thread restored."))
    action_related = ("category",)


# Replies --------------------------------------------------------------------------


def reply_excerpt(reply: Reply) -> str:
    return Truncator(" ".join(reply.body.split())).words(EXCERPT_WORDS)


class ReplyViewSet(PostViewSet):
    model = Reply
    name = "community_replies"
    url_prefix = "community/replies"
    icon = "comment"
    menu_label = _("Replies")
    menu_order = 110
    list_display = [
        Column("excerpt", label=_("Reply"), accessor=reply_excerpt),
        Column("thread", label=_("Thread"), accessor="thread.title", sort_key="thread"),
        Column("author", label=_("Author"), accessor="author"),
        BooleanColumn("is_official", label=_("Official"), sort_key="is_official"),
        visibility_column(),
        DateColumn("created_at", label=_("Posted"), sort_key="created_at"),
    ]
    filterset_class = ReplyFilterSet
    inspect_view_fields = [
        "thread",
        "author",
        "is_official",
        "visibility",
        "hidden_reason",
        "created_at",
        "edited_at",
        "helpful_count",
        "body",
    ]
    list_related = inspect_related = ("thread", "author")
    hiding = PostAction(_("Hide reply"), services.reply_hide, _("Reply hidden."))
    restoring = PostAction(_("Restore reply"), services.reply_restore, _("Reply restored."))
    action_related = ("thread",)


# Reports --------------------------------------------------------------------------


def report_post(report: Report) -> str:
    if report.reply_id:
        return _("Reply #%(number)s on “%(title)s”") % {
            "number": report.reply_id,
            "title": report.thread.title,
        }
    return str(report.thread)


class ReportIndexView(generic.IndexView):
    def get_base_queryset(self):
        return readable_rows(Report, self.request.user).select_related("reporter", "thread")


class ReportInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        rows = readable_rows(Report, self.request.user)
        return get_object_or_404(
            rows.select_related("reporter", "thread", "reply", "resolved_by"), pk=self.pk
        )


class ReportViewSet(ReadOnlyViewSet):
    model = Report
    name = "community_reports"
    url_prefix = "community/reports"
    icon = "warning"
    menu_label = _("Reports")
    menu_order = 120
    index_view_class = ReportIndexView
    inspect_view_class = ReportInspectView
    list_display = [
        Column("post", label=_("Reported post"), accessor=report_post),
        Column("reporter", label=_("Reported by"), accessor="reporter"),
        Column("reason", label=_("Reason"), accessor="get_reason_display", sort_key="reason"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        DateColumn("created_at", label=_("Reported"), sort_key="created_at"),
    ]
    filterset_class = ReportFilterSet
    inspect_view_fields = [
        "thread",
        "reply",
        "reporter",
        "reason",
        "note",
        "status",
        "created_at",
        "resolved_by",
        "resolved_at",
        "resolution_note",
    ]


class CommunityViewSetGroup(ViewSetGroup):
    menu_label = _("Community")
    menu_icon = "group"
    menu_order = 200
    items = (ThreadViewSet, ReplyViewSet, ReportViewSet)


# Dashboard panel ------------------------------------------------------------------


class CommunityPanel(Component):
    """The community at a glance on the admin home, each count a link, in four queries."""

    name = "community_summary"
    template_name = "moderation/admin/dashboard_panel.html"
    order = 90

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        counts = selectors.queue_counts()
        threads_url = reverse("community_threads:index")
        reports_url = reverse("community_reports:index")
        if permissions.can_moderate(self.request.user):
            awaiting_url = reverse("moderation:queue")
            overdue_url = f"{awaiting_url}?filter=overdue"
            reports_url = reverse("moderation:reports")
        else:
            # Editors cannot open the moderation tools: the admin lists show the same rows.
            awaiting_url = f"{threads_url}?visibility=visible&official=awaiting"
            overdue_url = f"{threads_url}?visibility=visible&official=overdue"
            reports_url = f"{reports_url}?status=open"
        today = Thread.objects.filter(
            visibility=Visibility.VISIBLE, published_at__gte=_start_of_today()
        ).count()
        return {
            "items": [
                {
                    "label": _("Awaiting an official reply"),
                    "count": counts.awaiting,
                    "url": awaiting_url,
                    "icon": "time",
                },
                {
                    "label": _("Overdue"),
                    "count": counts.overdue,
                    "url": overdue_url,
                    "icon": "warning",
                    "alert": counts.overdue > 0,
                },
                {
                    "label": _("Open reports"),
                    "count": reports_selectors.open_report_count(),
                    "url": reports_url,
                    "icon": "error",
                },
                {
                    "label": _("New threads today"),
                    "count": today,
                    "url": f"{threads_url}?published=today",
                    "icon": "doc-full",
                },
            ]
        }
