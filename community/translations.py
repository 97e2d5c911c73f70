"""Rows of translatable snippets as readers of each language see them.

Translations live in rows of their own (wagtail-localize, TranslatableMixin) that
share their original's translation_key; a reader of a language gets the row in it,
else the default language's.
"""

from django.conf import settings


def default_language() -> str:
    return settings.LANGUAGE_CODE


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
