"""Signed tokens that act for a member without a sign-in (one-click unsubscribe)."""

from django.core import signing

UNSUBSCRIBE_SALT = "relais.accounts.unsubscribe"


def make_unsubscribe_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> dict | None:
    """The token's content, or None when it was not made by this site."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
