from django.db import models
from django.db.models import Count, Q
from wagtail.search.queryset import SearchableQuerySetMixin

from accounts.querysets import staff_flag_expression


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
