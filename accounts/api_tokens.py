"""API credentials' secrets: made, shown once, kept as a digest, found again.

A secret reads `relais_<prefix>_<secret>`: the prefix finds the row by an index,
the whole string is compared with the stored SHA-256 digest in constant time. A
digest without a slow hash is enough here, as for Django's own session keys: the
secret is 32 random bytes, not something a person chose, so no dictionary finds it.
Revoking and expiry are read from the row on every request, so a credential stops
working at once, in every process.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import ApiCredential

TOKEN_PREFIX = "relais"  # noqa: S105 (the public start of every token, not a secret)
# How often the "last used" time is written: at most once a minute per credential,
# so a busy integration does not write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str, str]:
    """(the whole secret, its prefix, its digest)."""
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return secret, prefix, _digest(secret)


def credential_for_secret(secret: str, *, at: datetime | None = None) -> ApiCredential | None:
    """The usable credential `secret` belongs to, or None (unknown, wrong, revoked,
    expired, or its member can no longer sign in). One query, plus one write a
    minute for the last use."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1]:
        return None
    at = at or timezone.now()
    credential = (
        ApiCredential.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at=None)
        .filter(Q(expires_at=None) | Q(expires_at__gt=at))
        .first()
    )
    if credential is None or not constant_time_compare(credential.digest, _digest(secret)):
        return None
    if not credential.user.is_active or credential.user.is_closed:
        return None
    if credential.last_used_at is None or credential.last_used_at < at - LAST_USED_PRECISION:
        ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=at)
        credential.last_used_at = at
    return credential
