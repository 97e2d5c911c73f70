"""Which language a member reads in: the one on their account, chosen at sign-up from
the browser and changed in their settings or with the language switcher.

E-mails follow the recipient's language, never the language of the request that
caused them: a moderator reading in English who replies to a French member's
thread notifies that member in French.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import translation

from accounts.models import User


def supported_language(code: str | None) -> str | None:
    """`code` as one of the site's languages ("fr-CA" -> "fr"), or None."""
    if not code:
        return None
    try:
        language = translation.get_supported_language_variant(code)
    except LookupError:
        return None
    # Django also knows languages it has catalogues for (German, say) that this
    # site does not serve: only ours count.
    return language if language in dict(settings.LANGUAGES) else None


def browser_language(request) -> str:
    """The language of `request` leaving the account aside: the cookie the switcher
    sets, then the browser's Accept-Language, then the site's default."""
    return (
        supported_language(translation.get_language_from_request(request, check_path=False))
        or settings.LANGUAGE_CODE
    )


def address_owner(email: str) -> User | None:
    """The account an e-mail address belongs to, if any: the address as allauth
    keeps it (a verified one first), else the address on the account itself."""
    address = (
        EmailAddress.objects.filter(email__iexact=email)
        .select_related("user")
        .order_by("-verified", "-primary", "pk")
        .first()
    )
    if address is not None:
        return address.user
    return User.objects.filter(email__iexact=email).order_by("pk").first()


def mail_language(email: str, *, user: User | None = None) -> str:
    """The language to write to `email` in: its account's (`user` when the caller
    knows it), else the language the current request is served in."""
    owner = user if user is not None and getattr(user, "pk", None) else address_owner(email)
    if owner is not None and supported_language(owner.language):
        return owner.language
    return supported_language(translation.get_language()) or settings.LANGUAGE_CODE
