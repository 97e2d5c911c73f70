"""One-click answers to "Did this solve your problem?" from the e-mail, without
signing in.

A link names one question (ResolutionCheck), one answer and the member it was sent
to, dated and signed with the site's secret; it is honoured for LINK_MAX_AGE. It
acts only on that question, only as its asker: changing any part of it breaks the
signature, and a question answered once keeps its first answer, so a link followed
again (or by a mail scanner, which only reads the confirmation page) changes nothing.
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from community.models.resolution import ResolutionCheck

LINK_SALT = "relais.community.resolution"
LINK_MAX_AGE = timedelta(days=30)


class ResolutionLinkExpired(Exception):
    """The link is this site's, but older than LINK_MAX_AGE."""


def resolution_link_path(check: ResolutionCheck, answer: str) -> str:
    value = f"{check.pk}.{answer}.{check.asker_id}"
    token = signing.TimestampSigner(salt=LINK_SALT).sign(value)
    return reverse("community:resolution_link", kwargs={"token": token})


def resolution_link_read(token: str) -> tuple[ResolutionCheck, str] | None:
    """The question and the answer a link stands for; None when this site did not make
    it or its question is gone; raises ResolutionLinkExpired when it is too old."""
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ResolutionLinkExpired from None
    except signing.BadSignature:
        return None
    check_id, answer, asker_id = [*value.split("."), "", ""][:3]
    if answer not in ResolutionCheck.Answer.values or not check_id.isdigit():
        return None
    check = (
        ResolutionCheck.objects.select_related("thread", "asker", "reply__author")
        .filter(pk=int(check_id), asker_id=asker_id)
        .first()
    )
    return (check, answer) if check is not None else None
