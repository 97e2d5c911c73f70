"""What the community pages read, each in a fixed number of queries."""

import hashlib
import re
from collections.abc import Iterable
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import get_language
from taggit.models import Tag

from accounts.models import User
from accounts.roles import is_moderator
from community import frame
from community.cache import content_version

# From the defining modules: the home page's blocks read these selectors
# (see community/models/__init__.py).
from community.models.announcements import Announcement
from community.models.attachments import Attachment
from community.models.forum import Category, Reply, Thread, Visibility
from community.models.marks import CategoryFollow, TagFollow
from community.models.notifications import Notification
from community.models.site_settings import Footer
from community.querysets import STATUSES
from community.search import SEARCH_RESULTS_MAX, fold, query_words, relevance, title_share
from community.search_backend import ranked_in_language, search_in_language
from community.translations import in_language

THREADS_PER_PAGE = 30
NOTIFICATIONS_IN_MENU = 6
NOTIFICATIONS_PER_PAGE = 30

SORTS = {
    "activity": ("-last_activity_at", "-pk"),
    "newest": ("-created_at", "-pk"),
    "votes": ("-me_too_count", "-last_activity_at", "-pk"),
}


# Cached figures are keyed by the content version, so any write shows at once.
COUNTS_CACHE_SECONDS = 600


def category_list() -> list[Category]:
    """Categories with their visible thread counts. Counting groups every thread, so
    the result is kept until the next write (community.frame)."""
    return frame.shared(
        "categories", lambda: list(Category.objects.originals().with_thread_counts())
    )


class CachedCountPaginator(Paginator):
    """A paginator whose total (a COUNT over the matching threads) is cached until the
    next write: the rows of each page are still read fresh."""

    def __init__(
        self, object_list, per_page, *, count_key: str, timeout=COUNTS_CACHE_SECONDS, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key
        self.timeout = timeout

    @cached_property
    def count(self):
        key = f"relais:count:{self.count_key}:{content_version()}"
        total = cache.get(key)
        if total is None:
            total = super().count
            cache.set(key, total, self.timeout)
        return total


# The lists' `language=` value that shows every language, the reader's first.
ALL_LANGUAGES = "all"


def list_language(value: str, *, reader: str) -> str:
    """What a list's `language=` asks for: ALL_LANGUAGES, one of the site's languages,
    or (nothing, or a value we do not know) the reader's own."""
    if value == ALL_LANGUAGES or value in dict(settings.LANGUAGES):
        return value
    return reader


def reader_language() -> str:
    """The active language as one of the site's (fr-ca reads as fr)."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _in_list_language(threads, *, language: str, reader: str, order):
    if language == ALL_LANGUAGES:
        return threads.reader_language_first(reader, *order)
    return threads.in_language(language).order_by(*order)


def category_get(*, slug: str) -> Category:
    return get_object_or_404(Category.objects.originals(), slug=slug)


def tag_get(*, slug: str) -> Tag | None:
    return Tag.objects.filter(slug=slug).first() if slug else None


def viewer_follows_list(*, user, category: Category | None, tag: Tag | None) -> dict:
    """Whether a signed-in member follows the list's category and its tag: the
    "Follow" buttons of the category and tag pages. One query for each that the
    page shows, none for visitors (who get no button)."""
    if not user.is_authenticated:
        return {}
    state = {}
    if category is not None:
        state["category"] = CategoryFollow.objects.filter(user=user, category=category).exists()
    if tag is not None:
        state["tag"] = TagFollow.objects.filter(user=user, tag=tag).exists()
    return state


# A list row shows no body: the largest columns stay in the database.
LIST_ROW_UNUSED = ("body", "body_html")


def thread_list(
    *,
    category: Category | None = None,
    tag: Tag | None = None,
    status: str = "",
    sort: str = "activity",
    language: str = ALL_LANGUAGES,
    reader: str = settings.LANGUAGE_CODE,
    page_number=1,
) -> Page:
    """One page of a list. `language` is one of the site's languages (only its
    threads) or ALL_LANGUAGES (every thread, those in `reader`'s language first)."""
    threads = Thread.objects.for_list().defer(*LIST_ROW_UNUSED)
    if category is not None:
        threads = threads.filter(category=category)
    if tag is not None:
        threads = threads.filter(tags=tag)
    threads = _in_list_language(
        threads.in_status(status),
        language=language,
        reader=reader,
        order=SORTS.get(sort, SORTS["activity"]),
    )
    count_key = "threads:{}:{}:{}:{}".format(
        category.pk if category else "",
        tag.pk if tag else "",
        status if status in STATUSES else "",
        language,
    )
    page = CachedCountPaginator(threads, THREADS_PER_PAGE, count_key=count_key).get_page(
        page_number
    )
    page.object_list = list(page.object_list)
    # Pinned threads head the first page of the unfiltered list (all discussions or
    # one category), in a block of their own: the list itself keeps its order.
    show_pinned = page.number == 1 and tag is None and not status
    page.pinned = (
        pinned_threads(category=category, language=language, reader=reader) if show_pinned else []
    )
    return page


PINNED_LIMIT = 5


def pinned_threads(
    *,
    category: Category | None = None,
    language: str = ALL_LANGUAGES,
    reader: str = settings.LANGUAGE_CODE,
    limit: int = PINNED_LIMIT,
) -> list:
    """Visible pinned threads in the list's language (see thread_list), latest activity
    first, in one query (no tags: the pinned block shows titles and counts, not tags)."""
    threads = (
        Thread.objects.for_list()
        .defer(*LIST_ROW_UNUSED)
        .prefetch_related(None)
        .filter(is_pinned=True)
    )
    if category is not None:
        threads = threads.filter(category=category)
    threads = _in_list_language(threads, language=language, reader=reader, order=SORTS["activity"])
    return list(threads[:limit])


# What the home page's "latest threads" section can show, and in which order.
LATEST_THREADS = {
    "solved": ("solved", ("-solved_at", "-pk")),
    "active": ("", SORTS["activity"]),
    "unanswered": ("unanswered", SORTS["activity"]),
}


def latest_threads(
    *, show: str, limit: int, exclude: Iterable[int] = (), reader: str = settings.LANGUAGE_CODE
) -> list:
    """The latest threads of a kind, leaving out `exclude` (ids already shown above):
    those in the reader's language first, so a section is never empty for want of it."""
    status, order = LATEST_THREADS.get(show, LATEST_THREADS["solved"])
    threads = Thread.objects.for_list().in_status(status).reader_language_first(reader, *order)
    if exclude:
        threads = threads.exclude(pk__in=list(exclude))
    return list(threads[:limit])


def featured_threads(*, pks: list[int]) -> list:
    """The chosen threads in the editor's order, skipping any no longer visible."""
    rows = Thread.objects.for_list().in_bulk(pks)
    return [rows[pk] for pk in pks if pk in rows]


def current_announcements(*, limit: int, now=None, language: str | None = None) -> list:
    """The announcements shown now, each in the reader's language (the active one by
    default), else in the default language."""
    announcements = in_language(Announcement.objects.current(now=now), language or get_language())
    return list(announcements.order_by("-starts_at", "-pk")[:limit])


def thread_get(*, pk: int) -> Thread:
    threads = (
        Thread.objects.visible()
        .with_author()
        .with_first_official_reply()
        .select_related("category", "solution_marked_by")
        .prefetch_related("tags")
    )
    return get_object_or_404(threads, pk=pk)


def attachment_get_for_reading(*, pk: int, user) -> Attachment:
    """An image, for whoever may read its post (and, for a reply, its thread): a
    hidden or pending post's images are as private as the post, never deleted."""
    threads = Thread.objects.readable_by(user)
    replies = Reply.objects.readable_by(user).filter(thread__in=threads)
    readable = Attachment.objects.filter(Q(thread__in=threads) | Q(reply__in=replies))
    return get_object_or_404(readable, pk=pk)


def reply_get(*, pk: int) -> Reply:
    return get_object_or_404(
        Reply.objects.visible().select_related("thread").filter(thread__visibility="visible"),
        pk=pk,
    )


def notification_list(*, user, page_number=1) -> Page:
    notifications = Notification.objects.for_recipient(user).for_inbox()
    return Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(page_number)


def notification_latest(*, user, limit: int = NOTIFICATIONS_IN_MENU) -> list[Notification]:
    """The bell's dropdown: a member's latest notifications, read or not (one query)."""
    return list(Notification.objects.for_recipient(user).for_inbox()[:limit])


# A member's unread count, for the bell on every page, kept between requests with
# the content version it was counted at: a write in the community (a post hidden,
# restored or answered) counts it again. Creating or reading notifications forgets
# their recipients' counts (unread_notification_counts_forget), since a reader's
# thread page marks them read without a write request.
UNREAD_COUNT_SECONDS = 10 * 60


def _unread_count_key(user_id: int) -> str:
    return f"relais:unread-count:{user_id}"


def unread_notification_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    key, version, moderates = _unread_count_key(user.pk), content_version(), is_moderator(user)
    stored = cache.get(key)
    if stored is not None and stored[:2] == (version, moderates):
        return stored[2]
    count = Notification.objects.for_recipient(user).unread().count()
    cache.set(key, (version, moderates, count), UNREAD_COUNT_SECONDS)
    return count


def unread_notification_counts_forget(user_ids: Iterable[int]) -> None:
    keys = [_unread_count_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)


def _count_of(queryset, field_name: str = "author"):
    counts = queryset.filter(**{field_name: OuterRef("pk")}).values(field_name)
    return Coalesce(Subquery(counts.annotate(n=Count("pk")).values("n")[:1]), 0)


def member_profile(*, username: str) -> User:
    """A member with the counts their profile shows, in one query."""
    visible_threads = Thread.objects.filter(visibility=Visibility.VISIBLE)
    visible_replies = Reply.objects.filter(
        visibility=Visibility.VISIBLE, thread__visibility=Visibility.VISIBLE
    )
    members = (
        User.objects.active()
        .with_staff_flag()
        .annotate(
            thread_total=_count_of(visible_threads),
            reply_total=_count_of(visible_replies),
            solution_total=_count_of(
                visible_replies.filter(pk__in=Thread.objects.values("solution_id"))
            ),
            recommended_total=_count_of(visible_replies.filter(recommended_at__isnull=False)),
        )
    )
    return get_object_or_404(members, username=username)


def member_recent_activity(*, member: User, limit: int = 10):
    threads = list(Thread.objects.for_list().filter(author=member).order_by("-created_at")[:limit])
    replies = list(
        Reply.objects.visible()
        .filter(author=member, thread__visibility=Visibility.VISIBLE)
        .select_related("thread")
        .order_by("-created_at")[:limit]
    )
    return threads, replies


def search_terms(query: str) -> str:
    """The words of a typed query, without the characters full-text engines read as syntax.

    Members type error codes, quotes and punctuation; the search backends would
    take an unbalanced quote or a stray operator as a malformed query.
    """
    words = re.findall(r"\w+", query)
    return " ".join(word for word in words if word.upper() not in {"AND", "OR", "NOT", "NEAR"})


SEARCH_CATEGORIES_MAX = 3


def search_categories(*, query: str, limit: int = SEARCH_CATEGORIES_MAX) -> list[Category]:
    """Categories whose name has a word starting with one of the query's words, accents
    and case aside ("coffee" and "MACHINE" name "Coffee machines", "detartrage" names
    "Entretien et détartrage"), with their thread counts.

    Two queries (three while the categories' translated names are not cached), none
    while the answer is cached: the categories, then the counts of the few found.
    Right after a write a search would otherwise count the threads of every category
    (category_list) to show three.
    """
    words = [word.casefold() for word in query_words(fold(query))]
    if not words:
        return []
    key = (
        f"relais:search-categories:{content_version()}:{limit}:"
        f"{hashlib.sha256(' '.join(words).encode('utf-8', 'surrogateescape')).hexdigest()}"
    )
    found = cache.get(key)
    if found is None:
        found = _categories_named(words, limit=limit)
        cache.set(key, found, COUNTS_CACHE_SECONDS)
    return found


def _categories_named(words: list[str], *, limit: int) -> list[Category]:
    found = []
    for category in Category.objects.originals():
        names = [name.casefold() for name in re.findall(r"\w+", fold(category.search_names()))]
        if any(name.startswith(word) for word in words for name in names):
            found.append(category)
    found = found[:limit]
    if found:
        counts = dict(
            Thread.objects.visible()
            .filter(category__in=found)
            .values("category")
            .annotate(count=Count("pk"))
            .values_list("category", "count")
            .order_by()
        )
        for category in found:
            category.visible_thread_count = counts.get(category.pk, 0)
    return found


def search_threads(
    *,
    query: str,
    category: Category | None = None,
    tag: Tag | None = None,
    status: str = "",
    reader: str = settings.LANGUAGE_CODE,
    page_number=1,
) -> Page:
    """Visible threads matching `query`: those in the `reader`'s language first, then
    the others; within a language best first: relevance from the index, raised for
    threads with an accepted answer or an official reply (community.search).

    A fixed number of queries whatever the number of results: the ranked ids, one
    query per language (twice that when no thread has every word; at most
    SEARCH_RESULTS_MAX in all), the rows of the page, their tags. The query is folded
    as the index is (community.folding.fold): "détartrage", "detartrage" and
    "DÉTARTRAGE" find the same threads.
    """
    query = fold(query)
    search_key = "\x1f".join(
        [query, str(category.pk if category else ""), tag.slug if tag else "", status, reader]
    )
    key = (
        f"relais:search:{content_version()}:"
        f"{hashlib.sha256(search_key.encode('utf-8', 'surrogateescape')).hexdigest()}"
    )
    ranked_ids = cache.get(key)
    if ranked_ids is None:
        # Ranked once per search and per write (on PostgreSQL among a bounded set of
        # candidates: community.search_backend), then every page of the results, for
        # everyone, reads the ids.
        ranked_ids = _ranked_thread_ids(
            query, category=category, tag=tag, status=status, reader=reader
        )
        cache.set(key, ranked_ids, COUNTS_CACHE_SECONDS)
    paginator = Paginator(ranked_ids, THREADS_PER_PAGE)
    ids_page = paginator.get_page(page_number)
    rows = Thread.objects.for_list().in_bulk(list(ids_page.object_list))
    page = Page([rows[pk] for pk in ids_page.object_list if pk in rows], ids_page.number, paginator)
    page.has_more_than_shown = len(ranked_ids) >= SEARCH_RESULTS_MAX
    return page


def _languages_from(reader: str) -> list[str]:
    return [reader, *(code for code, _name in settings.LANGUAGES if code != reader)]


def _ranked_thread_ids(query: str, *, category, tag, status, reader: str) -> list[int]:
    """The matching ids, the reader's language first, each language ranked on its own
    (and, on PostgreSQL, its words stemmed in that language: community.search_backend)."""
    threads = Thread.objects.visible()
    if category is not None:
        threads = threads.filter(category_id=category.pk)
    if tag is not None:
        threads = threads.filter(tags__slug=tag.slug)
    threads = threads.in_status(status).only(
        "pk", "title", "solution_id", "first_official_reply_at"
    )
    languages = _languages_from(reader)

    def hits_in(language: str, operator=None) -> list:
        return ranked_in_language(
            threads.in_language(language),
            query,
            language=language,
            operator=operator,
            limit=SEARCH_RESULTS_MAX,
        )

    hits = {language: hits_in(language) for language in languages}
    if not any(hits.values()) and len(query.split()) > 1:
        # No thread has every word ("wifi" against "Wi-Fi"): any of them will do,
        # those sharing more words first.
        hits = {language: hits_in(language, "or") for language in languages}
    words = query_words(query)

    def rank(hit) -> float:
        return relevance(
            hit._score,
            solved=hit.solution_id is not None,
            official=hit.first_official_reply_at is not None,
            title_share=title_share(hit.title, words),
        )

    ranked = [
        hit.pk for language in languages for hit in sorted(hits[language], key=rank, reverse=True)
    ]
    return ranked[:SEARCH_RESULTS_MAX]


SUGGESTIONS_LIMIT = 5
# Threads read from the index before the solved ones are put first.
SUGGESTION_CANDIDATES = 20
# A suggestion matches at least this share of the best match's relevance.
SUGGESTION_MIN_SHARE_OF_BEST = 0.5


def similar_threads(*, title: str, limit: int = SUGGESTIONS_LIMIT) -> list:
    """Visible threads like the one a member is about to ask, solved ones first.

    Any of the title's words may match (a member describes the problem in their
    own words); the index ranks those that share more, and rarer, words higher.
    """
    words = query_words(fold(title))
    if not words:
        return []
    threads = Thread.objects.visible().only("pk", "solution_id", "first_official_reply_at")
    # Each language's threads are searched as they were indexed (one query each).
    hits = [
        hit
        for language, _name in settings.LANGUAGES
        for hit in search_in_language(
            threads.in_language(language), " ".join(words), language=language, operator="or"
        ).annotate_score("_score")[:SUGGESTION_CANDIDATES]
    ]
    scored = [
        (relevance(hit._score, solved=False, official=False), hit.solution_id is not None, hit)
        for hit in hits
    ]
    best = max((score for score, _solved, _hit in scored), default=0.0)
    # Close matches only (a shared common word is not similarity), solved ones first.
    close = [item for item in scored if item[0] >= best * SUGGESTION_MIN_SHARE_OF_BEST]
    close.sort(key=lambda item: (item[1], item[0]), reverse=True)
    chosen = [hit.pk for _score, _solved, hit in close[:limit]]
    rows = Thread.objects.visible().select_related("category").in_bulk(chosen)
    return [rows[pk] for pk in chosen if pk in rows]


def footer_get(*, language: str | None):
    """The footer in `language`, else the default language's; None when editors have
    written none. One query per content version in each process (community.frame)."""
    language = language or settings.LANGUAGE_CODE

    def read():
        rows = {
            footer.locale.language_code: footer
            for footer in Footer.objects.select_related("locale").filter(
                locale__language_code__in={language, settings.LANGUAGE_CODE}
            )
        }
        return rows.get(language) or rows.get(settings.LANGUAGE_CODE)

    return frame.shared(("footer", language), read)
