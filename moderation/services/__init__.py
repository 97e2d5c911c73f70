"""What moderators change, one module per kind of work; each function checks the
moderator, keeps every row, and writes Wagtail's audit log (promise 3)."""

from moderation.services.actions import (  # noqa: F401
    REASON_MAX_LENGTH,
    reply_hide,
    reply_restore,
    thread_hide,
    thread_restore,
    thread_set_locked,
)
