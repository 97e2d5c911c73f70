"""Markdown for user content: rendered once when a post is saved, then sanitized.

markdown-it-py renders with raw HTML switched off; nh3 then keeps only an
allow-list of elements, attributes and URL schemes, so nothing a member types can
reach the page as markup we did not choose (promise 5 of DESIGN.md).
"""

import html
import re
from collections.abc import Collection
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

MAX_SOURCE_LENGTH = 20_000
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Usernames as Django's default validator allows them: letters, digits and @.+-_
# (a mention stops at the first character outside the set, so "@ana." links "ana.").
MENTION_PATTERN = re.compile(r"(?<![\w@/])@([\w.+-]{1,150})")


# Characters that can start or end Markdown syntax, or an HTML tag, entity,
# autolink or mention: what escape_markdown puts a backslash before. CommonMark
# lets any ASCII punctuation be escaped, and shows the character itself.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-.!|<>~&:@=])")


def escape_markdown(text: str) -> str:
    """`text` as Markdown that renders as exactly that text, on one line.

    For values put into Markdown written by someone else (a member's name or a
    thread's title in a canned response): no link, image, emphasis, heading,
    HTML, entity or @mention can come out of them. Whitespace is collapsed, so a
    value cannot start a new block either.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def mentioned_usernames(source: str) -> set[str]:
    """The usernames `source` mentions, as typed (the caller checks which exist)."""
    return {name.rstrip(".") for name in MENTION_PATTERN.findall(source[:MAX_SOURCE_LENGTH])}


def _mention_rule(state: StateInline, silent: bool) -> bool:
    known = state.env.get("mentions")
    # Inside a link's label a mention stays text: a link cannot hold another link.
    if not known or state.src[state.pos] != "@" or state.linkLevel > 0:
        return False
    if state.pos > 0 and (state.src[state.pos - 1].isalnum() or state.src[state.pos - 1] in "@/_"):
        return False
    match = re.match(r"@([\w.+-]{1,150})", state.src[state.pos :])
    if not match:
        return False
    username = match.group(1).rstrip(".")
    if username not in known:
        return False
    if not silent:
        state.env["linked_mentions"].add(username)
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": f"/u/{username}/", "class": "mention"}
        text = state.push("text", "", 0)
        text.content = f"@{username}"
        state.push("link_close", "a", -1)
    state.pos += len(username) + 1
    return True


@cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    return md


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    # Images only over https: a plain-http image would leak readers' IPs over the clear.
    if element == "img" and attribute == "src" and not value.startswith("https://"):
        return None
    # Only the classes our own renderer writes: code language hints and mentions.
    if attribute == "class":
        if element == "code" and re.fullmatch(r"language-[\w+-]{1,30}", value):
            return value
        if element == "a" and value == "mention":
            return value
        return None
    return value


def render_markdown(source: str, *, mentions: Collection[str] = ()) -> str:
    """Render member-written Markdown to sanitized HTML, safe to put in a page.

    `mentions` are the usernames that exist among those the text mentions;
    only they become links to a profile.
    """
    return render_markdown_with_mentions(source, mentions=mentions)[0]


def render_markdown_with_mentions(
    source: str, *, mentions: Collection[str] = ()
) -> tuple[str, set[str]]:
    """The sanitized HTML, and the usernames that became mention links.

    A name typed in code, or inside a link's label, is not a mention: only the
    names the renderer linked should notify anyone.
    """
    env = {"mentions": set(mentions), "linked_mentions": set()}
    # A lone surrogate cannot be encoded, so the sanitizer would raise on it; the
    # Markdown parser already turns NUL into U+FFFD, as CommonMark asks.
    source = LONE_SURROGATE.sub("\ufffd", source[:MAX_SOURCE_LENGTH])
    html = sanitize_html(_renderer().render(source, env))
    return html, env["linked_mentions"]


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


# Sanitized HTML (sanitize_html's output) has no comments, scripts or stray "<":
# its tags can be dropped with a pattern, many times faster than an HTML parser
# (a thread page turns fifty replies into text for its structured data).
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def plain_text(body_html: str) -> str:
    """A post's sanitized HTML as one line of text: tags dropped, entities decoded
    (excerpts, descriptions and structured data). Only for sanitized HTML."""
    return " ".join(html.unescape(_TAG.sub("", body_html or "")).split())
