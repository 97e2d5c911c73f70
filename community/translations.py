"""Translatable content in each language.

`in_language`: the rows of a translatable snippet as a reader of one language sees
them. Translations live in rows of their own (wagtail-localize, TranslatableMixin)
that share their original's translation_key; a reader gets the row in their
language, else the default language's.

`untranslated_list`: what is not translated yet: every page and every translatable
snippet that has no version in one of the languages the site ships
(WAGTAIL_CONTENT_LANGUAGES).

Found generically: any model using Wagtail's TranslatableMixin is listed, whichever
app defines it, so a snippet made translatable later shows up without a change here.
Two queries per translatable model, whatever the number of rows.
"""

from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.translation import get_language_info
from wagtail.models import Page, get_translatable_models

from community.page_languages import content_languages, default_language


@dataclass(frozen=True)
class Untranslated:
    title: str
    kind: str
    language: str
    missing: list[str]
    translate_url: str

    @property
    def missing_names(self) -> str:
        return ", ".join(str(get_language_info(code)["name_translated"]) for code in self.missing)


def _versions(model):
    objects = model._default_manager.all()
    if issubclass(model, Page):
        # The tree's root is no page, and an alias is no translation.
        objects = objects.filter(depth__gt=1, alias_of__isnull=True)
    present = {}
    for key, language in objects.values_list("translation_key", "locale__language_code"):
        present.setdefault(key, set()).add(language)
    return objects, present


def _translate_url(obj) -> str:
    if isinstance(obj, Page):
        return reverse("wagtail_localize:submit_page_translation", args=[obj.pk])
    meta = obj._meta
    return reverse(
        "wagtail_localize:submit_snippet_translation",
        args=[meta.app_label, meta.model_name, quote(obj.pk)],
    )


def untranslated_list() -> list[Untranslated]:
    languages = content_languages()
    preferred = [default_language(), *languages]
    rows = []
    for model in get_translatable_models():
        objects, present = _versions(model)
        missing = {
            key: [code for code in languages if code not in found]
            for key, found in present.items()
            if any(code not in found for code in languages)
        }
        if not missing:
            continue
        sources = {}
        # Plain pages, not specific ones: their type comes from the cached content type.
        found = objects.filter(translation_key__in=missing).select_related("locale")
        for obj in found:
            rank = preferred.index(obj.locale.language_code)
            if obj.translation_key not in sources or rank < sources[obj.translation_key][0]:
                sources[obj.translation_key] = (rank, obj)
        for key, (_rank, obj) in sources.items():
            kind = obj.specific_class if isinstance(obj, Page) else type(obj)
            rows.append(
                Untranslated(
                    title=str(obj),
                    kind=str((kind or type(obj))._meta.verbose_name),
                    language=obj.locale.language_code,
                    missing=missing[key],
                    translate_url=_translate_url(obj),
                )
            )
    return sorted(rows, key=lambda row: (row.kind, row.title.lower()))


def in_language(queryset, language: str | None):
    """The rows of a translatable kind in `language`, else in the default language,
    one per translation_key: what a reader of `language` sees."""
    language = language or default_language()
    if language == default_language():
        return queryset.filter(locale__language_code=language)
    translated = queryset.filter(locale__language_code=language).values("translation_key")
    return queryset.filter(locale__language_code=language) | queryset.filter(
        locale__language_code=default_language()
    ).exclude(translation_key__in=translated)
