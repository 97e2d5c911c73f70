from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from wagtail.search.queryset import SearchableQuerySetMixin

from accounts.querysets import staff_flag_expression
from accounts.roles import is_moderator


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
    def originals(self):
        """The categories themselves (their default-language rows), without the
        editors' translations, which only lend them names (Category.local_name)."""
        return self.filter(locale__language_code=settings.LANGUAGE_CODE)

    def by_slug(self, slugs=None) -> dict:
        """{slug: category} of the originals (a slug is unique within a language only,
        so QuerySet.in_bulk cannot key by it)."""
        rows = self.originals()
        if slugs is not None:
            rows = rows.filter(slug__in=slugs)
        return {category.slug: category for category in rows}

    def with_thread_counts(self):
        return self.annotate(
            visible_thread_count=Count("threads", filter=Q(threads__visibility="visible"))
        )


def readable_q(user, prefix: str = "") -> Q:
    """The condition for the posts `user` may read, on the post itself or, with
    `prefix` ("thread__"), on a related post: the visible ones; their own hidden and
    pending ones too; moderators read everything (an empty Q: mind that `Q() | q`
    is `q`). Lists, the bell and the admin views all read it from here."""
    if is_moderator(user):
        return Q()
    visible = Q(**{f"{prefix}visibility": "visible"})
    if user.is_authenticated:
        return visible | Q(**{f"{prefix}author": user})
    return visible


class PostQuerySet(models.QuerySet):
    """What threads and replies share: who may read them, and their authors."""

    def visible(self):
        return self.filter(visibility="visible")

    def readable_by(self, user):
        """The posts `user` may read: the visible ones; their own hidden and pending
        ones too (with the moderator's reason, or "awaiting approval"); moderators
        read everything. The same rule as permissions.can_read, for lists."""
        return self.filter(readable_q(user))

    def with_author(self):
        return self.select_related("author").annotate(
            author_is_staff=staff_flag_expression("author")
        )


class ReplyQuerySet(PostQuerySet):
    pass


def awaiting_official_reply_q() -> Q:
    """A visible thread the brand has not answered officially yet: the queue
    (promise 1). first_official_reply_at counts visible official replies only."""
    return Q(visibility="visible", first_official_reply_at__isnull=True)


def overdue_q(at) -> Q:
    """Awaiting an official reply past the time the brand promised it."""
    return awaiting_official_reply_q() & Q(response_due_at__lt=at)


def officially_answered_q() -> Q:
    return Q(first_official_reply_at__isnull=False)


def unanswered_q() -> Q:
    return Q(reply_count=0)


def solved_q() -> Q:
    return Q(solution__isnull=False)


class ThreadQuerySet(SearchableQuerySetMixin, PostQuerySet):
    """Thread states as verbs: every list, the queue, the admin views, the metrics
    and check_queue read a state through these (or, inside one aggregate, through
    the conditions above), so each rule has one home."""

    def awaiting_official_reply(self):
        return self.filter(awaiting_official_reply_q())

    def overdue(self, at):
        return self.filter(overdue_q(at))

    def officially_answered(self):
        return self.filter(officially_answered_q())

    def unanswered(self):
        return self.filter(unanswered_q())

    def solved(self):
        return self.filter(solved_q())

    def in_status(self, status: str):
        """One of the lists' status filters by its public name (STATUSES), or all."""
        verb = STATUSES.get(status)
        return getattr(self, verb)() if verb else self

    def with_first_official_reply(self):
        """Each thread's first visible official reply as `first_official_reply_id`
        (None before the brand has answered), read in the same query: the thread
        page's "Official reply" badge links to it."""
        replies = self.model._meta.get_field("replies").related_model
        first = (
            replies.objects.filter(thread=OuterRef("pk"), visibility="visible", is_official=True)
            .order_by("created_at", "pk")
            .values("pk")[:1]
        )
        return self.annotate(first_official_reply_id=Subquery(first))

    def in_language(self, language: str):
        return self.filter(language=language)

    def reader_language_first(self, language: str, *order: str):
        """Every language, the threads in `language` first, each group in `order`."""
        return self.alias(
            in_other_language=models.Case(
                models.When(language=language, then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            )
        ).order_by("in_other_language", *order)

    def for_list(self):
        """Visible threads with what a list row shows, newest activity first."""
        return (
            self.visible()
            .with_author()
            .select_related("category")
            .prefetch_related("tags")
            .order_by("-last_activity_at", "-pk")
        )


# The lists' `status=` query values (the public URL contract) and their verbs.
STATUSES = {
    "unanswered": "unanswered",
    "awaiting-official": "awaiting_official_reply",
    "solved": "solved",
}


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        """A member's notifications about what they may still read: one about a thread
        or reply hidden (or waiting for approval) since it was sent drops out of the
        bell, its count and the notifications page, unless the recipient wrote it or
        moderates; it comes back if the post is restored."""
        rows = self.filter(recipient=user)
        if is_moderator(user):
            return rows
        reply_readable = Q(reply__isnull=True) | readable_q(user, "reply__")
        return rows.filter(readable_q(user, "thread__"), reply_readable)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self):
        # The reply too: its text is shown, and whether it is official decides the wording.
        return self.select_related("actor", "thread", "reply").order_by("-created_at", "-pk")
