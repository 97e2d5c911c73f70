"""Markdown for user content: rendered once when a post is saved, then sanitized.

markdown-it-py renders with raw HTML switched off; nh3 then keeps only an
allow-list of elements, attributes and URL schemes, so nothing a member types can
reach the page as markup we did not choose (promise 5 of DESIGN.md).
"""

from functools import cache

import nh3
from markdown_it import MarkdownIt

MAX_SOURCE_LENGTH = 20_000

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable(
        ["table", "strikethrough", "linkify"]
    )


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    # Images only over https: a plain-http image would leak readers' IPs over the clear.
    if element == "img" and attribute == "src" and not value.startswith("https://"):
        return None
    # Only the language hint markdown-it writes on fenced code blocks.
    if element == "code" and attribute == "class" and not value.startswith("language-"):
        return None
    return value


def render_markdown(source: str) -> str:
    """Render member-written Markdown to sanitized HTML, safe to put in a page."""
    return sanitize_html(_renderer().render(source[:MAX_SOURCE_LENGTH]))


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed elements, attributes and URL schemes of `html`."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )
