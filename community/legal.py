"""Reading the legal pages: the one published page of each kind, and the
revisions a member accepts when signing up."""

from community.models.pages import LegalKind, LegalPage
from community.page_languages import in_reader_language


def legal_page_get(kind: str, *, language: str | None = None) -> LegalPage | None:
    """The published, public page of this kind, in `language` when it is translated
    into it (else in the default language), or None."""
    if kind not in LegalKind.values:
        return None
    pages = LegalPage.objects.live().public().filter(kind=kind)
    if language is not None:
        pages = in_reader_language(pages, language)
    return pages.order_by("pk").first()


def legal_accepted_revisions() -> dict[str, int | None]:
    """The live revision id of the terms of use and of the privacy policy, one query."""
    revisions = dict(
        LegalPage.objects.live()
        .filter(kind__in=[LegalKind.TERMS, LegalKind.PRIVACY])
        .order_by("-pk")
        .values_list("kind", "live_revision_id")
    )
    return {
        "terms": revisions.get(LegalKind.TERMS),
        "privacy": revisions.get(LegalKind.PRIVACY),
    }
