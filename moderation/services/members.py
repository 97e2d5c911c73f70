"""Suspending members: a suspended member still reads, follows threads and sees their
notifications, but cannot post, reply, vote or report until the date set (the
community's permissions refuse every write with the reason). Both directions are
logged on the member with who, until when and why (promise 3)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts.models import User
from moderation import permissions
from moderation.audit import MEMBER_SUSPEND, MEMBER_UNSUSPEND
from moderation.services.reasons import clean_reason, optional_reason

SUSPENSION_MAX_DAYS = 3650


def _locked_member(member: User) -> User:
    """The member's row, locked until the transaction ends: two moderators suspending
    the same member at once write one after the other. (A member is no post, so
    community.locking, which orders thread and reply locks, has nothing to say here.)"""
    return User.objects.select_for_update().get(pk=member.pk)


def _store_suspension(member: User, *, until: datetime | None, reason: str) -> None:
    member.suspended_until, member.suspension_reason = until, reason
    member.save(update_fields=["suspended_until", "suspension_reason"])


def _log_suspension(member: User, action: str, *, moderator, until: datetime, reason: str) -> None:
    log(member, action, user=moderator, data={"until": until.isoformat(), "reason": reason})


def _clean_until(until: datetime) -> datetime:
    if until is None or timezone.is_naive(until):
        raise ValidationError(_("Choose when the suspension ends."), code="until_required")
    now = timezone.now()
    if until <= now:
        raise ValidationError(_("Choose a moment in the future."), code="until_past")
    if until > now + timedelta(days=SUSPENSION_MAX_DAYS):
        raise ValidationError(
            _("A suspension lasts at most %(years)s years."),
            code="until_too_far",
            params={"years": SUSPENSION_MAX_DAYS // 365},
        )
    return until


@transaction.atomic
def member_suspend(*, moderator, member: User, until: datetime, reason: str) -> User:
    """Suspend `member` until `until`; the reason is shown to them (and to staff).

    Suspending a member who is already suspended replaces the end and the reason;
    submitting the same suspension twice changes nothing.
    """
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    until = _clean_until(until)
    member = _locked_member(member)
    permissions.check_suspendable(moderator=moderator, member=member)
    if member.suspended_until == until and member.suspension_reason == reason:
        return member
    _store_suspension(member, until=until, reason=reason)
    _log_suspension(member, MEMBER_SUSPEND, moderator=moderator, until=until, reason=reason)
    return member


@transaction.atomic
def member_unsuspend(*, moderator, member: User, reason: str = "") -> User:
    """Lift a member's suspension now. Nothing happens (and nothing is logged) when
    the member is not suspended, so a double submit is harmless."""
    permissions.check_moderate(moderator)
    reason = optional_reason(reason)
    member = _locked_member(member)
    if not member.is_suspended:
        return member
    until = member.suspended_until  # the log keeps the end it had
    _store_suspension(member, until=None, reason="")
    _log_suspension(member, MEMBER_UNSUSPEND, moderator=moderator, until=until, reason=reason)
    return member
