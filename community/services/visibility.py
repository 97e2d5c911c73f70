"""Hiding and restoring threads and replies: the one place that changes whether a
post is public once it was written (promise 3: hidden, never deleted).

These are primitives: they expect the post locked (community.locking) inside the
caller's transaction, check no permission and write no audit log. Moderation
composes them with its permission checks and its log; each answers whether it
changed anything, so a double submit logs nothing twice.
"""

from django.utils import timezone

from community.models import Reply, Thread, Visibility, WebhookEvent
from community.search import thread_reindex_on_commit
from community.services.counters import thread_refresh_replies
from community.services.posting import response_due_at
from community.webhooks import webhook_event_emit


def post_hide(post: Thread | Reply, *, reason: str) -> bool:
    """Hide a thread or reply with the reason its author reads. A hidden post takes
    the new reason; the same reason again changes nothing."""
    if post.visibility == Visibility.HIDDEN and post.hidden_reason == reason:
        return False
    was_public = post.visibility == Visibility.VISIBLE
    post.visibility, post.hidden_reason = Visibility.HIDDEN, reason
    post.save(update_fields=["visibility", "hidden_reason", "updated_at"])
    if isinstance(post, Thread):
        thread_reindex_on_commit(thread_id=post.pk)
        # A rejected question was never public: there is nothing to take back.
        if was_public:
            webhook_event_emit(event=WebhookEvent.THREAD_HIDDEN, thread_id=post.pk)
    elif was_public:
        # Hiding the only official reply puts the thread back in the queue, with its
        # original due time.
        thread_refresh_replies(post.thread)
    return True


def post_restore(post: Thread | Reply) -> bool:
    """Make a hidden thread or reply public again.

    A thread without an official reply is back in the queue with the due time it
    was given when asked. A thread hidden while it awaited approval was never
    public: restoring publishes it, still due from when it was asked (a question
    from before that rule gets its due time from its asking time now).
    """
    if post.visibility != Visibility.HIDDEN:
        return False
    first_publication = isinstance(post, Thread) and post.published_at is None
    post.visibility, post.hidden_reason = Visibility.VISIBLE, ""
    fields = ["visibility", "hidden_reason", "updated_at"]
    if isinstance(post, Thread) and (post.published_at is None or post.response_due_at is None):
        now = timezone.now()
        post.published_at = post.published_at or now
        post.last_activity_at = now
        post.response_due_at = post.response_due_at or (
            response_due_at(post.category, post.created_at)
        )
        fields += ["published_at", "last_activity_at", "response_due_at"]
    post.save(update_fields=fields)
    if isinstance(post, Thread):
        thread_reindex_on_commit(thread_id=post.pk)
        # Restoring a rejected question is its first publication, as an approval is.
        event = WebhookEvent.THREAD_PUBLISHED if first_publication else WebhookEvent.THREAD_RESTORED
        webhook_event_emit(event=event, thread_id=post.pk)
    else:
        thread_refresh_replies(post.thread)
    return True
