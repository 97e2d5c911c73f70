"""The reply address of a notification: a key for one member and one thread, signed.

The key is `<member>-<thread>-<day issued>-<signature>`, numbers in base 36 and the
signature in hex, all lower case: mail systems may change the case of an address's
local part, and the key must survive it. Nothing is stored: the signature (with the
site's SECRET_KEY, or one of SECRET_KEY_FALLBACKS while a key rotation runs) proves
that the site made it, and the day it was made says when it expires.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "community.mail.reply-key"
SIGNATURE_LENGTH = 20  # hex digits: 80 bits
KEY_PATTERN = rf"[0-9a-z]{{1,13}}-[0-9a-z]{{1,13}}-[0-9a-z]{{1,6}}-[0-9a-f]{{{SIGNATURE_LENGTH}}}"
EPOCH = date(2020, 1, 1)


class ReplyKeyInvalid(Exception):
    """Not a key this site made (mistyped, forged, or from another site)."""


@dataclass(frozen=True)
class ReplyKey:
    member_id: int
    thread_id: int
    issued: date

    def expired(self, *, today: date | None = None) -> bool:
        today = today or timezone.now().astimezone(UTC).date()
        return (today - self.issued).days > settings.REPLY_EMAIL_KEY_DAYS


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def _signature(value: str, secret) -> str:
    return salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()[
        :SIGNATURE_LENGTH
    ]


def reply_key(*, member_id: int, thread_id: int, issued: date | None = None) -> str:
    issued = issued or timezone.now().astimezone(UTC).date()
    value = "-".join((_base36(member_id), _base36(thread_id), _base36((issued - EPOCH).days)))
    return f"{value}-{_signature(value, settings.SECRET_KEY)}"


def reply_key_read(key: str) -> ReplyKey:
    """The member, thread and day of a key; ReplyKeyInvalid unless this site made it."""
    key = key.lower()
    if not re.fullmatch(KEY_PATTERN, key):
        raise ReplyKeyInvalid(key)
    value, signature = key.rsplit("-", 1)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(signature, _signature(value, secret)) for secret in secrets):
        raise ReplyKeyInvalid(key)
    member, thread, day = (int(part, 36) for part in value.split("-"))
    try:
        issued = date.fromordinal(EPOCH.toordinal() + day)
    except (ValueError, OverflowError) as error:
        raise ReplyKeyInvalid(key) from error
    return ReplyKey(member_id=member, thread_id=thread, issued=issued)


def reply_by_email_enabled() -> bool:
    return "{key}" in settings.REPLY_EMAIL_ADDRESS


def reply_address(*, member_id: int, thread_id: int) -> str:
    """The address a member answers a notification about a thread at; empty when
    reply by e-mail is off (REPLY_EMAIL_ADDRESS unset)."""
    if not reply_by_email_enabled():
        return ""
    key = reply_key(member_id=member_id, thread_id=thread_id)
    return settings.REPLY_EMAIL_ADDRESS.replace("{key}", key)


def _address_pattern() -> re.Pattern:
    before, after = settings.REPLY_EMAIL_ADDRESS.split("{key}", 1)
    return re.compile(
        rf"{re.escape(before)}(?P<key>{KEY_PATTERN}){re.escape(after)}", re.IGNORECASE
    )


def reply_keys_in(addresses) -> list[str]:
    """The keys of the reply addresses among these, in order, once each."""
    if not reply_by_email_enabled():
        return []
    pattern = _address_pattern()
    keys = []
    for address in addresses:
        match = pattern.fullmatch(address.strip().strip("<>"))
        if match and match["key"].lower() not in keys:
            keys.append(match["key"].lower())
    return keys


def is_reply_address(address: str) -> bool:
    """Whether an address is (or looks like) one of ours: never written back to."""
    if not reply_by_email_enabled():
        return False
    before, after = settings.REPLY_EMAIL_ADDRESS.split("{key}", 1)
    address = address.lower()
    return address.startswith(before.lower()) and address.endswith(after.lower())
