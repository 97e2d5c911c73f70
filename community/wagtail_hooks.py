from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from community.models import Category


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "slug", "position", "first_response_hours"]
    search_fields = ["name", "description"]
    ordering = ["position", "name"]


register_snippet(CategoryViewSet)
