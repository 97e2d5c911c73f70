"""What the edit and history pages read: a post's earlier versions, and the change
to it that waits for a moderator or was not approved."""

from community.models.forum import ProposedEdit, Reply, Thread


def revision_list(*, post):
    return post.revisions.select_related("editor").order_by("-created_at", "-pk")


def edit_waiting(*, post: Thread | Reply) -> ProposedEdit | None:
    """The change to `post` that waits for a moderator's approval, if any."""
    return post.proposed_edits.filter(status=ProposedEdit.Status.PENDING).first()


def edit_not_approved(*, post: Thread | Reply) -> ProposedEdit | None:
    """The latest change proposed to `post` when a moderator did not approve it and
    the post was not edited since: its edit page says why."""
    latest = post.proposed_edits.order_by("-created_at", "-pk").first()
    if latest is None or latest.status != ProposedEdit.Status.REJECTED:
        return None
    if post.edited_at and latest.decided_at and post.edited_at > latest.decided_at:
        return None
    return latest
