from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.search.queryset import SearchableQuerySetMixin

from accounts.querysets import staff_flag_expression


class AnnouncementQuerySet(models.QuerySet):
    def current(self, *, now=None):
        """Shown now: started, and not yet ended; the latest start first."""
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), starts_at__lte=now)

    def status(self, status: str, *, now=None):
        now = now or timezone.now()
        if status == "scheduled":
            return self.filter(starts_at__gt=now)
        if status == "ended":
            return self.filter(ends_at__lte=now)
        if status == "showing":
            return self.current(now=now)
        return self


class CategoryQuerySet(models.QuerySet):
    def with_thread_counts(self):
        return self.annotate(
            visible_thread_count=Count("threads", filter=Q(threads__visibility="visible"))
        )


class ReplyQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(visibility="visible")

    def with_author(self):
        return self.select_related("author").annotate(
            author_is_staff=staff_flag_expression("author")
        )


class ThreadQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def visible(self):
        return self.filter(visibility="visible")

    def with_author(self):
        return self.select_related("author").annotate(
            author_is_staff=staff_flag_expression("author")
        )

    def for_list(self):
        """Visible threads with what a list row shows, newest activity first."""
        return (
            self.visible()
            .with_author()
            .select_related("category")
            .prefetch_related("tags")
            .order_by("-last_activity_at", "-pk")
        )


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self):
        return self.select_related("actor", "thread").order_by("-created_at", "-pk")
