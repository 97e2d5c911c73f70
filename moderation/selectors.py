"""What the moderation pages read: the official-reply queue, in a fixed number of queries."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import MODERATE_PERMISSION
from community.cache import content_version
from community.models import (
    Category,
    CommunitySettings,
    ProposedEdit,
    Reply,
    Thread,
    Visibility,
)
from community.premoderation import external_link_count
from community.querysets import awaiting_follow_up_q, overdue_q
from community.selectors import CachedCountPaginator
from moderation.models import CannedResponse

QUEUE_PER_PAGE = 50
# The queue's totals are cached until the next write, and at most this long, since
# time alone makes threads overdue and claims expire.
QUEUE_COUNTS_SECONDS = 30
# `filter` may be given more than once: "overdue" combines with one of the
# assignment filters ("mine": claimed by the viewer, "unassigned": nobody holds a
# live claim). The category combines with all of them.
QUEUE_FILTERS = ("overdue", "mine", "unassigned")
QUEUE_ASSIGNMENT_FILTERS = ("mine", "unassigned")
# `stage`: threads awaiting the brand's first reply, or its follow-up after the
# customer came back.
QUEUE_STAGES = ("first", "follow-up")
QUEUE_SORTS = {
    "due": ("due_at", "pk"),
    "impact": ("-me_too_count", "due_at", "pk"),
}


def awaiting_brand():
    """Every visible thread that awaits the brand, straight from the rows, each with its
    `due_at`: the queue (promise 1).

    A thread enters when it is asked, and again when the customer writes back (or
    answers "not yet") after the brand's last official reply; only an official reply
    takes it out, or a solution once the brand has answered. Peer replies, edits and
    "me too" change nothing. The rules are ThreadQuerySet.awaiting_brand() and its
    conditions in community.querysets.
    """
    return Thread.objects.awaiting_brand()


def awaiting_official_reply():
    """Visible threads the brand has never answered officially (the first stage)."""
    return Thread.objects.awaiting_official_reply()


def live_claim(now) -> Q:
    """Threads someone holds at `now`: an expired claim counts as nobody."""
    return Q(assigned_to__isnull=False, claim_expires_at__gt=now)


def queue_list(
    *,
    category: Category | None = None,
    language: str = "",
    overdue: bool = False,
    assignment: str = "",
    stage: str = "",
    viewer=None,
    sort: str = "due",
    page_number=1,
) -> Page:
    """One page of the queue. `language` is one of the site's languages, or "" for all;
    `assignment` is "", "mine" (held by `viewer`) or "unassigned"; `stage` is "",
    "first" or "follow-up"; each row carries `assignee`, its live holder or None,
    `due_at` and `is_follow_up`."""
    now = timezone.now()
    threads = (
        awaiting_brand()
        # A row shows no body: the largest columns stay in the database.
        .defer("body", "body_html")
        .with_author()
        .select_related("category", "assigned_to")
        .annotate(
            is_overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField()),
        )
    )
    if category is not None:
        threads = threads.filter(category=category)
    if language:
        threads = threads.in_language(language)
    if overdue:
        threads = threads.overdue(now)
    if stage == "first":
        threads = threads.awaiting_official_reply()
    elif stage == "follow-up":
        threads = threads.awaiting_follow_up()
    if assignment == "mine" and viewer is not None:
        threads = threads.filter(live_claim(now), assigned_to=viewer)
    elif assignment == "unassigned":
        threads = threads.exclude(live_claim(now))
    threads = threads.order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["due"]))
    count_key = ":".join(
        [
            "queue",
            str(category.pk if category else ""),
            language,
            "overdue" if overdue else "",
            assignment,
            str(viewer.pk if viewer is not None and assignment == "mine" else ""),
            stage if stage in QUEUE_STAGES else "",
        ]
    )
    paginator = CachedCountPaginator(
        threads, QUEUE_PER_PAGE, count_key=count_key, timeout=QUEUE_COUNTS_SECONDS
    )
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    # Asked for the page's threads only: as a column of the query above, PostgreSQL
    # would read every recommended reply of the community for each page.
    recommended = set(
        Reply.objects.filter(
            thread__in=[thread.pk for thread in page.object_list],
            visibility=Visibility.VISIBLE,
            recommended_at__isnull=False,
        ).values_list("thread_id", flat=True)
    )
    for thread in page.object_list:
        thread.assignee = thread.assignee_at(now)
        thread.has_recommended = thread.pk in recommended
        thread.is_follow_up = thread.first_official_reply_at is not None
    return page


def moderator_list() -> list:
    """Everyone a thread can be assigned to (accounts.roles.is_moderator), by name,
    in one query: members of a group with the permission, holders of it, superusers."""
    app_label, codename = MODERATE_PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).values("pk")
    User = get_user_model()
    # Subqueries over the few holders of the permission, not joins that would
    # multiply (and then de-duplicate) every member of the community.
    via_group = User.groups.through.objects.filter(group__permissions__in=permission).values(
        "user_id"
    )
    direct = User.user_permissions.through.objects.filter(permission__in=permission).values(
        "user_id"
    )
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=via_group) | Q(pk__in=direct))
        .annotate(sort_name=Lower(Coalesce(NullIf("display_name", Value("")), "username")))
        .order_by("sort_name", "pk")
    )
    return list(users)


def canned_for_thread(thread: Thread) -> QuerySet[CannedResponse]:
    """The canned responses offered on `thread`: general ones and its category's, those
    written in the thread's language first (a French question gets the French
    versions on top), then the others, each by title."""
    return (
        CannedResponse.objects.filter(Q(category__isnull=True) | Q(category_id=thread.category_id))
        .select_related("category", "locale")
        .annotate(
            other_language=Case(
                When(locale__language_code=thread.language, then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("other_language", "title", "pk")
    )


@dataclass(frozen=True)
class QueueCounts:
    awaiting: int
    overdue: int


def queue_counts() -> QueueCounts:
    """The header's counts. Cached like the queue's total: exact after any write (the
    key holds the content version); a thread passing its due time with nothing
    written shows as overdue within QUEUE_COUNTS_SECONDS."""
    key = f"relais:queue-counts:{content_version()}"
    counts = cache.get(key)
    if counts is None:
        counts = awaiting_brand().aggregate(
            awaiting=Count("pk"),
            overdue=Count("pk", filter=overdue_q(timezone.now())),
        )
        cache.set(key, counts, QUEUE_COUNTS_SECONDS)
    return QueueCounts(**counts)


def queue_problems() -> list[str]:
    """Every thread that breaks the official-reply guarantee (an empty list when all is well).

    The queue is read from the stored state, so what can break is that state: a
    thread marked answered without a visible official reply, one with an official
    reply but still awaiting its first, one with no due time; and, following the
    conversation, one where the rows show the customer came back after the brand's
    last official reply (a reply, or "not yet") on an unsolved thread that is not in
    the queue for it, or that is there without a due time.
    """
    visible_official = Reply.objects.visible().filter(thread=OuterRef("pk"), is_official=True)
    threads = Thread.objects.visible().annotate(answered=Exists(visible_official))
    problems = []
    for thread in threads.filter(answered=False).officially_answered():
        problems.append(f"thread {thread.pk}: marked answered, but no visible official reply")
    for thread in threads.filter(answered=True).awaiting_official_reply():
        problems.append(f"thread {thread.pk}: has an official reply, but is still in the queue")
    for thread in threads.filter(response_due_at__isnull=True):
        problems.append(f"thread {thread.pk}: visible without a due time")
    came_back = (
        Thread.objects.visible()
        .officially_answered()
        .filter(solution__isnull=True)
        .with_conversation_from_rows()
        .filter(rows_follow_up_since__isnull=False)
    )
    for thread in came_back.exclude(awaiting_follow_up_q()).only("pk"):
        problems.append(
            f"thread {thread.pk}: the customer wrote back after the official reply, "
            "but it is not in the queue"
        )
    for thread in Thread.objects.awaiting_follow_up().filter(follow_up_due_at__isnull=True):
        problems.append(f"thread {thread.pk}: awaits a follow-up without a due time")
    return problems


# Pre-moderation: posts awaiting approval --------------------------------------------

APPROVALS_PER_PAGE = 50


def awaiting_approval():
    """Pending threads and replies, and changes to public posts that wait, as (kind,
    id, created_at) rows, oldest first: one list across the three tables, so the
    oldest waiting item is always at the top."""

    def rows(queryset, kind):
        return (
            queryset.annotate(kind=Value(kind, output_field=CharField()))
            .values_list("kind", "id", "created_at")
            .order_by()
        )

    return (
        rows(Thread.objects.filter(visibility=Visibility.PENDING), "thread")
        .union(
            rows(Reply.objects.filter(visibility=Visibility.PENDING), "reply"),
            rows(ProposedEdit.objects.filter(status=ProposedEdit.Status.PENDING), "edit"),
            all=True,
        )
        .order_by("created_at", "id")
    )


def kept_until_next_write(name: str, read):
    """What `read()` returns, kept until the next write (the key holds the content
    version): for what every moderator's page reads alike, such as the header's
    counts and the thread page's staff tools."""
    key = f"relais:{name}:{content_version()}"
    kept = cache.get(key)
    if kept is None:
        kept = read()
        cache.set(key, kept, QUEUE_COUNTS_SECONDS)
    return kept


def pending_count() -> int:
    """How many posts await approval (one COUNT over both tables), for the header."""
    return kept_until_next_write("pending-count", lambda: awaiting_approval().order_by().count())


@dataclass(frozen=True)
class PendingPost:
    """One post awaiting approval, or one change to a public post, with what the
    moderator needs to decide."""

    kind: str  # "thread", "reply" or "edit"
    post: Thread | Reply
    thread: Thread
    approved_posts: int
    link_count: int
    why: str
    edit: ProposedEdit | None = None

    @property
    def is_thread(self) -> bool:
        return self.kind == "thread"

    @property
    def is_edit(self) -> bool:
        return self.kind == "edit"

    @property
    def key(self) -> int:
        """The id the page's anchors and forms use: the change's, or the post's."""
        return self.edit.pk if self.edit else self.post.pk


def _approved_posts_expression(author_field="author_id"):
    """The author's public posts (threads + replies), counted inside the row's query."""

    def count_of(model):
        counted = (
            model.objects.filter(author=OuterRef(author_field), visibility=Visibility.VISIBLE)
            .order_by()
            .values("author")
            .annotate(n=Count("*"))
            .values("n")[:1]
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return count_of(Thread) + count_of(Reply)


def _why_pending(*, approved: int, links: int, rules) -> str:
    if approved < rules.premoderation_first_posts:
        return ngettext(
            "A new member's first post.",
            "One of a new member's first %(count)s posts.",
            rules.premoderation_first_posts,
        ) % {"count": rules.premoderation_first_posts}
    if links > rules.premoderation_max_links:
        return _("More links than a new member may add (%(limit)s allowed).") % {
            "limit": rules.premoderation_max_links
        }
    return _("Posted by a new member.")


def approvals_list(*, page_number=1) -> Page:
    """A page of posts and changes awaiting approval, oldest first, in a fixed number
    of queries: the count, the page's ids, its threads, its replies, its changes
    (with their posts) and the site's rules."""
    page = Paginator(awaiting_approval(), APPROVALS_PER_PAGE).get_page(page_number)
    ids = {"thread": [], "reply": [], "edit": []}
    for kind, pk, _created_at in page.object_list:
        ids[kind].append(pk)
    approved = _approved_posts_expression()
    threads = {}
    if ids["thread"]:
        threads = (
            Thread.objects.with_author()
            .select_related("category")
            .annotate(approved_posts=approved)
            .in_bulk(ids["thread"])
        )
    replies = {}
    if ids["reply"]:
        replies = (
            Reply.objects.with_author()
            .select_related("thread", "thread__category")
            .annotate(approved_posts=approved)
            .in_bulk(ids["reply"])
        )
    edits = {}
    if ids["edit"]:
        edits = (
            ProposedEdit.objects.filter(status=ProposedEdit.Status.PENDING)
            .select_related(
                "editor",
                "thread__author",
                "thread__category",
                "reply__author",
                "reply__thread__category",
            )
            .annotate(approved_posts=_approved_posts_expression("editor_id"))
            .in_bulk(ids["edit"])
        )
    rules = CommunitySettings.load()
    items = []
    for kind, pk, _created_at in page.object_list:
        if kind == "edit":
            if (edit := edits.get(pk)) is not None:
                items.append(_pending_edit_item(edit, rules=rules))
            continue
        post = threads.get(pk) if kind == "thread" else replies.get(pk)
        if post is None:  # approved or rejected between the two queries
            continue
        links = external_link_count(post.body_html)
        items.append(
            PendingPost(
                kind=kind,
                post=post,
                thread=post if kind == "thread" else post.thread,
                approved_posts=post.approved_posts,
                link_count=links,
                why=_why_pending(approved=post.approved_posts, links=links, rules=rules),
            )
        )
    page.object_list = items
    return page


def _pending_edit_item(edit: ProposedEdit, *, rules) -> PendingPost:
    post = edit.post
    links = external_link_count(edit.body_html)
    return PendingPost(
        kind="edit",
        post=post,
        thread=edit.thread if edit.thread_id else edit.reply.thread,
        approved_posts=edit.approved_posts,
        link_count=links,
        why=_why_pending(approved=edit.approved_posts, links=links, rules=rules),
        edit=edit,
    )
