"""The HTML of each reply on the thread page, rendered once for every viewer who
sees it alike and kept in the shared cache.

A reply's HTML is a function of the reply's own state (author, body, marks, counts,
visibility), the language, and a handful of the viewer's flags (may edit, may mark
helpful and did, may accept, may recommend, which tools of other apps show). The key
is built from exactly these, read from the rows the selector loaded, so:

- any change to a reply gives it a new key: no write path has to remember to
  invalidate anything, and an author sees their change on their next page, in every
  process that shares the cache;
- two viewers share an entry only when everything the template reads is the same for
  both; nothing else about a viewer (who they are, their other votes) is in the HTML;
- only replies the selector gave this viewer are looked up, so a hidden or pending
  reply is never served to someone who may not read it.

The CSRF token is stored as a placeholder and put back per response. Other apps'
tools (community_reply_tools) take part only if they say what their HTML depends on
(`fragment_variant()`); a reply with a tool that does not is rendered afresh.
"""

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail import hooks

from community.cache import content_version, csrf_placeholder, renders_for_page_cache, shown_key
from community.models import CommunitySettings

# Bump when _reply.html or what it includes changes: entries of the old markup
# are no longer asked for.
FRAGMENT_REVISION = 2
# Keys change with their content, so an entry is never stale; the timeout only
# lets entries nobody asks for any more leave the cache.
FRAGMENT_SECONDS = 24 * 60 * 60
REPLY_TEMPLATE = "community/_reply.html"


def _reply_tools(thread, reply, user) -> tuple[list, tuple | None]:
    """The other apps' tools on one reply, and what their HTML depends on (None: not
    known, so the reply is not cached)."""
    tools, variant = [], []
    for tool_for in hooks.get_hooks("community_reply_tools"):
        tool = tool_for(thread, reply, user)
        if tool is None:
            continue
        tools.append(tool)
        describe = getattr(tool, "fragment_variant", None)
        variant.append(describe() if describe is not None else None)
    if any(part is None for part in variant):
        return tools, None
    return tools, tuple(variant)


def _tools_html(tools, context: dict) -> str:
    return "".join(
        tool.render_html(context) if hasattr(tool, "render_html") else conditional_escape(tool)
        for tool in tools
    )


def _shared_state(reply, thread) -> tuple:
    """What of the reply and its thread the template shows, from the loaded rows."""
    author = reply.author
    is_solution = reply.pk == thread.solution_id
    marked_by = ""
    if is_solution and thread.solution_marked_by_id:
        marked_by = (
            "asker"
            if thread.solution_marked_by_id == thread.author_id
            else thread.solution_marked_by.public_name
        )
    body_digest = hashlib.blake2b(
        (reply.body_html or "").encode("utf-8", "surrogateescape"), digest_size=16
    ).hexdigest()
    return (
        reply.pk,
        thread.pk,
        thread.language,
        reply.visibility,
        reply.hidden_reason,
        reply.is_official,
        reply.created_at,
        reply.updated_at,
        reply.edited_at,
        reply.helpful_count,
        reply.recommended_at,
        is_solution,
        marked_by,
        body_digest,
        tuple(image.pk for image in reply.images),
        author.pk,
        author.username,
        author.public_name,
        author.avatar.name if getattr(author, "avatar", None) else "",
        author.closed_at is not None,
        bool(reply.author_is_staff),
    )


def _viewer_variant(reply, *, featured: bool, voted: bool, tools_variant) -> tuple:
    """The viewer's flags that the template reads for this reply."""
    if featured:
        return ("featured", reply.viewer_can_edit)
    return (
        reply.viewer_can_edit,
        # The note on a hidden or pending reply speaks to staff or to the author.
        reply.viewer_can_moderate if reply.visibility != "visible" else None,
        reply.viewer_can_mark_helpful,
        voted,
        reply.viewer_can_accept,
        reply.viewer_can_recommend,
        tools_variant,
    )


def _key(parts: tuple) -> str:
    return shown_key("reply-html", parts)


def replies_html(request, *, page, community_name) -> tuple[SafeString, SafeString]:
    """The HTML of the featured replies and of the page's replies of a thread page
    (`page`: thread_selectors.ThreadPage), each as one string: one cache read for all."""
    thread, user = page.thread, request.user
    context = (
        FRAGMENT_REVISION,
        get_language(),
        timezone.get_current_timezone_name(),
        str(community_name),
    )
    placeholder = csrf_placeholder()
    items = []  # (featured, key or None when not cacheable, template values, tools)
    for featured, replies in ((True, page.featured), (False, page.replies.object_list)):
        for reply in replies:
            voted = not featured and reply.pk in page.viewer_helpful_ids
            tools, tools_variant = ([], ()) if featured else _reply_tools(thread, reply, user)
            variant = _viewer_variant(
                reply, featured=featured, voted=voted, tools_variant=tools_variant
            )
            key = None
            if tools_variant is not None:
                key = _key((*context, featured, *_shared_state(reply, thread), variant))
            values = {"reply": reply, "thread": thread, "featured": featured, "voted": voted}
            items.append((featured, key, values, tools))
    stored = cache.get_many([key for _, key, _, _ in items if key is not None])
    template = get_template(REPLY_TEMPLATE)
    fresh = {}
    parts = {True: [], False: []}
    for featured, key, values, tools in items:
        html = stored.get(key) if key is not None else None
        if html is None:
            values = {**values, "community_name": community_name, "csrf_token": placeholder}
            # Tools that say what they depend on get nothing else; any other is
            # handed the page's context, as the slot gives it, and is not cached.
            tools_context = values if key is not None else {**values, "view": page, "user": user}
            tools_html = _tools_html(tools, tools_context)
            html = template.render({**values, "tools_html": mark_safe(tools_html)})  # noqa: S308
            if key is not None:
                fresh[key] = html
        parts[featured].append(html)
    if fresh:
        cache.set_many(fresh, FRAGMENT_SECONDS)
    featured_html, conversation_html = "".join(parts[True]), "".join(parts[False])
    if not renders_for_page_cache(request):
        # A page cached for visitors keeps the placeholder: its wrapper swaps it.
        featured_html = _with_token(request, featured_html, placeholder)
        conversation_html = _with_token(request, conversation_html, placeholder)
    # Template output: every variable in it was escaped and each post sanitized
    # when the fragment was rendered.
    return mark_safe(featured_html), mark_safe(conversation_html)  # noqa: S308


def _with_token(request, html: str, placeholder: str) -> str:
    # The token is read only when a form needs it (a visitor's page has none).
    return html.replace(placeholder, get_token(request)) if placeholder in html else html


def thread_page_parts(request, *, page) -> dict:
    """What the thread page's template takes from here: featured_html, replies_html
    and shared_parts_version."""
    # The site settings are read once per request (the page's header reads them too).
    community_name = CommunitySettings.load(request).display_name
    featured, conversation = replies_html(request, page=page, community_name=community_name)
    return {
        "featured_html": featured,
        "replies_html": conversation,
        "shared_parts_version": shared_parts_version(page),
    }


def shared_parts_version(page) -> str:
    """For the thread page's parts that every viewer of the same replies shares and
    that are cached with {% cache %} (the schema.org data): the content version, which
    any write moves on, and the replies this viewer's page holds (moderators and
    authors also see hidden and pending ones, which shifts the pages)."""
    shown = [reply.pk for reply in page.replies.object_list]
    featured = [reply.pk for reply in page.featured]
    digest = hashlib.blake2b(repr((shown, featured)).encode(), digest_size=12).hexdigest()
    return f"{content_version()}:{digest}"
