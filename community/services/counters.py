"""Counters recomputed from the rows (promise 4): after a reply is hidden or
restored, and as the repair path of `manage.py recount`."""

from community.models import HelpfulVote, MeToo, Reply, Thread, Visibility
from community.search import thread_reindex_on_commit
from community.services.conversation import thread_refresh_conversation


def thread_refresh_replies(thread: Thread) -> Thread:
    """Recompute what a thread knows about its visible replies after one is hidden or
    restored: the reply count and when the first visible official reply came.

    Without a visible official reply the thread is back in the official-reply
    queue; its due time was fixed when it was asked, so it keeps its place.
    """
    visible = Reply.objects.filter(thread_id=thread.pk, visibility=Visibility.VISIBLE)
    first_official = visible.filter(is_official=True).order_by("created_at").first()
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=visible.count(),
        first_official_reply_at=first_official.created_at if first_official else None,
    )
    thread_refresh_conversation(thread)
    thread.refresh_from_db(
        fields=[
            "reply_count",
            "first_official_reply_at",
            "last_official_reply_at",
            "follow_up_since",
            "follow_up_due_at",
        ]
    )
    # The visible replies' words are part of the thread's search entry.
    thread_reindex_on_commit(thread_id=thread.pk)
    return thread


def thread_recount(thread: Thread) -> dict[str, int]:
    """Recompute a thread's counters from the rows (the repair path for promise 4)."""
    visible_replies = Reply.objects.filter(thread=thread, visibility=Visibility.VISIBLE)
    counts = {
        "reply_count": visible_replies.count(),
        "me_too_count": MeToo.objects.filter(thread=thread).count(),
    }
    first_official = visible_replies.filter(is_official=True).order_by("created_at").first()
    Thread.objects.filter(pk=thread.pk).update(
        **counts,
        first_official_reply_at=first_official.created_at if first_official else None,
    )
    thread_refresh_conversation(thread)
    for reply_id in Reply.objects.filter(thread=thread).values_list("pk", flat=True):
        Reply.objects.filter(pk=reply_id).update(
            helpful_count=HelpfulVote.objects.filter(reply_id=reply_id).count()
        )
    return counts
