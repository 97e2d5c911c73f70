from django.utils.functional import SimpleLazyObject

from moderation import permissions, reports_selectors, selectors


def moderation(request):
    """The queue's counts, the posts awaiting approval and the open reports, in the
    header for moderators only (each counted lazily: one query apiece, only when shown)."""
    user = getattr(request, "user", None)
    if not (user and permissions.can_moderate(user)):
        return {"moderation_queue": None, "moderation_pending": None, "moderation_reports": None}
    return {
        "moderation_queue": SimpleLazyObject(selectors.queue_counts),
        "moderation_pending": SimpleLazyObject(selectors.pending_count),
        "moderation_reports": SimpleLazyObject(reports_selectors.open_report_count),
    }
