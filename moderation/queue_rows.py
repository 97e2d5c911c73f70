"""The queue's rows, each rendered once per moderator and state, then reused.

A queue row carries its viewer's assignment tools (Claim, Take over, Release, the
Assign menu with "(you)"), so a row is cached for one moderator only: the key
holds the viewer's id beside everything the row writes (the thread's title,
category, author, counts, solved and recommended state, the live assignee and
claim expiry, the list of moderators, the language and the address the forms come
back to) and the minute it is rendered in: "asked … ago" and "due in …" are worded
when the row is first rendered in the current minute, so a row is rendered at most
once a minute and its wording is never more than a minute old. Any change makes a
new key, so a claim or a reply shows at once, in every process. The forms' CSRF
token is rendered as a placeholder and the current one put in when
the row is served: a cached row never carries a stale or another session's token.

Above the rows, the whole section of one moderator's queue page (its count, rows
and pagination) is kept under the content version (community.cache), the minute
and the page's filters: any write moves the version on, so the next page shows
it at once; between writes the page costs no query for its rows. Time alone
(a thread falling overdue, a claim lapsing) shows within the minute, as the
queue's counts do (selectors.QUEUE_COUNTS_SECONDS).
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language

from community.cache import content_version, csrf_placeholder, requested_page, shown_key
from moderation import selectors

ROW_TEMPLATE = "moderation/_queue_row.html"
# Move it on whenever _queue_row.html (or what it includes) changes what it writes.
ROW_REVISION = 3
# A row's key holds the minute it was rendered in, so it is not asked for again
# after that minute: a short life keeps the cache small.
ROW_SECONDS = 2 * 60


def _due_text(thread, now) -> str:
    due = thread.due_at
    if due is None:
        return ""
    return timesince(due, now) if thread.is_overdue else timeuntil(due, now)


def row_key(thread, *, viewer_id, moderators_shown, back, language, time_zone, minute):
    author, category, assignee = thread.author, thread.category, thread.assignee
    shown = (
        ROW_REVISION,
        viewer_id,
        language,
        time_zone,
        back,
        moderators_shown,
        minute.isoformat(),
        thread.pk,
        thread.slug,
        thread.title,
        thread.language,
        category.pk,
        category.colour,
        category.local_name,
        author.pk,
        author.username,
        author.public_name,
        author.closed_at is not None,
        bool(thread.author_is_staff),
        thread.created_at.isoformat(),
        thread.due_at.isoformat() if thread.due_at else "",
        bool(thread.is_overdue),
        bool(thread.is_follow_up),
        (assignee.pk, assignee.public_name) if assignee else None,
        thread.claim_expires_at.isoformat() if assignee and thread.claim_expires_at else "",
        thread.first_official_reply_at is not None,
        thread.reply_count,
        thread.me_too_count,
        thread.solution_id is not None,
        bool(thread.has_recommended),
        thread.asked_from,
    )
    return shown_key("queue-row", shown)


def queue_rows(threads, *, viewer, moderators, back: str, minute) -> list[str]:
    """The rows of `threads` (from selectors.queue_list) for `viewer`, as HTML with the
    CSRF placeholder: cached rows from one get_many, the others rendered and stored
    with one set_many."""
    threads = list(threads)
    language = get_language()
    time_zone = timezone.get_current_timezone_name()
    moderators_shown = tuple((person.pk, person.public_name) for person in moderators)
    placeholder = csrf_placeholder()
    keys = [
        row_key(
            thread,
            viewer_id=viewer.pk,
            moderators_shown=moderators_shown,
            back=back,
            language=language,
            time_zone=time_zone,
            minute=minute,
        )
        for thread in threads
    ]
    cached = cache.get_many(keys) if keys else {}
    missing = {}
    rows = []
    now = timezone.now()
    for key, thread in zip(keys, threads, strict=True):
        html = cached.get(key)
        if html is None:
            html = str(
                render_to_string(
                    ROW_TEMPLATE,
                    {
                        "thread": thread,
                        "asked": timesince(thread.created_at, now),
                        "due": _due_text(thread, now),
                        "moderators": moderators,
                        "user": viewer,
                        "csrf_token": placeholder,
                        "next": back,
                    },
                )
            )
            missing[key] = html
        rows.append(html)
    if missing:
        cache.set_many(missing, ROW_SECONDS)
    return rows


PAGINATION_TEMPLATE = "components/pagination.html"
SECTION_REVISION = 1
SECTION_SECONDS = 60


@dataclass
class QueueSection:
    """What a queue page shows of its threads, as HTML, and how many wait in all."""

    count: int
    rows: list[SafeString]
    pagination: SafeString


def queue_section(
    *,
    category,
    language: str,
    overdue: bool,
    assignment: str,
    stage: str,
    viewer,
    sort: str,
    page_number,
    back: str,
    query: str,
    csrf_token: str,
) -> QueueSection:
    """One page of the queue (selectors.queue_list's arguments) for `viewer`; `back` is
    the page's address (where its forms come back to), `query` its filters for the
    pagination links, `csrf_token` the viewer's current token."""
    minute = timezone.now().replace(second=0, microsecond=0)
    requested = requested_page(page_number)
    shown = (
        SECTION_REVISION,
        ROW_REVISION,
        viewer.pk,
        minute.isoformat(),
        get_language(),
        timezone.get_current_timezone_name(),
        category.pk if category else None,
        language,
        overdue,
        assignment,
        stage,
        sort,
        requested,
        back,
        query,
    )
    key = shown_key(f"queue-section:{content_version()}", shown)
    stored = cache.get(key) if requested is not None else None
    if stored is None:
        page = selectors.queue_list(
            category=category,
            language=language,
            overdue=overdue,
            assignment=assignment,
            stage=stage,
            viewer=viewer,
            sort=sort,
            page_number=page_number,
        )
        rows = queue_rows(
            page.object_list,
            viewer=viewer,
            moderators=selectors.moderator_list(),
            back=back,
            minute=minute,
        )
        pagination = render_to_string(PAGINATION_TEMPLATE, {"page": page, "query": query})
        stored = (page.paginator.count, rows, str(pagination))
        # Only the page asked for is stored: a number past the end (answered with
        # the last page) adds nothing to the cache.
        if requested == page.number:
            cache.set(key, stored, SECTION_SECONDS)
    count, rows, pagination = stored
    placeholder = csrf_placeholder()
    return QueueSection(
        count=count,
        # Our own templates' output (autoescaped when rendered), not user input.
        rows=[mark_safe(row.replace(placeholder, csrf_token)) for row in rows],  # noqa: S308
        pagination=mark_safe(pagination),  # noqa: S308
    )
