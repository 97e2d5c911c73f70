"""The moderation audit log's vocabulary: every action's name, and how Wagtail shows it.

Every moderation action lands in Wagtail's audit log (promise 3: who, when, what,
why), so editors and staff read it in the admin's history reports. The names are
namespaced strings, like pretix's `pretix.voucher.sent`; the services write them
with `wagtail.log_actions.log` and import them from here, never from the hooks,
so the write layer does not depend on the admin's registration.
"""

from django.utils.translation import gettext_lazy as _

REPLY_HIDE = "relais.reply.hide"
REPLY_RESTORE = "relais.reply.restore"
REPLY_APPROVE = "relais.reply.approve"
REPLY_REJECT = "relais.reply.reject"
THREAD_HIDE = "relais.thread.hide"
THREAD_RESTORE = "relais.thread.restore"
THREAD_LOCK = "relais.thread.lock"
THREAD_UNLOCK = "relais.thread.unlock"
THREAD_PIN = "relais.thread.pin"
THREAD_UNPIN = "relais.thread.unpin"
THREAD_MOVE = "relais.thread.move"
THREAD_MARK_DUPLICATE = "relais.thread.mark_duplicate"
THREAD_UNMARK_DUPLICATE = "relais.thread.unmark_duplicate"
THREAD_APPROVE = "relais.thread.approve"
THREAD_REJECT = "relais.thread.reject"
EDIT_APPROVE = "relais.edit.approve"
EDIT_REJECT = "relais.edit.reject"
THREAD_CLAIM = "relais.thread.claim"
THREAD_ASSIGN = "relais.thread.assign"
THREAD_RELEASE = "relais.thread.release"
MEMBER_SUSPEND = "relais.member.suspend"
MEMBER_UNSUSPEND = "relais.member.unsuspend"
REPORT_DISMISS = "relais.report.dismiss"
REPORT_AUTO_HIDE = "relais.report.auto_hide"

# Each action with the label of the admin's filters and the message of its history.
ACTIONS = (
    (REPLY_HIDE, _("Hide reply"), _("Reply hidden by a moderator")),
    (REPLY_RESTORE, _("Restore reply"), _("Reply restored by a moderator")),
    (REPLY_APPROVE, _("Approve reply"), _("Reply approved by a moderator")),
    (REPLY_REJECT, _("Reject reply"), _("Reply rejected by a moderator")),
    (THREAD_HIDE, _("Hide thread"), _("Thread hidden by a moderator")),
    (THREAD_RESTORE, _("Restore thread"), _("Thread restored by a moderator")),
    (THREAD_LOCK, _("Lock thread"), _("Thread locked by a moderator")),
    (THREAD_UNLOCK, _("Unlock thread"), _("Thread unlocked by a moderator")),
    (THREAD_PIN, _("Pin thread"), _("Thread pinned by a moderator")),
    (THREAD_UNPIN, _("Unpin thread"), _("Thread unpinned by a moderator")),
    (THREAD_MOVE, _("Move thread"), _("Thread moved to another category")),
    (THREAD_MARK_DUPLICATE, _("Mark as duplicate"), _("Thread closed as a duplicate")),
    (THREAD_UNMARK_DUPLICATE, _("Reopen duplicate"), _("Thread no longer a duplicate")),
    (THREAD_APPROVE, _("Approve thread"), _("Thread approved by a moderator")),
    (THREAD_REJECT, _("Reject thread"), _("Thread rejected by a moderator")),
    (EDIT_APPROVE, _("Approve edit"), _("Change to a post approved by a moderator")),
    (EDIT_REJECT, _("Reject edit"), _("Change to a post not approved by a moderator")),
    (THREAD_CLAIM, _("Claim thread"), _("Thread claimed by a moderator")),
    (THREAD_ASSIGN, _("Assign thread"), _("Thread assigned to a moderator")),
    (THREAD_RELEASE, _("Release thread"), _("Thread released by a moderator")),
    (MEMBER_SUSPEND, _("Suspend member"), _("Member suspended by a moderator")),
    (MEMBER_UNSUSPEND, _("Lift suspension"), _("Member's suspension lifted")),
    (REPORT_DISMISS, _("Dismiss report"), _("Report dismissed by a moderator")),
    (REPORT_AUTO_HIDE, _("Hide after reports"), _("Post hidden after several reports")),
)


def register_actions(registry) -> None:
    """Register every moderation action with Wagtail's log action registry (the
    `register_log_actions` hook passes it), so its label shows in the history."""
    for action, label, message in ACTIONS:
        registry.register_action(action, label, message)
