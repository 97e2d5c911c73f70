"""Who may use the moderation tools: moderators (and superusers), nobody else."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.roles import is_moderator


def can_moderate(user) -> bool:
    return is_moderator(user)


def check_moderate(user) -> None:
    if not can_moderate(user):
        raise PermissionDenied(_("Only moderators can open the moderation tools."))
