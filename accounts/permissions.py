"""Who may do what with an account: each check answers (can_*) or refuses with
the reason shown to the member (check_*)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.roles import STAFF_GROUPS


def close_account_refusal(user) -> str:
    """Why `user` may not close their own account, or "" when they may."""
    if not (user.is_authenticated and user.is_active) or user.closed_at is not None:
        return _("Sign in to close your account.")
    if user.is_superuser or user.is_staff or user.groups.filter(name__in=STAFF_GROUPS).exists():
        # The brand's own accounts carry its official voice and its admin rights:
        # they are closed by an administrator, once the staff role is handed over.
        return _(
            "Staff accounts cannot be closed here. Ask an administrator to remove "
            "your staff role or to close the account for you."
        )
    return ""


def can_close_account(user) -> bool:
    return not close_account_refusal(user)


def check_close_account(user) -> None:
    refusal = close_account_refusal(user)
    if refusal:
        raise PermissionDenied(refusal)


def can_export_data(user) -> bool:
    """A member downloads their own data, and nobody else's: there is no other target."""
    return bool(user.is_authenticated and user.is_active and user.closed_at is None)


def check_export_data(user) -> None:
    if not can_export_data(user):
        raise PermissionDenied(_("Sign in to download your data."))
