"""Each thread row's HTML in the lists, rendered once and shared by every reader.

A row shows nothing that depends on who reads it, only on the thread, its author,
category and tags, and the reader's language. So each row is cached under a key
made of every field it shows, as the selector loaded them: any change to one of
them (a reply moving the activity time, a count, a solution, an official reply,
an edited title, a renamed category or member, a tag) makes a new key, and the
next page renders that row afresh, in every process, without the content version.
A page reads all its rows with one get_many and renders only the missing ones.
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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
    digest = hashlib.sha256(repr(shown).encode("utf-8", "surrogateescape")).hexdigest()
    return f"relais:thread-row:{digest}"


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
