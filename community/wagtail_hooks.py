from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet

from community.admin_views import (
    AnnouncementFilterSet,
    CategoryFilterSet,
    MissingTranslationsReportView,
    can_translate,
    thread_chooser_viewset,
)
from community.models import Announcement, Category, Footer
from community.privacy import member_data_sections
from community.translation_admin import TranslatableSnippetViewSet
from community.webhook_admin import WebhookSubscriptionViewSet


class MenuSnippetViewSet(TranslatableSnippetViewSet):
    """A translatable snippet with an item of its own in the admin menu, searched with
    the database's own lookups, so a search is always in step with the latest edits."""

    add_to_admin_menu = True
    search_backend_name = None


class CategoryViewSet(MenuSnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    menu_order = 200
    list_display = ["name", "slug", "position", "first_response_hours"]
    search_fields = ["name", "description"]
    filterset_class = CategoryFilterSet
    ordering = ["position", "name"]


class AnnouncementViewSet(MenuSnippetViewSet):
    """News from the brand for the home page's announcements section."""

    model = Announcement
    icon = "info-circle"
    menu_label = _("Announcements")
    menu_order = 205
    list_display = [
        "title",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "starts_at",
        "ends_at",
        "updated_at",
    ]
    list_export = ["title", "starts_at", "ends_at", "link_url"]
    search_fields = ["title", "body"]
    filterset_class = AnnouncementFilterSet
    ordering = ["-starts_at"]


register_snippet(CategoryViewSet)


register_snippet(AnnouncementViewSet)


class FooterViewSet(TranslatableSnippetViewSet):
    """The footer's links and contact channels, one for each language (Settings →
    Community settings says it is edited here)."""

    model = Footer
    icon = "list-ul"
    menu_label = _("Footer")
    list_display = ["__str__", "locale"]
    search_fields = []


register_snippet(FooterViewSet)


register_snippet(WebhookSubscriptionViewSet)


@hooks.register("register_admin_viewset")
def register_thread_chooser():
    return thread_chooser_viewset


@hooks.register("member_data_export")
def community_member_data(user):
    """The member's posts, votes, follows and notifications in their data export."""
    return member_data_sections(user)


@hooks.register("register_admin_urls")
def register_missing_translations_report():
    view = MissingTranslationsReportView
    return [
        path("reports/missing-translations/", view.as_view(), name=view.index_url_name),
        path(
            "reports/missing-translations/results/",
            view.as_view(results_only=True),
            name=view.index_results_url_name,
        ),
    ]


class TranslatorMenuItem(MenuItem):
    def is_shown(self, request):
        return can_translate(request.user)


@hooks.register("register_reports_menu_item")
def register_missing_translations_menu_item():
    return TranslatorMenuItem(
        _("Missing translations"),
        reverse(MissingTranslationsReportView.index_url_name),
        name="missing-translations",
        icon_name="globe",
        order=1100,
    )
