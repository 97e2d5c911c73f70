from functools import lru_cache
from html import unescape

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from wagtail import hooks

from community import frame, permissions
from community.markdown import sanitize_html
from community.search import excerpt

register = template.Library()


@register.filter
def sanitized(html: str):
    """Output a post's rendered HTML, passed through the allow-list once more.

    The HTML was rendered from Markdown and sanitized when the post was saved;
    sanitizing again here (fast, no Markdown work) means a row altered outside
    the services still cannot put markup of its own in the page.
    """
    return mark_safe(_sanitized(html or ""))  # noqa: S308 - allow-list applied on this line


# The same stored HTML gives the same output: the posts of the pages read most
# (a thread's fifty replies) are cleaned once per process, not on every view.
@lru_cache(maxsize=2048)
def _sanitized(html: str) -> str:
    return sanitize_html(html)


@register.filter
def machine_time(value) -> str:
    """A <time datetime> value in the reader's zone, to the second.

    Django's "c" format keeps microseconds, which HTML's datetime attribute
    does not allow.
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def in_set(value, collection) -> bool:
    return value in collection


@register.filter
def suspension_message(user) -> str:
    """What a suspended member reads on every page: why, and until when."""
    return permissions.suspension_message(user)


@register.filter
def search_excerpt(markup: str, query: str):
    """A post's text around the searched words, which are marked (escaped first)."""
    return excerpt(markup, query)


# Slots for the tools of other apps --------------------------------------------------
#
# Moderation shows tools on community pages (report, hide, restore, the approvals,
# suspension) that community must not know: a page offers a slot, and the app renders
# its own tools there through a Wagtail hook. Each function registered under the
# hook returns a Component (rendered with the template's context, which holds the
# csrf_token), HTML, or None; text not marked safe is escaped. The functions read
# what the page has loaded and the roles cached on the viewer: no queries.


@register.simple_tag(takes_context=True)
def post_tools(context, thread, reply=None):
    """The other apps' tools on a thread (hook "community_thread_tools", called with
    thread and the viewer) or on one of its replies ("community_reply_tools": thread,
    reply, viewer)."""
    if reply is None:
        return _tools(context, "community_thread_tools", thread)
    return _tools(context, "community_reply_tools", thread, reply)


@register.simple_tag(takes_context=True)
def staff_tools(context, place: str, thread):
    """The other apps' staff tools at one place of a thread page: "thread" under the
    question (hook "community_thread_staff_tools"), "reply_note" above the reply form
    ("community_reply_form_notes"), "reply_editor" inside it
    ("community_reply_editor_tools"); each called with the thread and the viewer.
    What the "community_thread_staff_context" hooks added is in the context."""
    return _tools(context, STAFF_TOOL_HOOKS[place], thread)


STAFF_TOOL_HOOKS = {
    "thread": "community_thread_staff_tools",
    "reply_note": "community_reply_form_notes",
    "reply_editor": "community_reply_editor_tools",
}


@register.simple_tag(takes_context=True)
def profile_tools(context, member):
    """The other apps' tools on a member's profile (hook "community_profile_tools",
    called with the member and the viewer)."""
    return _tools(context, "community_profile_tools", member)


def _tools(context, hook_name: str, *objects):
    viewer = context.get("user") or AnonymousUser()
    parts = []
    for tool_for in hooks.get_hooks(hook_name):
        tool = tool_for(*objects, viewer)
        if tool is not None:
            parts.append(tool.render_html(context) if hasattr(tool, "render_html") else tool)
    return format_html_join("", "{}", ((part,) for part in parts))


@register.simple_tag(takes_context=True)
def header_tools(context, place: str):
    """The other apps' links in the site header, for the viewer: "menu" inside the
    header's menu (hook "community_header_menu"), "badge" on the menu's button
    ("community_header_badge"), "bar" in the header's line on wide screens
    ("community_header_bar"); each called with the viewer. They read what the
    context processors put in the context, counted once per request."""
    return _tools(context, HEADER_TOOL_HOOKS[place])


HEADER_TOOL_HOOKS = {
    "menu": "community_header_menu",
    "badge": "community_header_badge",
    "bar": "community_header_bar",
}


@register.filter
def post_excerpt(html: str, length: int = 140) -> str:
    """A post's rendered HTML as one line of plain text, cut at a word near `length`."""
    text = " ".join(strip_tags(html or "").split())
    return Truncator(unescape(text)).chars(length)


@register.simple_tag(takes_context=True)
def site_logo(context):
    """The header's logo, or the community's name where editors set none."""
    branding, name = context["site_branding"], context["community_name"]
    return frame.logo_img(branding, alt=name) or name
