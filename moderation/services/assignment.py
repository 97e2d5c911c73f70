"""Who is answering a thread: a moderator claims it, assigns it, or lets it go.

A claim lapses after CommunitySettings.claim_expiry_hours, so no question stays
locked behind someone who went home; an expired claim counts as nobody. Taking
a live claim from another moderator needs an explicit take-over. Every change is
written to Wagtail's audit log (promise 3).
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts.roles import is_moderator
from community.locking import lock_thread
from community.models import CommunitySettings, Notification, Thread
from community.notifications import notify
from moderation import permissions
from moderation.audit import THREAD_ASSIGN, THREAD_CLAIM, THREAD_RELEASE


def claim_expiry(now: datetime) -> datetime:
    return now + timedelta(hours=CommunitySettings.load().claim_expiry_hours)


def _locked_thread(thread: Thread) -> Thread:
    # The holder is read with the thread (not locked: PostgreSQL refuses FOR UPDATE on
    # the nullable side of an outer join, so only the thread's row is locked).
    return lock_thread(thread, select_related=("assigned_to",))


def _clock(moment: datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def _log_data(thread: Thread, previous) -> dict:
    return {
        "assignee": thread.assigned_to_id,
        "assignee_name": thread.assigned_to.public_name if thread.assigned_to_id else "",
        "expires_at": thread.claim_expires_at.isoformat() if thread.claim_expires_at else None,
        "previous": previous.pk if previous else None,
        "previous_name": previous.public_name if previous else "",
    }


def _hold(thread: Thread, holder, now: datetime) -> None:
    thread.assigned_to, thread.claim_expires_at = holder, claim_expiry(now)
    # Not a change to the question: updated_at stays as it was.
    Thread.objects.filter(pk=thread.pk).update(
        assigned_to=holder, claim_expires_at=thread.claim_expires_at
    )


@transaction.atomic
def thread_claim(*, moderator, thread: Thread, take_over: bool = False) -> Thread:
    """The moderator takes the thread for claim_expiry_hours.

    Claiming one's own thread again renews the claim (a double submit changes
    nothing else and logs nothing more). Another moderator's live claim is only
    taken with take_over=True.
    """
    permissions.check_moderate(moderator)
    thread = _locked_thread(thread)
    now = timezone.now()
    holder = thread.assignee_at(now)
    if holder is not None and holder.pk == moderator.pk:
        _hold(thread, moderator, now)
        return thread
    if holder is not None and not take_over:
        raise ValidationError(
            _("Already claimed by %(name)s until %(time)s."),
            code="already_claimed",
            params={"name": holder.public_name, "time": _clock(thread.claim_expires_at)},
        )
    _hold(thread, moderator, now)
    data = _log_data(thread, holder)
    data["take_over"] = holder is not None
    log(thread, THREAD_CLAIM, user=moderator, data=data)
    return thread


@transaction.atomic
def thread_assign(*, moderator, thread: Thread, assignee) -> Thread:
    """Give the thread to another moderator (or oneself) for claim_expiry_hours.

    Assigning is a deliberate choice of a person, so it replaces a live claim;
    the previous holder is kept in the log.
    """
    permissions.check_moderate(moderator)
    if assignee is None or not is_moderator(assignee):
        raise ValidationError(
            _("Threads can only be assigned to moderators."), code="not_a_moderator"
        )
    thread = _locked_thread(thread)
    now = timezone.now()
    holder = thread.assignee_at(now)
    _hold(thread, assignee, now)
    if holder is not None and holder.pk == assignee.pk:
        return thread  # already theirs: renewed, nothing new to log
    log(thread, THREAD_ASSIGN, user=moderator, data=_log_data(thread, holder))
    # Someone else chose them: they hear it in the bell (and by e-mail, if they
    # take e-mails), or the thread could wait for a moderator who never looks.
    notify(
        recipient_ids=[assignee.pk],
        kind=Notification.Kind.ASSIGNED,
        actor=moderator,
        thread=thread,
    )
    return thread


@transaction.atomic
def thread_release(*, moderator, thread: Thread) -> Thread:
    """Nobody is on the thread any more. Releasing a free thread changes nothing."""
    permissions.check_moderate(moderator)
    thread = _locked_thread(thread)
    holder = thread.assignee_at(timezone.now())
    had_fields = thread.assigned_to_id is not None or thread.claim_expires_at is not None
    previous_expiry = thread.claim_expires_at
    thread.assigned_to, thread.claim_expires_at = None, None
    if had_fields:
        Thread.objects.filter(pk=thread.pk).update(assigned_to=None, claim_expires_at=None)
    if holder is None:
        return thread  # free or lapsed already: nothing to log
    log(
        thread,
        THREAD_RELEASE,
        user=moderator,
        data={
            "assignee": None,
            "assignee_name": "",
            "expires_at": None,
            "previous": holder.pk,
            "previous_name": holder.public_name,
            "previous_expires_at": previous_expiry.isoformat(),
        },
    )
    return thread
