"""What the community keeps about a member, for their copy of it and for closing
their account (the accounts app asks through its hook and its signal).

Each section is one query, whatever the number of rows: values() lists, with
the thread titles joined in.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from community.cache import content_changed
from community.models import (
    CategoryFollow,
    Follow,
    HelpArticleVote,
    HelpfulVote,
    InboundEmail,
    MeToo,
    Notification,
    ProposedEdit,
    Reply,
    ResolutionCheck,
    Revision,
    SatisfactionRating,
    TagFollow,
    Thread,
)


def _iso(value):
    return value.isoformat() if value else None


def member_data_sections(user) -> dict:
    """The member's posts (hidden ones too, with their visibility) and their
    earlier versions, votes, follows and notifications."""
    threads = Thread.objects.filter(author=user).order_by("created_at", "pk")
    replies = Reply.objects.filter(author=user).order_by("created_at", "pk")
    return {
        "threads": [
            {
                "id": row["pk"],
                "title": row["title"],
                "category": row["category__name"],
                "body": row["body"],
                "visibility": row["visibility"],
                "created_at": _iso(row["created_at"]),
                "edited_at": _iso(row["edited_at"]),
                "url": Thread(pk=row["pk"], slug=row["slug"]).get_absolute_url(),
            }
            for row in threads.values(
                "pk",
                "title",
                "slug",
                "category__name",
                "body",
                "visibility",
                "created_at",
                "edited_at",
            )
        ],
        "replies": [
            {
                "id": row["pk"],
                "thread": row["thread_id"],
                "thread_title": row["thread__title"],
                "body": row["body"],
                "visibility": row["visibility"],
                "is_official": row["is_official"],
                "created_at": _iso(row["created_at"]),
                "edited_at": _iso(row["edited_at"]),
            }
            for row in replies.values(
                "pk",
                "thread_id",
                "thread__title",
                "body",
                "visibility",
                "is_official",
                "created_at",
                "edited_at",
            )
        ],
        # The text of the member's posts before each edit (edits keep revisions).
        "earlier_versions": [
            {
                "thread": row["thread_id"],
                "reply": row["reply_id"],
                "title": row["title"],
                "body": row["body"],
                "replaced_at": _iso(row["created_at"]),
            }
            for row in Revision.objects.filter(Q(thread__author=user) | Q(reply__author=user))
            .order_by("created_at", "pk")
            .values("thread_id", "reply_id", "title", "body", "created_at")
        ],
        # Changes that waited for a moderator, with the decision taken on each.
        "proposed_changes": [
            {
                "thread": row["thread_id"],
                "reply": row["reply_id"],
                "title": row["title"],
                "body": row["body"],
                "status": row["status"],
                "reason": row["reason"],
                "proposed_at": _iso(row["created_at"]),
                "decided_at": _iso(row["decided_at"]),
            }
            for row in ProposedEdit.objects.filter(editor=user)
            .order_by("created_at", "pk")
            .values(
                "thread_id",
                "reply_id",
                "title",
                "body",
                "status",
                "reason",
                "created_at",
                "decided_at",
            )
        ],
        "votes": {
            "helpful": [
                {"reply": row["reply_id"], "created_at": _iso(row["created_at"])}
                for row in HelpfulVote.objects.filter(user=user)
                .order_by("created_at", "pk")
                .values("reply_id", "created_at")
            ],
            "me_too": [
                {"thread": row["thread_id"], "created_at": _iso(row["created_at"])}
                for row in MeToo.objects.filter(user=user)
                .order_by("created_at", "pk")
                .values("thread_id", "created_at")
            ],
            "help_articles": [
                {
                    "article": row["article_id"],
                    "helpful": row["helpful"],
                    "created_at": _iso(row["created_at"]),
                }
                for row in HelpArticleVote.objects.filter(member=user)
                .order_by("created_at", "pk")
                .values("article_id", "helpful", "created_at")
            ],
        },
        # "Did this solve your problem?" and "How satisfied are you?", answered or not.
        "resolution_answers": [
            {
                "thread": row["thread_id"],
                "reply": row["reply_id"],
                "answer": row["answer"],
                "asked_at": _iso(row["asked_at"]),
                "answered_at": _iso(row["answered_at"]),
            }
            for row in ResolutionCheck.objects.filter(asker=user)
            .order_by("asked_at", "pk")
            .values("thread_id", "reply_id", "answer", "asked_at", "answered_at")
        ],
        "satisfaction": [
            {
                "thread": row["thread_id"],
                "score": row["score"],
                "comment": row["comment"],
                "asked_at": _iso(row["asked_at"]),
                "answered_at": _iso(row["answered_at"]),
            }
            for row in SatisfactionRating.objects.filter(member=user)
            .order_by("asked_at", "pk")
            .values("thread_id", "score", "comment", "asked_at", "answered_at")
        ],
        "follows": [
            {
                "thread": row["thread_id"],
                "thread_title": row["thread__title"],
                "created_at": _iso(row["created_at"]),
            }
            for row in Follow.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("thread_id", "thread__title", "created_at")
        ],
        "followed_categories": [
            {"category": row["category__slug"], "created_at": _iso(row["created_at"])}
            for row in CategoryFollow.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("category__slug", "created_at")
        ],
        "followed_tags": [
            {"tag": row["tag__name"], "created_at": _iso(row["created_at"])}
            for row in TagFollow.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("tag__name", "created_at")
        ],
        "emails_received": [
            {
                "received_at": _iso(row["received_at"]),
                "sender": row["sender"],
                "outcome": row["outcome"],
                "thread": row["thread_id"],
                "reply": row["reply_id"],
            }
            for row in InboundEmail.objects.filter(member=user)
            .order_by("received_at", "pk")
            .values("received_at", "sender", "outcome", "thread_id", "reply_id")
        ],
        "notifications": [
            {
                "kind": row["kind"],
                "thread": row["thread_id"],
                "thread_title": row["thread__title"],
                "reply": row["reply_id"],
                "created_at": _iso(row["created_at"]),
                "read_at": _iso(row["read_at"]),
            }
            for row in Notification.objects.filter(recipient=user)
            .order_by("created_at", "pk")
            .values("kind", "thread_id", "thread__title", "reply_id", "created_at", "read_at")
        ],
    }


def forget_closed_member(sender, *, user, **kwargs) -> None:
    """A closed account follows nothing and is told nothing any more, the mail it sent
    keeps no address, and its changes
    still waiting for approval are withdrawn. Its posts and votes stay (the counters
    keep counting them); cached pages drop its old name."""
    ProposedEdit.objects.filter(editor=user, status=ProposedEdit.Status.PENDING).update(
        status=ProposedEdit.Status.SUPERSEDED, decided_at=timezone.now()
    )
    Follow.objects.filter(user=user).delete()
    CategoryFollow.objects.filter(user=user).delete()
    TagFollow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    # The mail it sent to a reply address: the record stays, its address goes.
    InboundEmail.objects.filter(member=user).update(sender="")
    transaction.on_commit(content_changed)
