from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from community import permissions
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
