"""The lists' HTML, rendered once and shared by every reader.

A row shows nothing that depends on who reads it, only on the thread, its author,
category and tags, and the reader's language. So each row is cached under a key
made of every field it shows, as the selector loaded them: any change to one of
them (a reply moving the activity time, a count, a solution, an official reply,
an edited title, a renamed category or member, a tag) makes a new key, and the
next page renders that row afresh, in every process, without the content version.
A page reads all its rows with one get_many and renders only the missing ones.

Above the rows, a whole list section (its rows, pinned rows and pagination) is
kept under the content version (community.cache) with the list's filters: a
list shows every reader the same visible threads, and any write moves the
version on, so the next page, in any process, is read afresh (its rows mostly
from the row cache). Between writes, a member's list costs no query for its rows.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from community import selectors
from community.cache import content_version, csrf_placeholder, requested_page, shown_key

ROW_TEMPLATE = "components/thread_row.html"
# Move it on whenever thread_row.html (or what it includes) changes what it writes:
# rows rendered by the previous template then match no key.
ROW_REVISION = 1
# A row's key changes with its content, so this only bounds how long rows nobody
# reads any more (and rows in a catalogue a deploy has since changed) stay around.
ROW_SECONDS = 6 * 60 * 60


def _tags_of(thread) -> tuple:
    return tuple((tag.slug, tag.name) for tag in thread.tags.all())


def row_key(thread, *, hide_tags: bool, language: str, time_zone: str) -> str:
    """The cache key of one row: a digest of everything the row writes."""
    author, category = thread.author, thread.category
    shown = (
        ROW_REVISION,
        language,
        time_zone,
        hide_tags,
        thread.pk,
        thread.slug,
        thread.title,
        thread.language,
        thread.last_activity_at.isoformat(),
        thread.reply_count,
        thread.me_too_count,
        thread.is_pinned,
        thread.duplicate_of_id,
        thread.solution_id,
        thread.first_official_reply_at is not None,
        category.pk,
        category.slug,
        category.colour,
        category.local_name,
        author.pk,
        author.username,
        author.public_name,
        author.closed_at is not None,
        author.avatar.name if getattr(author, "avatar", None) else "",
        bool(thread.author_is_staff),
        () if hide_tags else _tags_of(thread),
    )
    return shown_key("thread-row", shown)


def thread_rows(threads, *, hide_tags: bool = False) -> list[SafeString]:
    """The rows of `threads` (from Thread.objects.for_list()) in their order, as HTML:
    cached rows from one get_many, the others rendered and stored with one set_many."""
    threads = list(threads)
    language = get_language()
    time_zone = timezone.get_current_timezone_name()
    keys = [
        row_key(thread, hide_tags=hide_tags, language=language, time_zone=time_zone)
        for thread in threads
    ]
    cached = cache.get_many(keys) if keys else {}
    missing = {}
    rows = []
    for key, thread in zip(keys, threads, strict=True):
        html = cached.get(key)
        if html is None:
            html = render_to_string(ROW_TEMPLATE, {"thread": thread, "hide_tags": hide_tags})
            missing[key] = str(html)
        # Our own template's output (autoescaped when rendered), not user input.
        rows.append(mark_safe(html))  # noqa: S308
    if missing:
        cache.set_many(missing, ROW_SECONDS)
    return rows


PAGINATION_TEMPLATE = "components/pagination.html"
SECTION_REVISION = 1
SECTION_SECONDS = selectors.COUNTS_CACHE_SECONDS


@dataclass
class ListSection:
    """What a list page shows of its threads, as HTML, and the page's number."""

    number: int
    rows: list
    pinned_rows: list
    pagination: str


def thread_list_section(
    *, category, tag, status: str, sort: str, language: str, reader: str, page_number, query: str
) -> ListSection:
    """One page of a list (selectors.thread_list's arguments) as a ListSection; `query`
    is the rest of the list's query string, for the pagination links."""
    requested = requested_page(page_number)
    key = "relais:list-section:{}:{}".format(
        content_version(),
        hashlib.sha256(
            repr(
                (
                    SECTION_REVISION,
                    ROW_REVISION,
                    get_language(),
                    timezone.get_current_timezone_name(),
                    category.pk if category else None,
                    tag.pk if tag else None,
                    status,
                    sort,
                    language,
                    reader,
                    requested,
                    query,
                )
            ).encode("utf-8", "surrogateescape")
        ).hexdigest(),
    )
    stored = cache.get(key) if requested is not None else None
    if stored is not None:
        number, rows, pinned_rows, pagination = stored
        return ListSection(
            number=number,
            rows=[mark_safe(row) for row in rows],  # noqa: S308  (our rendered rows)
            pinned_rows=[mark_safe(row) for row in pinned_rows],  # noqa: S308
            pagination=mark_safe(pagination),  # noqa: S308
        )
    page = selectors.thread_list(
        category=category,
        tag=tag,
        status=status,
        sort=sort,
        language=language,
        reader=reader,
        page_number=page_number,
    )
    section = ListSection(
        number=page.number,
        rows=thread_rows(page.object_list),
        pinned_rows=thread_rows(page.pinned, hide_tags=True),
        pagination=render_to_string(PAGINATION_TEMPLATE, {"page": page, "query": query}),
    )
    # Stored under the page asked for only when it is the page served: a number past
    # the end (answered with the last page) or not a number adds nothing to the cache.
    if requested == page.number:
        stored = (
            section.number,
            [str(row) for row in section.rows],
            [str(row) for row in section.pinned_rows],
            str(section.pagination),
        )
        cache.set(key, stored, SECTION_SECONDS)
    return section


NOTIFICATION_TEMPLATE = "community/_notification_item.html"
NOTIFICATION_REVISION = 1
NOTIFICATION_SECONDS = 6 * 60 * 60


def _person(user) -> tuple:
    if user is None:
        return ()
    return (
        user.pk,
        user.username,
        user.public_name,
        user.closed_at is not None,
        user.avatar.name if getattr(user, "avatar", None) else "",
    )


def notification_key(notification, *, language: str, time_zone: str) -> str:
    """A notification item's key: its recipient and everything the item writes (read
    or not, who did it, the thread's title, the post's state and text)."""
    post = notification.reply or notification.thread
    shown = (
        NOTIFICATION_REVISION,
        language,
        time_zone,
        notification.recipient_id,
        notification.pk,
        notification.kind,
        notification.read_at is None,
        notification.created_at.isoformat(),
        _person(notification.actor),
        notification.thread.pk,
        notification.thread.title,
        notification.reply.is_official if notification.reply else None,
        post.visibility,
        # The excerpt's source itself: an edit changes the key however it was saved.
        post.body_html,
    )
    return shown_key("notification-item", shown)


def notification_items(notifications, *, csrf_token: str) -> list[SafeString]:
    """The items of a member's notifications page (selectors.notification_list's rows):
    each is its recipient's own and keyed by its recipient, so it is only ever served
    back to them; its form's CSRF token is put in for this request."""
    notifications = list(notifications)
    language = get_language()
    time_zone = timezone.get_current_timezone_name()
    keys = [
        notification_key(notification, language=language, time_zone=time_zone)
        for notification in notifications
    ]
    cached = cache.get_many(keys) if keys else {}
    placeholder = csrf_placeholder()
    missing = {}
    items = []
    for key, notification in zip(keys, notifications, strict=True):
        html = cached.get(key)
        if html is None:
            html = str(
                render_to_string(
                    NOTIFICATION_TEMPLATE,
                    {"notification": notification, "csrf_token": placeholder},
                )
            )
            missing[key] = html
        # Our own template's output (autoescaped when rendered), not user input.
        items.append(mark_safe(html.replace(placeholder, csrf_token)))  # noqa: S308
    if missing:
        cache.set_many(missing, NOTIFICATION_SECONDS)
    return items
