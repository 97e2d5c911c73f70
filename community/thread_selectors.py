"""What the thread page reads: the thread, one page of its replies, the featured
ones, and the viewer's own state and rights on them, in a fixed number of queries.

What every reader with the same reach shares is kept until the next write (below);
what depends on the viewer is read for the whole page at once.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Exists, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.roles import is_moderator
from community import permissions
from community.cache import content_version, requested_page
from community.models.forum import Reply, Thread, Visibility
from community.models.marks import Follow, HelpfulVote, MeToo
from community.models.resolution import ResolutionCheck, SatisfactionRating

REPLIES_PER_PAGE = 50
DUPLICATES_LIMIT = 20
# Paginator.get_page() answers a number past the end with the last page.
LAST_PAGE = 10**9

# What every reader of a thread page shares (the thread, the page's replies, the
# featured ones) is kept under the content version, which every write moves on, so
# the next page after a write reads it afresh, in every process. The bound only
# keeps what nobody asks for from staying in the cache.
READING_SECONDS = 5 * 60
# What a public page never shows of the people on it stays out of what is kept.
_AUTHORS_PRIVATE = ("author__password", "author__email", "author__unsubscribe_key")


def _reading_key(kind: str, *parts) -> str:
    return ":".join(map(str, ("relais:thread-reading", kind, content_version(), *parts)))


def thread_get_for_reading(*, pk: int, user) -> Thread:
    """A thread for its page: visible to all; hidden and pending ones also to moderators
    and to their author (with the moderator's reason, or "awaiting approval")."""
    key = _reading_key("thread", pk)
    # Only visible threads are kept: those everybody may read.
    thread = cache.get(key)
    if thread is not None:
        return thread
    threads = (
        Thread.objects.readable_by(user)
        .with_author()
        .with_first_official_reply()
        .select_related("category", "solution_marked_by", "assigned_to", "duplicate_of")
    )
    # The staff who marked the solution or hold the thread are kept as little.
    private = [field.removeprefix("author__") for field in _AUTHORS_PRIVATE]
    staff = [f"{who}__{f}" for who in ("solution_marked_by", "assigned_to") for f in private]
    threads = threads.defer(*_AUTHORS_PRIVATE, *staff)
    thread = get_object_or_404(threads.prefetch_related("tags", "attachments"), pk=pk)
    if thread.visibility == Visibility.VISIBLE:
        cache.set(key, thread, READING_SECONDS)
    return thread


def reply_page_number(reply: Reply) -> int:
    """The page of the thread on which `reply` stands."""
    before = (
        Reply.objects.visible()
        .filter(thread_id=reply.thread_id)
        .filter(
            Q(created_at__lt=reply.created_at) | Q(created_at=reply.created_at, pk__lt=reply.pk)
        )
        .count()
    )
    return before // REPLIES_PER_PAGE + 1


@dataclass
class ThreadPage:
    """Everything the thread page shows, read in a fixed number of queries."""

    thread: Thread
    replies: Page
    featured: list[Reply]
    viewer_helpful_ids: set[int] = field(default_factory=set)
    viewer_said_me_too: bool = False
    viewer_follows: bool = False
    can_reply: bool = False
    can_edit_thread: bool = False
    can_accept: bool = False
    can_say_me_too: bool = False
    viewer_can_moderate: bool = False
    # Visible threads closed as duplicates of this one (links back from the original).
    duplicates: list[Thread] = field(default_factory=list)
    # Where the status badges lead: the accepted solution and the first official
    # reply, by their anchor on this page or their permalink ("" when none).
    solution_url: str = ""
    official_reply_url: str = ""
    # The asker reads how soon the brand usually answers while they wait for it.
    viewer_awaits_official_reply: bool = False
    # The asker's open "Did this solve your problem?" (a ResolutionCheck), or None.
    resolution_check: object = None
    viewer_rates_satisfaction: bool = False


def _with_viewer_permissions(replies, user, thread):
    viewer_moderates = is_moderator(user)
    for reply in replies:
        reply.is_hidden = reply.visibility == Visibility.HIDDEN
        reply.is_pending = reply.visibility == Visibility.PENDING
        reply.viewer_can_moderate = viewer_moderates
        reply.viewer_can_edit = permissions.can_edit(user, reply)
        reply.viewer_can_mark_helpful = permissions.can_mark_helpful(user, reply)
        reply.viewer_can_recommend = permissions.can_recommend(user, reply)
        reply.viewer_can_accept = permissions.can_accept(user, thread)
        reply.is_solution = reply.pk == thread.solution_id


SOLUTION_ANCHOR = "solution"


def _badge_links(thread: Thread, page: Page, featured: list[Reply]) -> tuple[str, str]:
    """Where the "Solved" and "Official reply" badges lead, without a query: the
    solution shown under the question (#solution); a reply on this page by its
    anchor; any other by its permalink, which finds its page."""
    on_page = {reply.pk for reply in page.object_list if reply.visibility == Visibility.VISIBLE}

    def link(reply_id) -> str:
        if reply_id is None:
            return ""
        if reply_id in on_page:
            return f"#reply-{reply_id}"
        return reverse("community:reply_permalink", kwargs={"pk": reply_id})

    solution_url = ""
    if thread.solution_id:
        shown = any(reply.pk == thread.solution_id for reply in featured)
        solution_url = f"#{SOLUTION_ANCHOR}" if shown else link(thread.solution_id)
    official_id = None
    if thread.first_official_reply_at is not None:
        official_id = getattr(thread, "first_official_reply_id", None) or next(
            (
                reply.pk
                for reply in page.object_list
                if reply.is_official and reply.visibility == Visibility.VISIBLE
            ),
            None,
        )
    return solution_url, link(official_id)


def _reply_images() -> Prefetch:
    # As a list on each reply (reply.images): a prefetched manager costs a query set
    # built per reply, and again on every .all(), which fifty replies feel.
    return Prefetch("attachments", to_attr="images")


@dataclass(frozen=True)
class SharedReading:
    """One page of a thread as every reader with the same reach reads it: everybody
    but moderators (the visible replies), or moderators (all of them)."""

    count: int
    number: int
    replies: list[Reply]
    featured: list[Reply]
    duplicates: list[Thread]
    # Members with a reply of their own in the thread that is hidden or waits for
    # approval: they read it too, so the visible replies alone are not their page.
    unpublished_authors: frozenset[int]

    def page(self) -> Page:
        # The count is all the paginator needs: the replies are already read.
        return Page(self.replies, self.number, Paginator(range(self.count), REPLIES_PER_PAGE))


def _read_thread_page(thread: Thread, user, page_number, *, moderates: bool) -> SharedReading:
    # Nothing hidden is ever shown to anyone but its author and the moderators.
    replies = (
        Reply.objects.filter(thread=thread)
        .readable_by(user)
        .with_author()
        .defer(*_AUTHORS_PRIVATE)
        .order_by("created_at", "pk")
    )
    replies = replies.prefetch_related(_reply_images())
    page = Paginator(replies, REPLIES_PER_PAGE).get_page(page_number)
    # Read once, here: the page's template and the badges walk the same list.
    page.object_list = list(page.object_list)
    featured_filter = Q(recommended_at__isnull=False)
    if thread.solution_id:
        featured_filter |= Q(pk=thread.solution_id)
    featured = list(
        Reply.objects.visible()
        .filter(thread=thread)
        .filter(featured_filter)
        .with_author()
        .defer(*_AUTHORS_PRIVATE)
        .prefetch_related(_reply_images())
        .order_by("created_at", "pk")
    )
    # The solution first, then the staff recommendations.
    featured.sort(key=lambda reply: reply.pk != thread.solution_id)
    duplicates = list(
        Thread.objects.visible()
        .filter(duplicate_of=thread)
        .only("pk", "slug", "title")
        .order_by("created_at", "pk")[:DUPLICATES_LIMIT]
    )
    unpublished = frozenset()
    if not moderates:
        unpublished = frozenset(
            Reply.objects.filter(thread=thread)
            .exclude(visibility=Visibility.VISIBLE)
            .order_by()
            .values_list("author_id", flat=True)
            .distinct()
        )
    return SharedReading(
        count=page.paginator.count,
        number=page.number,
        replies=page.object_list,
        featured=featured,
        duplicates=duplicates,
        unpublished_authors=unpublished,
    )


def shared_thread_page(*, thread: Thread, user, page_number=1) -> SharedReading:
    """The replies, featured replies and duplicates of one page of `thread` that
    `user` may read, from the cache when readers with the same reach read it since the
    last write."""
    moderates = is_moderator(user)
    requested = requested_page(page_number)
    key = None
    if thread.visibility == Visibility.VISIBLE and requested is not None:
        key = _reading_key("replies", thread.pk, requested, "all" if moderates else "public")
    stored = cache.get(key) if key is not None else None
    reads_the_shared = stored is not None and (
        moderates or user.pk not in stored.unpublished_authors
    )
    if reads_the_shared:
        return stored
    reading = _read_thread_page(thread, user, page_number, moderates=moderates)
    # What this reader read is everybody's with the same reach, unless they have
    # replies of their own that others do not read; a number past the end is
    # answered with the last page, not kept under that number.
    shared = moderates or user.pk not in reading.unpublished_authors
    if key is not None and shared and requested == reading.number:
        cache.set(key, reading, READING_SECONDS)
    return reading


def thread_page(*, thread: Thread, user, page_number=1) -> ThreadPage:
    reading = shared_thread_page(thread=thread, user=user, page_number=page_number)
    page, featured = reading.page(), reading.featured
    result = ThreadPage(
        thread=thread, replies=page, featured=featured, duplicates=reading.duplicates
    )
    _with_viewer_permissions([*page.object_list, *featured], user, thread)
    result.solution_url, result.official_reply_url = _badge_links(thread, page, featured)
    result.viewer_awaits_official_reply = (
        user.is_authenticated
        and user.pk == thread.author_id
        and thread.first_official_reply_at is None
        and thread.visibility != Visibility.HIDDEN
    )
    if user.is_authenticated:
        reply_ids = [reply.pk for reply in [*page.object_list, *featured]]
        result.viewer_helpful_ids = set(
            HelpfulVote.objects.filter(user=user, reply_id__in=reply_ids).values_list(
                "reply_id", flat=True
            )
        )
        # One query, whatever the thread's state, so a page costs the same at every
        # step of the conversation.
        states = (
            Thread.objects.filter(pk=thread.pk)
            .values(
                viewer_me_too=Exists(MeToo.objects.filter(thread=thread, user=user)),
                viewer_follows=Exists(Follow.objects.filter(thread=thread, user=user)),
                viewer_rates=Exists(
                    SatisfactionRating.objects.filter(
                        thread=thread, member=user, score__isnull=True
                    )
                ),
            )
            .get()
        )
        result.viewer_said_me_too = states["viewer_me_too"]
        result.viewer_follows = states["viewer_follows"]
        # Asked "How satisfied are you with the help?" and not answered yet.
        result.viewer_rates_satisfaction = states["viewer_rates"]
    result.resolution_check = resolution_check_open(thread=thread, user=user)
    result.viewer_can_moderate = is_moderator(user)
    result.can_reply = permissions.can_reply(user, thread)
    result.can_edit_thread = permissions.can_edit(user, thread)
    result.can_accept = permissions.can_accept(user, thread)
    result.can_say_me_too = permissions.can_say_me_too(user, thread)
    return result


def resolution_check_open(*, thread: Thread, user) -> ResolutionCheck | None:
    """The latest question the asker has not answered yet, on their unsolved thread;
    or the one they answered "yes" while no solution is marked (they still pick it)."""
    if not user.is_authenticated or user.pk != thread.author_id:
        return None
    if thread.solution_id is not None:
        return None
    latest = (
        ResolutionCheck.objects.filter(thread=thread)
        .select_related("reply__author")
        .order_by("-asked_at", "-pk")
        .first()
    )
    if latest is None or latest.answer == ResolutionCheck.Answer.NOT_YET:
        return None
    if latest.reply.visibility != Visibility.VISIBLE:
        return None
    return latest


def viewer_thread_state(*, thread: Thread, user) -> dict:
    """The viewer's own marks on a thread (for the htmx fragments)."""
    return {
        "viewer_said_me_too": MeToo.objects.filter(thread=thread, user=user).exists(),
        "viewer_follows": Follow.objects.filter(thread=thread, user=user).exists(),
    }
