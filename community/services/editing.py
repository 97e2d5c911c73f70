"""Editing posts: the earlier text is kept (promise 3), and an edit follows the
posting rules of new posts (community/limits.py, rule 5).

An edit that pre-moderation would hold (a new member's post past the link limit)
does not change a public post: it is stored as a ProposedEdit and waits in the
approvals list, the old version staying public. The moderator's decision is in
moderation/services/approvals.py; applying an approved change is `edit_apply`.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.roles import is_moderator
from community import limits, permissions
from community.locking import lock_reply, lock_thread
from community.models import ProposedEdit, Reply, Revision, Thread, Visibility
from community.premoderation import is_new_member, needs_approval
from community.search import thread_reindex_on_commit
from community.services.posting import _recent_posts, _rendered, _set_tags, normalize_tags


def _check_edit_rules(*, editor, thread: Thread, body: str) -> None:
    """The posting rules an edit that changes the text follows: the edit limits and
    the copy-paste rule. Staff edits are exempt, as their new posts are."""
    if (since := limits.recent_since(timezone.now())) is not None and (
        limits.refuses_copy_paste(author=editor, body=body)
    ):
        elsewhere = any(
            reply.thread_id != thread.pk and limits.same_text(reply.body, body)
            for reply in _recent_posts(Reply, author=editor, since=since)
        ) or any(
            asked.pk != thread.pk and limits.same_text(asked.body, body)
            for asked in _recent_posts(Thread, author=editor, since=since)
        )
        if elsewhere:
            raise limits.DuplicatePost()
    limits.check_rate(author=editor, kind=limits.EDIT, is_new_member=lambda: is_new_member(editor))


def _pending_edit(post: Thread | Reply) -> ProposedEdit | None:
    return post.proposed_edits.filter(status=ProposedEdit.Status.PENDING).first()


def _change_text(*, editor, post: Thread | Reply, title: str, body: str, check_limits: bool):
    """Edit the text of a locked post: applied at once, or held for approval.

    Returns the ProposedEdit when the change waits (the post is unchanged), None
    when it was applied. Either way a change still waiting on this post is
    replaced: the author's latest text is the one that counts.
    """
    thread = post if isinstance(post, Thread) else post.thread
    body_html, _mentioned = _rendered(body)
    waiting = _pending_edit(post)
    if check_limits and not is_moderator(editor):
        _check_edit_rules(editor=editor, thread=thread, body=body)
        # A public post stays as it is until a moderator approves the change; a post
        # that is itself pending is read again by the moderator who approves it.
        if post.visibility == Visibility.VISIBLE and needs_approval(
            author=editor, body_html=body_html
        ):
            if waiting is not None:
                waiting.status = ProposedEdit.Status.SUPERSEDED
                waiting.decided_at = timezone.now()
                waiting.save(update_fields=["status", "decided_at"])
            return ProposedEdit.objects.create(
                **{"thread" if post is thread else "reply": post},
                editor=editor,
                title=title if post is thread else "",
                body=body,
                body_html=body_html,
            )
    if waiting is not None:
        waiting.status = ProposedEdit.Status.SUPERSEDED
        waiting.decided_at = timezone.now()
        waiting.save(update_fields=["status", "decided_at"])
    edit_apply(post=post, editor=editor, title=title, body=body, body_html=body_html)
    return None


def edit_apply(*, post: Thread | Reply, editor, title: str, body: str, body_html: str) -> None:
    """Replace a locked post's text, keeping the earlier one as a revision, and
    reindex its thread after commit. The caller has checked the rules."""
    if isinstance(post, Thread):
        Revision.objects.create(
            thread=post, editor=editor, title=post.title, body=post.body, body_html=post.body_html
        )
        post.title = title
        fields = ["title", "body", "body_html", "edited_at", "updated_at"]
    else:
        Revision.objects.create(reply=post, editor=editor, body=post.body, body_html=post.body_html)
        fields = ["body", "body_html", "edited_at", "updated_at"]
    post.body, post.body_html = body, body_html
    post.edited_at = timezone.now()
    post.save(update_fields=fields)
    thread_reindex_on_commit(thread_id=post.pk if isinstance(post, Thread) else post.thread_id)


@transaction.atomic
def thread_edit(
    *,
    editor,
    thread: Thread,
    title: str,
    body: str,
    tags: Iterable[str] | None = None,
    check_limits: bool = True,
) -> Thread:
    """Edit a question. A change of title or text follows the posting rules and may
    wait for approval: then `thread.held_edit` is the ProposedEdit and the question
    keeps its text (tags change at once). `check_limits=False` is for scripts such
    as seed_demo, never for a member's request."""
    thread = lock_thread(thread)
    permissions.check_edit(editor, thread)
    title = " ".join(title.split())
    new_tags = normalize_tags(tags) if tags is not None else None
    thread.held_edit = None
    if title != thread.title or body != thread.body:
        thread.held_edit = _change_text(
            editor=editor, post=thread, title=title, body=body, check_limits=check_limits
        )
    if new_tags is not None:
        _set_tags(thread, new_tags)
        thread_reindex_on_commit(thread_id=thread.pk)
    return thread


@transaction.atomic
def reply_edit(*, editor, reply: Reply, body: str, check_limits: bool = True) -> Reply:
    """Edit a reply. A change of text follows the posting rules and may wait for
    approval: then `reply.held_edit` is the ProposedEdit and the reply keeps its
    text. `check_limits=False` is for scripts such as seed_demo."""
    reply = lock_reply(reply)
    permissions.check_edit(editor, reply)
    reply.held_edit = None
    if body != reply.body:
        reply.held_edit = _change_text(
            editor=editor, post=reply, title="", body=body, check_limits=check_limits
        )
    return reply
