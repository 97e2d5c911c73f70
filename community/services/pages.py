"""Editors' pages in other languages: a translation is a Wagtail copy of the page in
the language's tree, which wagtail-localize then keeps in step with its source."""

from django.db import transaction
from wagtail.models import Locale, Page


@transaction.atomic
def page_translation_publish(*, page: Page, language: str, fields: dict, user=None) -> Page:
    """The page's version in `language`, created where missing (its parents too, as
    Wagtail does, until an editor translates them), with `fields` set and published."""
    locale = Locale.objects.get(language_code=language)
    page = page.specific
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale, copy_parents=True)
    translated = translated.specific
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision(user=user).publish(user=user)
    translated.refresh_from_db()
    return translated
