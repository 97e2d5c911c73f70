"""What moderators change, one module per kind of work; each function checks the
moderator, keeps every row, and writes Wagtail's audit log (promise 3)."""

from moderation.services.actions import (  # noqa: F401
    reply_hide,
    reply_restore,
    thread_hide,
    thread_mark_duplicate,
    thread_move,
    thread_restore,
    thread_set_locked,
    thread_set_pinned,
    thread_unmark_duplicate,
)
from moderation.services.approvals import (  # noqa: F401
    edit_approve,
    edit_reject,
    reply_approve,
    reply_reject,
    thread_approve,
    thread_reject,
)
from moderation.services.assignment import (  # noqa: F401
    thread_assign,
    thread_claim,
    thread_release,
)
from moderation.services.canned import canned_fill, canned_use  # noqa: F401
from moderation.services.members import member_suspend, member_unsuspend  # noqa: F401
from moderation.services.reasons import REASON_MAX_LENGTH  # noqa: F401
from moderation.services.reports import (  # noqa: F401
    report_create,
    reports_dismiss,
    reports_hide_post,
    reports_suspend_author,
)
