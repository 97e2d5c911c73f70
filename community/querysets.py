from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.lookups import IsNull, LessThan
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
    """A visible thread the brand has not answered officially yet (promise 1).
    first_official_reply_at counts visible official replies only."""
    return Q(visibility="visible", first_official_reply_at__isnull=True)


def awaiting_follow_up_q() -> Q:
    """A visible, unsolved thread where the customer wrote back (or answered "not
    yet") after the brand's last official reply: it awaits the brand again."""
    return Q(
        visibility="visible",
        first_official_reply_at__isnull=False,
        follow_up_since__isnull=False,
        solution__isnull=True,
    )


def awaiting_brand_q() -> Q:
    """The official-reply queue: a first reply or a follow-up is due from the brand."""
    return awaiting_official_reply_q() | awaiting_follow_up_q()


def waiting_on_customer_q() -> Q:
    """The brand spoke last on an unsolved visible thread: its clock is paused (the
    thread counts as closed once the customer stays silent long enough)."""
    return Q(
        visibility="visible",
        first_official_reply_at__isnull=False,
        follow_up_since__isnull=True,
        solution__isnull=True,
    )


def due_at_expression() -> Case:
    """When the brand's next reply is due: the first-response time until it has
    answered, then the follow-up time (None while it waits on the customer)."""
    return Case(
        When(first_official_reply_at__isnull=True, then=F("response_due_at")),
        default=F("follow_up_due_at"),
    )


def overdue_q(at) -> Q:
    """Awaiting the brand past the time it promised its reply."""
    return (awaiting_official_reply_q() & Q(response_due_at__lt=at)) | (
        awaiting_follow_up_q() & Q(follow_up_due_at__lt=at)
    )


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

    def awaiting_follow_up(self):
        return self.filter(awaiting_follow_up_q())

    def awaiting_brand(self):
        """The queue: both awaiting states, each row with its `due_at`."""
        return self.filter(awaiting_brand_q()).annotate(due_at=due_at_expression())

    def waiting_on_customer(self):
        return self.filter(waiting_on_customer_q())

    def closed(self, *, at, close_after):
        """Waiting on the customer for `close_after` or longer since the brand's last
        reply (Thread.conversation_state says the same of one thread)."""
        return self.waiting_on_customer().filter(
            Q(last_official_reply_at__lte=at - close_after)
            | Q(last_official_reply_at__isnull=True, first_official_reply_at__lte=at - close_after)
        )

    def overdue(self, at):
        return self.filter(overdue_q(at))

    def officially_answered(self):
        return self.filter(officially_answered_q())

    def unanswered(self):
        return self.filter(unanswered_q())

    def solved(self):
        return self.filter(solved_q())

    # What a digest reads (community/digests.py) -------------------------------------

    def followed_by(self, user):
        """Threads in a category or with a tag that `user` follows."""
        category = self.model._meta.get_field("category").related_model
        tagged = self.model.tags.through
        return self.filter(
            Exists(category.objects.filter(pk=OuterRef("category_id"), follows__user=user))
            | Exists(
                tagged.objects.filter(content_object=OuterRef("pk"), tag__member_follows__user=user)
            )
        )

    def published_between(self, since, until):
        return self.filter(published_at__gte=since, published_at__lt=until)

    def solved_between(self, since, until):
        """Threads whose reply was accepted in the period, the solution still visible."""
        return self.filter(
            solved_at__gte=since, solved_at__lt=until, solution__visibility="visible"
        )

    def awaiting_peer_help(self):
        """Visible questions nobody has answered in public yet and members can still
        answer: where a peer could help."""
        return self.visible().unanswered().filter(is_locked=False, duplicate_of__isnull=True)

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

    def with_conversation_from_rows(self):
        """What the rows say of each thread's conversation, to check and repair the
        stored state: `rows_last_official_reply_at`, the latest visible official
        reply, and `rows_follow_up_since`, when the asker or a "me too" member first
        came back after it (a visible reply of theirs, or a "not yet" answer)."""
        return self.annotate(rows_last_official_reply_at=self.last_official_reply_rows()).annotate(
            rows_follow_up_since=self.follow_up_since_rows("rows_last_official_reply_at")
        )

    def last_official_reply_rows(self) -> Subquery:
        """The latest visible official reply of the thread, read from the replies."""
        replies = self.model._meta.get_field("replies").related_model
        return Subquery(
            replies.objects.filter(thread=OuterRef("pk"), visibility="visible", is_official=True)
            .order_by("-created_at", "-pk")
            .values("created_at")[:1]
        )

    def follow_up_since_rows(self, last_official: str) -> Case:
        """When the customer first came back after the thread's field `last_official`:
        the earlier of the first visible reply by the asker or a "me too" member and
        the first "not yet" answer (None when neither came after it)."""
        replies = self.model._meta.get_field("replies").related_model
        me_toos = self.model._meta.get_field("me_toos").related_model
        checks = self.model._meta.get_field("resolution_checks").related_model
        waiting = me_toos.objects.filter(thread=OuterRef(OuterRef("pk"))).values("user_id")
        customer_reply = Subquery(
            replies.objects.filter(
                Q(author=OuterRef("author")) | Q(author__in=waiting),
                thread=OuterRef("pk"),
                visibility="visible",
                is_official=False,
                created_at__gt=OuterRef(last_official),
            )
            .order_by("created_at", "pk")
            .values("created_at")[:1]
        )
        not_yet = Subquery(
            checks.objects.filter(
                thread=OuterRef("pk"), answer="not_yet", answered_at__gt=OuterRef(last_official)
            )
            .order_by("answered_at", "pk")
            .values("answered_at")[:1]
        )
        # The earlier of the two, either of which may be missing (LEAST ignores NULL
        # on PostgreSQL only).
        return Case(
            When(IsNull(customer_reply, True), then=not_yet),
            When(IsNull(not_yet, True), then=customer_reply),
            When(LessThan(not_yet, customer_reply), then=not_yet),
            default=customer_reply,
        )

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
