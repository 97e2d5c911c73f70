"""Reading the legal pages: the one published page of each kind, and the
revisions a member accepts when signing up."""

from community.models.pages import LegalKind, LegalPage


def legal_page_get(kind: str) -> LegalPage | None:
    """The published, public page of this kind, or None."""
    if kind not in LegalKind.values:
        return None
    return LegalPage.objects.live().public().filter(kind=kind).order_by("pk").first()


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
