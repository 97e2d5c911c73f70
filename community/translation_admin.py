"""The snippet listings of translatable models, in a fixed number of queries.

wagtail-localize adds "Translate" and "Sync translated snippets" to each row of a
snippet listing with two queries per row (which locales the row still lacks, and
its translation source). These listings read the same facts for every row at
once, and show the same buttons.
"""

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.widgets.button import BaseButton, Button, ButtonWithDropdown
from wagtail.models import Locale
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet
from wagtail_localize import wagtail_hooks as localize_hooks
from wagtail_localize.models import TranslationSource

SUBMIT_TRANSLATION_PERMISSION = "wagtail_localize.submit_translation"


class TranslatableIndexView(IndexView):
    @cached_property
    def _translation_state(self) -> tuple[int, dict, dict]:
        """How many locales there are, the locales of each translation_key, and the
        translation source (with enabled translations) of each (key, locale)."""
        model = self.model.get_translation_model()
        locales = Locale.objects.count()
        present: dict = {}
        for key, locale_id in model.objects.values_list("translation_key", "locale_id"):
            present.setdefault(key, set()).add(locale_id)
        sources = {
            (key, locale_id): source_id
            for key, locale_id, source_id in TranslationSource.objects.filter(
                object__content_type=ContentType.objects.get_for_model(model),
                translations__enabled=True,
            )
            .values_list("object_id", "locale_id", "pk")
            .distinct()
        }
        return locales, present, sources

    def _translation_buttons(self, instance, next_url: str) -> list:
        if not self.request.user.has_perm(SUBMIT_TRANSLATION_PERMISSION):
            return []
        locales, present, sources = self._translation_state
        buttons = []
        meta = type(instance)._meta
        if len(present.get(instance.translation_key, ())) < locales:
            buttons.append(
                Button(
                    _("Translate"),
                    reverse(
                        "wagtail_localize:submit_snippet_translation",
                        args=[meta.app_label, meta.model_name, quote(instance.pk)],
                    ),
                    attrs={"aria-label": _("Translate '%(title)s'") % {"title": str(instance)}},
                    icon_name="wagtail-localize-language",
                    priority=100,
                )
            )
        source_id = sources.get((instance.translation_key, instance.locale_id))
        if source_id is not None:
            url = reverse("wagtail_localize:update_translations", args=[source_id])
            buttons.append(
                Button(
                    _("Sync translated snippets"),
                    f"{url}?{urlencode({'next': next_url})}",
                    attrs={
                        "aria-label": _("Sync translations of '%(title)s'")
                        % {"title": str(instance)}
                    },
                    icon_name="resubmit",
                    priority=106,
                )
            )
        return buttons

    def get_list_buttons(self, instance):
        # Wagtail's own loop over the listing-button hooks, with wagtail-localize's
        # per-row hook replaced by the buttons read for every row at once.
        next_url = self.request.path
        list_buttons, more_buttons = [], []
        buttons = [*self.get_list_more_buttons(instance)]
        for hook in hooks.get_hooks("register_snippet_listing_buttons"):
            if hook is localize_hooks.register_snippet_listing_buttons:
                buttons.extend(self._translation_buttons(instance, next_url))
            else:
                buttons.extend(hook(instance, self.request.user, next_url))
        for button in buttons:
            if isinstance(button, BaseButton) and not button.allow_in_dropdown:
                list_buttons.append(button)
            elif isinstance(button, MenuItem):
                if button.is_shown(self.request.user):
                    more_buttons.append(Button.from_menu_item(button))
            elif button.show:
                more_buttons.append(button)
        for hook in hooks.get_hooks("construct_snippet_listing_buttons"):
            hook(more_buttons, instance, self.request.user)
        if more_buttons:
            list_buttons.append(
                ButtonWithDropdown(
                    buttons=more_buttons,
                    icon_name="dots-horizontal",
                    attrs={
                        "aria-label": _("More options for '%(title)s'") % {"title": str(instance)}
                    },
                )
            )
        return list_buttons


class TranslatableSnippetViewSet(SnippetViewSet):
    """A snippet translated with wagtail-localize, listed in a fixed number of queries."""

    index_view_class = TranslatableIndexView
