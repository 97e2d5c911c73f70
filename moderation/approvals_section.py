"""The approvals page's list, rendered once per content version and reused by every
moderator.

The list is the same for every moderator: the posts and changes that wait, with
their authors' public posts and why they wait. What it shows changes only through a
write (a post or change submitted, approved or rejected, a post hidden, the site's
rules saved), and every write moves the content version on (community.cache), which
the key holds: the next page shows it at once, in every process. The key also holds
the language, the time zone, the page asked for and the address the forms come back
to. The forms' CSRF token is stored as a placeholder and the viewer's own put in
when the list is served.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from community.cache import content_version, csrf_placeholder, requested_page, shown_key
from moderation import selectors

LIST_TEMPLATE = "moderation/_approvals_list.html"
# Move it on whenever _approvals_list.html (or what it includes) changes what it writes.
LIST_REVISION = 1
# Exact until the next write; the bound only keeps a list nobody asks for from
# staying in the cache.
LIST_SECONDS = 5 * 60


@dataclass
class ApprovalsSection:
    count: int
    html: SafeString


def approvals_section(*, page_number, back: str, csrf_token: str) -> ApprovalsSection:
    """One page of the approvals list (selectors.approvals_list) as HTML; `back` is the
    page's address, `csrf_token` the viewer's current token."""
    requested = requested_page(page_number)
    shown = (
        LIST_REVISION,
        get_language(),
        timezone.get_current_timezone_name(),
        requested,
        back,
    )
    key = shown_key(f"approvals-list:{content_version()}", shown)
    stored = cache.get(key) if requested is not None else None
    if stored is None:
        page = selectors.approvals_list(page_number=page_number)
        html = render_to_string(
            LIST_TEMPLATE, {"page": page, "back": back, "csrf_token": csrf_placeholder()}
        )
        stored = (page.paginator.count, str(html))
        # A number past the end is answered with the last page: not stored again.
        if requested == page.number:
            cache.set(key, stored, LIST_SECONDS)
    count, html = stored
    # Our own template's output (escaped and sanitized when rendered), not user input.
    return ApprovalsSection(
        count=count,
        html=mark_safe(html.replace(csrf_placeholder(), csrf_token)),  # noqa: S308
    )
