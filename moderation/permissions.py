"""Who may use the moderation tools, and who may report a post: one can_* answer and
one check_* per action.

Views call check_*, services call it again inside their transaction, and the tools
moderation renders on community pages (moderation/components.py) ask can_*, so a
rule lives here once. The checks compare ids and use the roles cached on the user
object, so a page can ask them for every row without a query.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.roles import STAFF_GROUPS, is_moderator
from community.permissions import suspension_message


def can_moderate(user) -> bool:
    return is_moderator(user)


def check_moderate(user) -> None:
    if not can_moderate(user):
        raise PermissionDenied(_("Only moderators can open the moderation tools."))


# Reporting a post ---------------------------------------------------------------------


def can_report(user, post) -> bool:
    """A signed-in member who is not suspended, not staff (moderators hide directly)
    and not the post's author."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not user.is_suspended
        and not is_moderator(user)
        and post.author_id != user.pk
    )


def check_report(user, post) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in to report a post."))
    if user.is_suspended:
        raise PermissionDenied(suspension_message(user))
    if is_moderator(user):
        raise PermissionDenied(
            _("Moderators do not report posts: hide them with the moderation tools.")
        )
    if post.author_id == user.pk:
        raise PermissionDenied(_("You cannot report your own post."))


# Suspending a member ------------------------------------------------------------------


def _is_staff(member) -> bool:
    """Whether `member` is on the brand's team. Pages load the answer with the member
    (UserQuerySet.with_staff_flag() sets is_brand_staff), so asking costs no query."""
    flag = getattr(member, "is_brand_staff", None)
    if flag is None:
        return member.is_superuser or member.groups.filter(name__in=STAFF_GROUPS).exists()
    return bool(flag)


def check_suspendable(*, moderator, member) -> None:
    """Moderators and administrators cannot be suspended from the moderation tools
    (an administrator removes their role instead), and nobody suspends themselves.
    Raised as a form error: the suspension page says why."""
    if member.pk == moderator.pk:
        raise ValidationError(_("You cannot suspend yourself."), code="self")
    if member.is_superuser or is_moderator(member):
        raise ValidationError(_("Moderators and administrators cannot be suspended."), code="staff")
    if member.closed_at is not None:
        raise ValidationError(_("This account is closed: it cannot post any more."), code="closed")


def can_suspend(user, member) -> bool:
    """Whether a profile offers "Suspend": to a moderator, on the profile of a member
    of the public (the brand's own team, editors included, is never offered it), while
    their account is open (a closed one cannot post anyway)."""
    return (
        can_moderate(user)
        and member.pk != user.pk
        and member.closed_at is None
        and not _is_staff(member)
    )


def can_lift_suspension(user, member) -> bool:
    """A moderator lifts (or changes) the suspension of someone else who is suspended."""
    return can_moderate(user) and member.pk != user.pk and member.is_suspended
