"""What a moderator writes with an action: the reason the author reads, on one line,
within the limit of the field it is stored in."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from community.models import HIDDEN_REASON_MAX_LENGTH

REASON_MAX_LENGTH = HIDDEN_REASON_MAX_LENGTH


def one_line(text: str) -> str:
    """`text` on one line, without the NUL characters PostgreSQL cannot store
    (reasons come straight from a POST, not through a form that would refuse them)."""
    return " ".join((text or "").replace("\x00", " ").split())


def optional_reason(reason: str) -> str:
    """A reason that may be empty (kept in the history only), cut to the limit."""
    return one_line(reason)[:REASON_MAX_LENGTH]


def within_limit(text: str, limit: int, message: str, *, code: str) -> str:
    """`text` when it fits in `limit` characters; otherwise a ValidationError with
    `message`, which names the limit as %(limit)s."""
    if len(text) > limit:
        raise ValidationError(message, code=code, params={"limit": limit})
    return text


def clean_reason(reason: str) -> str:
    """A required reason: the author reads it with their hidden post."""
    reason = one_line(reason)
    if not reason:
        raise ValidationError(_("Say why: the author will read it."), code="reason_required")
    too_long = _("Keep the reason under %(limit)s characters.")
    return within_limit(reason, REASON_MAX_LENGTH, too_long, code="reason_too_long")
