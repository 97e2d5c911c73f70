"""Members' reports on posts, and what moderators do with them.

A member reports a thread or a reply once (a second report while the first is
open changes nothing). When enough different members report the same post it is
hidden "pending review" without a moderator (never an official reply or a staff
member's post: those reports only wait on the report list), so a flood of spam does not stay up
overnight; the reports stay open for a moderator, who dismisses them (a post hidden
by reports comes back), hides the post for good or suspends its author. Every
change is logged (promise 3); hiding a reply keeps the official-reply queue exact
(promise 1).
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from accounts.roles import is_moderator
from community.locking import lock_post
from community.models import CommunitySettings, Reply, Thread, Visibility
from community.services import post_hide
from moderation import permissions
from moderation.audit import (
    REPLY_HIDE,
    REPLY_RESTORE,
    REPORT_AUTO_HIDE,
    REPORT_DISMISS,
    THREAD_HIDE,
    THREAD_RESTORE,
)
from moderation.models import Report
from moderation.permissions import check_report
from moderation.services.actions import hide_as_moderator, restore_as_moderator
from moderation.services.members import member_suspend
from moderation.services.reasons import clean_reason, optional_reason, within_limit

NOTE_MAX_LENGTH = 500
AUTO_HIDE_REASON = gettext_lazy("Hidden after several reports, pending a moderator's review")
# The log entries that change whether a post is shown: the latest one tells who hid it.
_VISIBILITY_ACTIONS = (
    REPLY_HIDE,
    REPLY_RESTORE,
    THREAD_HIDE,
    THREAD_RESTORE,
    REPORT_AUTO_HIDE,
)


# Reporting --------------------------------------------------------------------------


def _open_reports_on(thread: Thread, reply: Reply | None):
    reports = Report.objects.filter(status=Report.Status.OPEN, thread_id=thread.pk)
    if reply is None:
        return reports.filter(reply__isnull=True)
    return reports.filter(reply_id=reply.pk)


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError(_("The note holds a character that cannot be saved."), code="nul")
    too_long = _("Keep the note under %(limit)s characters.")
    return within_limit(note, NOTE_MAX_LENGTH, too_long, code="note_too_long")


@transaction.atomic
def report_create(
    *, reporter, thread: Thread, reply: Reply | None = None, reason: str, note: str = ""
) -> Report:
    """Report a visible thread (or one of its replies) to the moderators.

    Idempotent: while the member's report on this post is open, reporting it again
    returns that report. When enough different members have open reports on the
    post, it is hidden pending a moderator's review.
    """
    # The thread, then the reply: reports on one post are counted one after the other.
    thread, reply = lock_post(thread, reply)
    post = reply or thread
    check_report(reporter, post)
    if reason not in Report.Reason.values:
        raise ValidationError(_("Choose a reason from the list."), code="invalid_reason")
    note = _clean_note(note)
    if not thread.is_visible or (reply is not None and reply.visibility != Visibility.VISIBLE):
        raise ValidationError(_("This post is not shown any more."), code="not_visible")

    existing = _open_reports_on(thread, reply).filter(reporter=reporter).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter, thread=thread, reply=reply, reason=reason, note=note
            )
    except IntegrityError:
        # A concurrent double submit got there first: one open report per member.
        return _open_reports_on(thread, reply).get(reporter=reporter)

    if hides_on_reports(post):
        threshold = CommunitySettings.load().report_auto_hide_threshold
        reporters = _open_reports_on(thread, reply).values("reporter_id").distinct().count()
        if reporters >= threshold:
            _hide_pending_review(thread, reply, reporters=reporters, threshold=threshold)
    return report


def hides_on_reports(post: Thread | Reply) -> bool:
    """Whether enough reports hide `post` without a moderator.

    Not the brand's own voice: an official reply, or any post by staff, stays up
    however many members report it (a few accounts must not be able to silence
    the brand and put an answered thread back in the queue); its reports wait on
    the moderators' report list like any other.
    """
    if isinstance(post, Reply) and post.is_official:
        return False
    return not is_moderator(post.author)


def _hide_pending_review(thread: Thread, reply: Reply | None, *, reporters: int, threshold: int):
    """Hide a reported post without a moderator (the rows are locked by the caller)."""
    post = reply or thread
    if post.visibility != Visibility.VISIBLE:
        return
    # Stored once for everyone, in the site's language, like a moderator's reason.
    with translation.override(settings.LANGUAGE_CODE):
        reason = str(AUTO_HIDE_REASON)
    post_hide(post, reason=reason)
    log(
        post,
        REPORT_AUTO_HIDE,
        user=None,
        data={"reporters": reporters, "threshold": threshold, "thread": thread.pk},
    )


def hidden_by_reports(post: Thread | Reply) -> bool:
    """Whether the post is hidden because of reports, not by a moderator's decision:
    the latest change to its visibility in the audit log is the automatic hide."""
    if post.visibility != Visibility.HIDDEN:
        return False
    latest = (
        ModelLogEntry.objects.for_instance(post)
        .filter(action__in=_VISIBILITY_ACTIONS)
        .order_by("-timestamp", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == REPORT_AUTO_HIDE


# Resolving (moderators) ---------------------------------------------------------------


def _resolve(thread, reply, *, moderator, status: str, note: str) -> int:
    return _open_reports_on(thread, reply).update(
        status=status,
        resolved_by=moderator,
        resolved_at=timezone.now(),
        resolution_note=note[:NOTE_MAX_LENGTH],
    )


@transaction.atomic
def reports_dismiss(
    *, moderator, thread: Thread, reply: Reply | None = None, reason: str = ""
) -> int:
    """Close the open reports on a post as unfounded; a post hidden by those reports
    is shown again. Returns how many reports were dismissed (0 on a double submit)."""
    permissions.check_moderate(moderator)
    reason = optional_reason(reason)
    thread, reply = lock_post(thread, reply)
    post = reply or thread
    restored = hidden_by_reports(post)
    dismissed = _resolve(
        thread, reply, moderator=moderator, status=Report.Status.DISMISSED, note=reason
    )
    if not dismissed:
        return 0
    if restored:
        restore_as_moderator(post, moderator=moderator, reason=reason or _("Reports dismissed"))
    log(
        post,
        REPORT_DISMISS,
        user=moderator,
        data={"reports": dismissed, "reason": reason, "restored": restored, "thread": thread.pk},
    )
    return dismissed


@transaction.atomic
def reports_hide_post(*, moderator, thread: Thread, reply: Reply | None = None, reason: str) -> int:
    """Agree with the reports: hide the post (logged with the reason the author reads)
    and close its open reports. Returns how many reports were closed."""
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    thread, reply = lock_post(thread, reply)
    # A post hidden by reports already takes the moderator's reason instead of the
    # automatic one, and the decision is logged as a moderator's hide.
    hide_as_moderator(reply or thread, moderator=moderator, reason=reason)
    return _resolve(thread, reply, moderator=moderator, status=Report.Status.HIDDEN, note=reason)


@transaction.atomic
def reports_suspend_author(
    *,
    moderator,
    thread: Thread,
    reply: Reply | None = None,
    until: datetime,
    reason: str,
    hide: bool = False,
) -> int:
    """Suspend the reported post's author, optionally hide the post, and close the
    post's open reports. Returns how many reports were closed."""
    permissions.check_moderate(moderator)
    thread, reply = lock_post(thread, reply)
    post = reply or thread
    member_suspend(moderator=moderator, member=post.author, until=until, reason=reason)
    reason = clean_reason(reason)
    if hide:
        hide_as_moderator(post, moderator=moderator, reason=reason)
    return _resolve(thread, reply, moderator=moderator, status=Report.Status.SUSPENDED, note=reason)
