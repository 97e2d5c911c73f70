"""Moderation actions: each checks the moderator, keeps every row (hide, never delete),
is reversible, and writes Wagtail's audit log with who, what and why (promise 3)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community.locking import lock_reply, lock_thread
from community.models import Category, Reply, Thread, Visibility
from community.search import thread_reindex_on_commit
from community.services import post_hide, post_restore
from moderation import permissions
from moderation.audit import (
    REPLY_HIDE,
    REPLY_RESTORE,
    THREAD_HIDE,
    THREAD_LOCK,
    THREAD_MARK_DUPLICATE,
    THREAD_MOVE,
    THREAD_PIN,
    THREAD_RESTORE,
    THREAD_UNLOCK,
    THREAD_UNMARK_DUPLICATE,
    THREAD_UNPIN,
)
from moderation.services.reasons import clean_reason, one_line, optional_reason

# Hiding and restoring ---------------------------------------------------------------
# community.services.post_hide and post_restore change the post and keep the counters
# and the queue true; what moderation adds is the moderator, the reason and the log.


def hide_as_moderator(post: Thread | Reply, *, moderator, reason: str) -> bool:
    """Hide a post, locked by the caller, with the moderator's reason, and log it.
    Nothing is logged when nothing changed (hidden already, with that reason)."""
    previous = post.visibility
    if not post_hide(post, reason=reason):
        return False
    if isinstance(post, Reply):
        log(post, REPLY_HIDE, user=moderator, data={"reason": reason, "thread": post.thread_id})
    else:
        log(post, THREAD_HIDE, user=moderator, data={"reason": reason, "previous": previous})
    return True


def restore_as_moderator(post: Thread | Reply, *, moderator, reason: str = "") -> bool:
    """Make a hidden post, locked by the caller, public again, and log it (with
    `published` when a thread that was never public is published by it)."""
    first_publication = isinstance(post, Thread) and post.published_at is None
    if not post_restore(post):
        return False
    if isinstance(post, Reply):
        data = {"reason": one_line(reason), "thread": post.thread_id}
        log(post, REPLY_RESTORE, user=moderator, data=data)
        return True
    data = {"reason": optional_reason(reason)}
    if first_publication:
        data["published"] = True
    log(post, THREAD_RESTORE, user=moderator, data=data)
    return True


def lock(post: Thread | Reply) -> Thread | Reply:
    """The post's row locked, with fresh values (a reply after its thread's)."""
    return lock_reply(post) if isinstance(post, Reply) else lock_thread(post)


@transaction.atomic
def _hide(*, moderator, post: Thread | Reply, reason: str) -> Thread | Reply:
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    post = lock(post)
    if post.visibility == Visibility.HIDDEN:
        return post  # already hidden: a double submit changes nothing
    hide_as_moderator(post, moderator=moderator, reason=reason)
    return post


@transaction.atomic
def _restore(*, moderator, post: Thread | Reply, reason: str) -> Thread | Reply:
    permissions.check_moderate(moderator)
    post = lock(post)
    restore_as_moderator(post, moderator=moderator, reason=reason)
    return post


def reply_hide(*, moderator, reply: Reply, reason: str) -> Reply:
    """Hide a reply with a reason its author reads; a thread whose only official
    reply it was is back in the queue, with its original due time."""
    return _hide(moderator=moderator, post=reply, reason=reason)


def reply_restore(*, moderator, reply: Reply, reason: str = "") -> Reply:
    """Show a hidden reply again; it counts on its thread again."""
    return _restore(moderator=moderator, post=reply, reason=reason)


def thread_hide(*, moderator, thread: Thread, reason: str) -> Thread:
    """Hide a thread: out of every list and of the queue, kept whole for its author."""
    return _hide(moderator=moderator, post=thread, reason=reason)


def thread_restore(*, moderator, thread: Thread, reason: str = "") -> Thread:
    """Make a hidden thread visible again; without an official reply it is back in the
    queue with the due time it was given when asked.

    A thread rejected while it awaited approval was never public, so it has no due
    time yet: restoring publishes it, and the official-reply clock starts now.
    """
    return _restore(moderator=moderator, post=thread, reason=reason)


# Locking, pinning, moving, duplicates -----------------------------------------------


@transaction.atomic
def thread_set_locked(*, moderator, thread: Thread, locked: bool, reason: str = "") -> Thread:
    """Lock a thread (no more replies from members) or unlock it."""
    permissions.check_moderate(moderator)
    reason = clean_reason(reason) if locked else one_line(reason)
    thread = lock_thread(thread)
    if thread.is_locked == locked:
        return thread
    thread.is_locked = locked
    thread.save(update_fields=["is_locked", "updated_at"])
    log(thread, THREAD_LOCK if locked else THREAD_UNLOCK, user=moderator, data={"reason": reason})
    return thread


@transaction.atomic
def thread_set_pinned(*, moderator, thread: Thread, pinned: bool, reason: str = "") -> Thread:
    """Pin a thread at the top of its lists (first page, "Pinned" block) or unpin it."""
    permissions.check_moderate(moderator)
    reason = optional_reason(reason)
    thread = lock_thread(thread)
    if thread.is_pinned == pinned:
        return thread  # a double submit changes nothing, and logs nothing
    thread.is_pinned = pinned
    thread.save(update_fields=["is_pinned", "updated_at"])
    log(thread, THREAD_PIN if pinned else THREAD_UNPIN, user=moderator, data={"reason": reason})
    return thread


def _category_data(category: Category) -> dict:
    return {"id": category.pk, "name": category.name}


@transaction.atomic
def thread_move(*, moderator, thread: Thread, category: Category, reason: str) -> Thread:
    """Move a thread to another category; moving it back undoes it.

    The due time of the official reply stays the one promised when the question
    was published: a move never restarts the clock, even when the new category
    has another target.
    """
    permissions.check_moderate(moderator)
    reason = clean_reason(reason)
    thread = lock_thread(thread, select_related=("category",))
    if thread.category_id == category.pk:
        raise ValidationError(
            _("The thread is already in “%(category)s”."),
            code="same_category",
            params={"category": category.local_name},
        )
    previous = thread.category
    thread.category = category
    thread.save(update_fields=["category", "updated_at"])
    thread_reindex_on_commit(thread_id=thread.pk)
    log(
        thread,
        THREAD_MOVE,
        user=moderator,
        data={"from": _category_data(previous), "to": _category_data(category), "reason": reason},
    )
    return thread


# How far the chain of duplicates is followed to refuse a loop (A → B → … → A).
DUPLICATE_CHAIN_DEPTH = 10


def _check_original(thread: Thread, original: Thread) -> None:
    if original.pk == thread.pk:
        raise ValidationError(
            _("A thread cannot be a duplicate of itself."), code="duplicate_of_itself"
        )
    if original.visibility != Visibility.VISIBLE:
        raise ValidationError(
            _("The original must be a public thread."), code="original_not_visible"
        )
    step, next_id = 0, original.duplicate_of_id
    while next_id is not None and step < DUPLICATE_CHAIN_DEPTH:
        if next_id == thread.pk:
            raise ValidationError(
                _("“%(title)s” is already a duplicate of this thread."),
                code="duplicate_loop",
                params={"title": original.title},
            )
        next_id = (
            Thread.objects.filter(pk=next_id).values_list("duplicate_of_id", flat=True).first()
        )
        step += 1


@transaction.atomic
def thread_mark_duplicate(
    *, moderator, thread: Thread, original: Thread, reason: str = ""
) -> Thread:
    """Close a thread as a duplicate of `original`: members reply there instead.

    Nothing is hidden: the thread stays readable and links to the original, which
    links back. Reopening (thread_unmark_duplicate) undoes it.
    """
    permissions.check_moderate(moderator)
    reason = optional_reason(reason)
    thread = lock_thread(thread)
    original = Thread.objects.get(pk=original.pk)
    if thread.duplicate_of_id == original.pk:
        return thread
    _check_original(thread, original)
    previous = thread.duplicate_of_id
    thread.duplicate_of = original
    thread.save(update_fields=["duplicate_of", "updated_at"])
    data = {"original": original.pk, "title": original.title, "reason": reason}
    if previous:
        data["previous"] = previous
    log(thread, THREAD_MARK_DUPLICATE, user=moderator, data=data)
    return thread


@transaction.atomic
def thread_unmark_duplicate(*, moderator, thread: Thread, reason: str = "") -> Thread:
    """Reopen a thread closed as a duplicate."""
    permissions.check_moderate(moderator)
    reason = optional_reason(reason)
    thread = lock_thread(thread)
    if thread.duplicate_of_id is None:
        return thread
    original = thread.duplicate_of_id
    thread.duplicate_of = None
    thread.save(update_fields=["duplicate_of", "updated_at"])
    log(
        thread,
        THREAD_UNMARK_DUPLICATE,
        user=moderator,
        data={"original": original, "reason": reason},
    )
    return thread
