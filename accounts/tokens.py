"""Signed tokens that act for a member without a sign-in (one-click unsubscribe).

A token reveals nothing and expires. It names the member by a random value kept
on the account (User.unsubscribe_key), never by id or e-mail address; it is dated
and signed with the site's secret (TimestampSigner), and honoured for
UNSUBSCRIBE_MAX_AGE. A keyed digest of the address it was sent to is signed in
too, so a link sent to an address the member has since changed no longer acts.
"""

import secrets
from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

UNSUBSCRIBE_SALT = "relais.accounts.unsubscribe.v2"
UNSUBSCRIBE_MAX_AGE = timedelta(days=60)
# Links sent before tokens expired: {"user": id, "email": address}, signed for ever.
# They are no longer honoured; the member is told to change preferences signed in.
_LEGACY_SALT = "relais.accounts.unsubscribe"


class UnsubscribeLinkExpired(Exception):
    """The token is this site's, but older than UNSUBSCRIBE_MAX_AGE."""


def _email_digest(email: str) -> str:
    return salted_hmac(f"{UNSUBSCRIBE_SALT}.email", email.strip().lower()).hexdigest()[:16]


def _unsubscribe_key(user) -> str:
    if not user.unsubscribe_key:
        # The first link made wins: two e-mails sent at once carry the same key.
        type(user).objects.filter(pk=user.pk, unsubscribe_key__isnull=True).update(
            unsubscribe_key=secrets.token_urlsafe(16)
        )
        user.unsubscribe_key = (
            type(user).objects.values_list("unsubscribe_key", flat=True).get(pk=user.pk)
        )
    return user.unsubscribe_key


def make_unsubscribe_token(user) -> str:
    value = f"{_unsubscribe_key(user)}.{_email_digest(user.email)}"
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(value)


def read_unsubscribe_token(token: str):
    """The active member the token stands for, or None when this site did not make
    it or it no longer matches the member; raises UnsubscribeLinkExpired when it is
    too old."""
    from accounts.models import User

    try:
        value = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign(
            token, max_age=UNSUBSCRIBE_MAX_AGE
        )
    except signing.SignatureExpired:
        raise UnsubscribeLinkExpired from None
    except signing.BadSignature:
        try:
            signing.loads(token, salt=_LEGACY_SALT)
        except signing.BadSignature:
            return None
        raise UnsubscribeLinkExpired from None
    key, _dot, digest = value.partition(".")
    user = User.objects.filter(unsubscribe_key=key, is_active=True).first()
    if user is None or not constant_time_compare(digest, _email_digest(user.email)):
        return None
    return user
