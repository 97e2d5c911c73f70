from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from community.admin_views import (
    AnnouncementFilterSet,
    CategoryFilterSet,
    thread_chooser_viewset,
)
from community.models import Announcement, Category


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "slug", "position", "first_response_hours"]
    search_fields = ["name", "description"]
    search_backend_name = None  # the database's own lookups: always in step with edits
    filterset_class = CategoryFilterSet
    ordering = ["position", "name"]


class AnnouncementViewSet(SnippetViewSet):
    """News from the brand for the home page's announcements section."""

    model = Announcement
    icon = "info-circle"
    menu_label = _("Announcements")
    menu_order = 205
    add_to_admin_menu = True
    list_display = [
        "title",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "starts_at",
        "ends_at",
        "updated_at",
    ]
    list_export = ["title", "starts_at", "ends_at", "link_url"]
    search_fields = ["title", "body"]
    search_backend_name = None
    filterset_class = AnnouncementFilterSet
    ordering = ["-starts_at"]


register_snippet(CategoryViewSet)
register_snippet(AnnouncementViewSet)


@hooks.register("register_admin_viewset")
def register_thread_chooser():
    return thread_chooser_viewset
