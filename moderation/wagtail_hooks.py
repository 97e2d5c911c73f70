from django.utils.translation import gettext_lazy as _
from wagtail import hooks

REPLY_HIDE = "relais.reply.hide"
REPLY_RESTORE = "relais.reply.restore"
THREAD_HIDE = "relais.thread.hide"
THREAD_RESTORE = "relais.thread.restore"
THREAD_LOCK = "relais.thread.lock"
THREAD_UNLOCK = "relais.thread.unlock"


@hooks.register("register_log_actions")
def register_moderation_actions(actions):
    # Every moderation action lands in Wagtail's audit log, so editors and staff
    # read who did what, when and why in the admin's history reports.
    actions.register_action(REPLY_HIDE, _("Hide reply"), _("Reply hidden by a moderator"))
    actions.register_action(REPLY_RESTORE, _("Restore reply"), _("Reply restored by a moderator"))
    actions.register_action(THREAD_HIDE, _("Hide thread"), _("Thread hidden by a moderator"))
    actions.register_action(
        THREAD_RESTORE, _("Restore thread"), _("Thread restored by a moderator")
    )
    actions.register_action(THREAD_LOCK, _("Lock thread"), _("Thread locked by a moderator"))
    actions.register_action(THREAD_UNLOCK, _("Unlock thread"), _("Thread unlocked by a moderator"))
