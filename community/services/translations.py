"""Snippets written in another language: a translation is a row of its own that
shares its original's translation_key (wagtail.models.TranslatableMixin)."""

from django.db import transaction
from wagtail.models import Locale, RevisionMixin


@transaction.atomic
def translation_ensure(*, original, language: str, values: dict) -> tuple[object, bool]:
    """The translation of `original` into `language`: created from `values` (its
    translated fields) when there is none yet, and returned as it is otherwise, so an
    editor's translation is never overwritten. Returns it and whether it was created."""
    locale = Locale.objects.get(language_code=language)
    model = type(original)
    existing = model.objects.filter(translation_key=original.translation_key, locale=locale).first()
    if existing is not None:
        return existing, False
    translation = original.copy_for_translation(locale)
    for field, value in values.items():
        setattr(translation, field, value)
    if isinstance(translation, RevisionMixin):
        # The copy would point to its original's revision.
        translation.latest_revision = None
    translation.full_clean()
    translation.save()
    if isinstance(translation, RevisionMixin):
        translation.save_revision()
    return translation, True
