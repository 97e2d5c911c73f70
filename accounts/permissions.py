"""Who may do what with an account: each check answers (can_*) or refuses with
the reason shown to the member (check_*)."""

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import STAFF_GROUPS, is_editor, is_moderator


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


def public_profile_refusal(user) -> str:
    """Why `user` may not change what others see of them (display name, bio,
    picture), or "" when they may. A suspended member keeps reading, and may still
    choose their language and e-mails, but until the suspension ends cannot change
    the name and picture shown on every one of their posts."""
    if not (user.is_authenticated and user.is_active) or user.closed_at is not None:
        return _("Sign in to edit your profile.")
    if user.is_suspended:
        until = timezone.localtime(user.suspended_until)
        until = f"{formats.date_format(until, 'DATE_FORMAT')} {formats.time_format(until, 'H:i')}"
        return _(
            "Your account is suspended until %(until)s: until then you cannot change "
            "your display name, your bio or your picture."
        ) % {"until": until}
    return ""


def can_edit_public_profile(user) -> bool:
    return not public_profile_refusal(user)


def check_edit_public_profile(user) -> None:
    refusal = public_profile_refusal(user)
    if refusal:
        raise PermissionDenied(refusal)


def is_staff_account(user) -> bool:
    """The brand's own accounts, which may carry its name and the words of its
    official voice ("official", "moderator"…) in their display names."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user.is_staff or is_moderator(user) or is_editor(user))
    )


# Personal API tokens a member may hold at once: enough for a few scripts, too few
# for a leaked password to mint them by the thousand.
PERSONAL_TOKENS_MAX = 10


def api_token_refusal(user) -> str:
    """Why `user` may not make a personal API token, or "" when they may."""
    if not (user.is_authenticated and user.is_active) or user.closed_at is not None:
        return _("Sign in to make an API token.")
    if user.is_suspended:
        return _("Your account is suspended: you cannot make API tokens until it ends.")
    return ""


def check_create_api_token(user, *, scope: str, existing: int) -> None:
    refusal = api_token_refusal(user)
    if refusal:
        raise PermissionDenied(refusal)
    if scope == "moderate" and not is_moderator(user):
        raise PermissionDenied(_("Only the brand's staff can make tokens that moderate."))
    if existing >= PERSONAL_TOKENS_MAX:
        raise PermissionDenied(
            _("You already have %(count)s tokens: revoke one you no longer use first.")
            % {"count": PERSONAL_TOKENS_MAX}
        )


# The Django permission that opens Settings → API keys: Editors hold it (accounts
# 0008), and so does any group an administrator gives it to.
MANAGE_INTEGRATION_KEYS_PERMISSION = "accounts.add_apicredential"


def can_manage_integration_keys(user) -> bool:
    """May make and revoke integration keys, which act as any member they name."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(MANAGE_INTEGRATION_KEYS_PERMISSION))
    )


def check_manage_integration_keys(user) -> None:
    if not can_manage_integration_keys(user):
        raise PermissionDenied(_("Only the brand's administrators manage integration keys."))


def integration_key_scope_refusal(member, scope: str) -> str:
    """Why an integration key acting as `member` may not have `scope`, or "" when it
    may. A key never does more than its member could: moderating needs a moderator."""
    if scope == "moderate" and not is_moderator(member):
        return _(
            "Only a key acting as a moderator can moderate: choose a moderator or less access."
        )
    return ""


def check_revoke_api_credential(user, credential) -> None:
    """A member revokes their own personal tokens, and nobody else's; integration
    keys are revoked by those who manage them."""
    if credential.kind == "integration":
        check_manage_integration_keys(user)
        return
    if not (user.is_authenticated and credential.user_id == user.pk):
        raise PermissionDenied(_("This token is not yours."))
