from django.utils.translation import gettext_lazy as _
from wagtail import hooks

REPLY_HIDE = "relais.reply.hide"
REPLY_RESTORE = "relais.reply.restore"


@hooks.register("register_log_actions")
def register_moderation_actions(actions):
    # Every moderation action lands in Wagtail's audit log, so editors and staff
    # read who did what, when and why in the admin's history reports.
    actions.register_action(REPLY_HIDE, _("Hide reply"), _("Reply hidden by a moderator"))
    actions.register_action(REPLY_RESTORE, _("Restore reply"), _("Reply restored by a moderator"))
