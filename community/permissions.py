"""Who may do what in the community: one can_* answer and one check_* per action.

Views call check_* before acting and services call it again inside their
transaction, so a rule lives here once. Checks compare ids and use the roles
cached on the user object, so a page can ask them per row without queries.
"""

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import is_moderator


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _can_post(user) -> bool:
    """A signed-in member who is not suspended: suspended members read, never write."""
    return _is_member(user) and not user.is_suspended


def suspension_message(user) -> str:
    """What a suspended member is told when they try to write: why and until when."""
    # A 24-hour time: "p.m." would end the sentence with two full stops.
    until = timezone.localtime(user.suspended_until)
    until = f"{formats.date_format(until, 'DATE_FORMAT')} {formats.time_format(until, 'H:i')}"
    if user.suspension_reason:
        reason = user.suspension_reason.rstrip()
        if reason[-1:] not in ".!?…":
            reason += "."
        return _("Your account is suspended until %(until)s: %(reason)s") % {
            "until": until,
            "reason": reason,
        }
    return _("Your account is suspended until %(until)s.") % {"until": until}


def _check_not_suspended(user) -> None:
    if _is_member(user) and user.is_suspended:
        raise PermissionDenied(suspension_message(user))


def can_ask(user) -> bool:
    return _can_post(user)


def check_ask(user) -> None:
    _check_not_suspended(user)
    if not can_ask(user):
        raise PermissionDenied(_("Sign in to ask a question."))


def can_reply(user, thread) -> bool:
    if not _can_post(user) or not thread.is_visible:
        return False
    return not thread.is_closed or is_moderator(user)


def check_reply(user, thread) -> None:
    if not _is_member(user):
        raise PermissionDenied(_("Sign in to reply."))
    _check_not_suspended(user)
    if thread.is_locked and not is_moderator(user):
        raise PermissionDenied(_("This thread is locked: it no longer takes replies."))
    if thread.duplicate_of_id and not is_moderator(user):
        raise PermissionDenied(
            _("This thread is closed as a duplicate: please reply on the original.")
        )
    if not can_reply(user, thread):
        raise PermissionDenied(_("You cannot reply to this thread."))


def can_edit(user, post) -> bool:
    """The author edits their own thread or reply; moderators edit any."""
    return _can_post(user) and (post.author_id == user.pk or is_moderator(user))


def check_edit(user, post) -> None:
    _check_not_suspended(user)
    if not can_edit(user, post):
        raise PermissionDenied(_("Only the author or a moderator can edit this."))


# Whoever may edit a post may read what it said before.
can_view_history = can_edit
check_view_history = check_edit


def can_mark_helpful(user, reply) -> bool:
    return _can_post(user) and reply.author_id != user.pk and reply.visibility == "visible"


def check_mark_helpful(user, reply) -> None:
    if not _is_member(user):
        raise PermissionDenied(_("Sign in to mark replies as helpful."))
    _check_not_suspended(user)
    if not can_mark_helpful(user, reply):
        raise PermissionDenied(_("You cannot mark your own reply as helpful."))


def can_say_me_too(user, thread) -> bool:
    # The asker already counts as the first member with the problem.
    return _can_post(user) and thread.author_id != user.pk and thread.is_visible


def check_say_me_too(user, thread) -> None:
    if not _is_member(user):
        raise PermissionDenied(_("Sign in to say you have this problem too."))
    _check_not_suspended(user)
    if not can_say_me_too(user, thread):
        raise PermissionDenied(_("You asked this question: you already count."))


def can_rate_help_article(user) -> bool:
    """Visitors answer "was this helpful?" too (once per signed cookie); members once
    per article; suspended members cast no vote of any kind."""
    return not (_is_member(user) and user.is_suspended)


def check_rate_help_article(user) -> None:
    _check_not_suspended(user)


def solution_marked_by_staff(thread) -> bool:
    """Whether the thread's solution was marked by someone other than the asker:
    only the asker and moderators may mark one, so that was staff."""
    return thread.solution_id is not None and thread.solution_marked_by_id not in (
        None,
        thread.author_id,
    )


def can_accept(user, thread) -> bool:
    """The asker marks, changes or undoes the solution of their thread, unless
    staff marked it: a moderator's solution is changed by moderators only."""
    if not _can_post(user) or not thread.is_visible:
        return False
    if is_moderator(user):
        return True
    return thread.author_id == user.pk and not solution_marked_by_staff(thread)


def check_accept(user, thread) -> None:
    _check_not_suspended(user)
    if not can_accept(user, thread):
        if _is_member(user) and thread.author_id == user.pk and solution_marked_by_staff(thread):
            raise PermissionDenied(
                _("A moderator marked this solution: only a moderator can change it.")
            )
        raise PermissionDenied(_("Only the asker or a moderator can mark the solution."))


def can_recommend(user, reply) -> bool:
    # Official replies speak for the brand already; recommending is for peers' answers.
    return is_moderator(user) and not reply.is_official


def check_recommend(user, reply=None) -> None:
    """Without `reply`: whether `user` may recommend at all, asked before the reply
    is read, so a refused member gets the same answer for every id."""
    if not (is_moderator(user) if reply is None else can_recommend(user, reply)):
        raise PermissionDenied(_("Only moderators can recommend a member's reply."))


def can_follow(user) -> bool:
    return _is_member(user)


def check_follow(user) -> None:
    if not can_follow(user):
        raise PermissionDenied(_("Sign in to follow threads."))


def can_answer_resolution_check(user, check) -> bool:
    """Only the asker says whether their problem is solved, on a thread still public."""
    return _can_post(user) and check.asker_id == user.pk and check.thread.is_visible


def check_answer_resolution_check(user, check) -> None:
    _check_not_suspended(user)
    if not can_answer_resolution_check(user, check):
        raise PermissionDenied(_("Only the member who asked can say whether it is solved."))


def can_rate_satisfaction(user, rating) -> bool:
    """Only the member asked rates the help, on a thread still public."""
    return _can_post(user) and rating.member_id == user.pk and rating.thread.is_visible


def check_rate_satisfaction(user, rating) -> None:
    _check_not_suspended(user)
    if not can_rate_satisfaction(user, rating):
        raise PermissionDenied(_("Only the member who was asked can rate the help."))


# Editors (and superusers) manage the webhook subscriptions (community 0036 gives
# the Editors group the model's permissions); the admin's views ask the same.
MANAGE_WEBHOOKS_PERMISSION = "community.change_webhooksubscription"


def can_manage_webhooks(user) -> bool:
    return _is_member(user) and user.has_perm(MANAGE_WEBHOOKS_PERMISSION)


def check_manage_webhooks(user) -> None:
    if not can_manage_webhooks(user):
        raise PermissionDenied(_("Only editors manage webhooks."))
