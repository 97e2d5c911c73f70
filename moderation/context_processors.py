from django.utils.functional import SimpleLazyObject

from moderation import permissions, selectors


def moderation(request):
    """The queue's counts in the header, for moderators only (counted once, lazily)."""
    user = getattr(request, "user", None)
    if not (user and permissions.can_moderate(user)):
        return {"moderation_queue": None}
    return {"moderation_queue": SimpleLazyObject(selectors.queue_counts)}
