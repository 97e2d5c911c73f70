"""Find markup that could run script in a page, with the standard library's HTML parser.

`find_violations(html)` lists, for one page (or fragment):

- every <script> element except our own static files (src under /static/) and
  JSON-LD (type="application/ld+json") whose text parses as JSON;
- every on* event-handler attribute;
- URL attributes (href, src, action, formaction, xlink:href, data, poster,
  background, …) whose scheme is javascript:, vbscript: or data:, after the
  parser's entity decoding, with whitespace and control characters removed and
  case ignored (as browsers read them);
- elements that load or redirect to other documents: iframe, frame, frameset,
  object, embed, applet, base, meta http-equiv=refresh, link rel=import, a form
  posting to another site, svg foreignObject;
- style attributes holding expression(, javascript: or url(, and <style>
  elements holding expression( or javascript:.

`admin_violations(html)` reads a Wagtail admin page: the same checks, with
Wagtail's own scripts allowed precisely (see the comment above it).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "ping",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
DANGEROUS_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
# html.parser lower-cases tag names: foreignObject arrives as foreignobject.
SVG_DANGEROUS = {"foreignobject"}
STYLE_ATTRIBUTE_MARKERS = ("expression(", "javascript:", "url(")
STYLE_ELEMENT_MARKERS = ("expression(", "javascript:")
OWN_HOSTS = {"", "testserver", "localhost", "127.0.0.1"}
JSON_LD_TYPE = "application/ld+json"
STATIC_PREFIX = "/static/"

# Whitespace, control and format characters (tab, newline, NUL, zero-width
# space, BOM, bidi marks…): browsers drop several of them inside a URL's scheme,
# so all of them are removed before the scheme is read.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


@dataclass(frozen=True)
class Violation:
    kind: str  # script, event-handler, url-scheme, element, style, json-ld
    detail: str
    offset: int  # characters from the start of the checked text

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def _squeezed(value: str) -> str:
    return "".join(
        char for char in value if unicodedata.category(char) not in _INVISIBLE_CATEGORIES
    ).lower()


def bad_scheme(value: str) -> str | None:
    """The dangerous scheme a URL attribute value starts with, if any."""
    squeezed = _squeezed(value)
    for scheme in BAD_SCHEMES:
        if squeezed.startswith(scheme):
            return scheme
    return None


def _line_offsets(text: str) -> list[int]:
    offsets, total = [], 0
    for line in text.splitlines(keepends=True):
        offsets.append(total)
        total += len(line)
    return offsets or [0]


class _Checker(HTMLParser):
    def __init__(self, text: str, *, admin: bool = False):
        super().__init__(convert_charrefs=True)
        self.admin = admin
        self.violations: list[Violation] = []
        self._lines = _line_offsets(text)
        self._script: tuple[dict, int] | None = None  # attributes, offset of an open script
        self._script_text: list[str] = []
        self._style_text: list[str] | None = None

    # Position of the current token, as an offset in the checked text.
    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[min(line, len(self._lines)) - 1] + column

    def _add(self, kind: str, detail: str, offset: int | None = None) -> None:
        self.violations.append(
            Violation(kind, detail[:200], self._offset() if offset is None else offset)
        )

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._add("event-handler", f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and (scheme := bad_scheme(value)):
                self._add("url-scheme", f"<{tag} {name}={value!r}> ({scheme})")
            if name == "style":
                lowered = _squeezed(value)
                if any(marker in lowered for marker in STYLE_ATTRIBUTE_MARKERS):
                    self._add("style", f"<{tag} style={value!r}>")
            if name == "srcdoc":
                self._add("element", f"<{tag} srcdoc=…>")
        if tag in DANGEROUS_ELEMENTS or tag in SVG_DANGEROUS:
            self._add("element", f"<{tag}>")
        elif tag == "meta" and attributes.get("http-equiv", "").strip().lower() == "refresh":
            self._add("element", "<meta http-equiv=refresh>")
        elif tag == "link" and "import" in attributes.get("rel", "").lower().split():
            self._add("element", "<link rel=import>")
        elif tag == "form" and "action" in attributes:
            action = attributes["action"].strip()
            if not bad_scheme(action) and self._off_site(action):
                self._add("element", f"<form action={action!r}> (posts off-site)")
        if tag == "script":
            self._script = (attributes, self._offset())
            self._script_text = []
        elif tag == "style":
            self._style_text = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._end_script()

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self._end_script()
        elif tag == "style" and self._style_text is not None:
            text = _squeezed("".join(self._style_text))
            if any(marker in text for marker in STYLE_ELEMENT_MARKERS):
                self._add("style", f"<style>{''.join(self._style_text)[:100]}")
            self._style_text = None

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)
        elif self._style_text is not None:
            self._style_text.append(data)

    def close(self):
        super().close()
        if self._script is not None:  # a script that never ended
            self._end_script()

    def _end_script(self) -> None:
        attributes, offset = self._script
        text = "".join(self._script_text)
        self._script, self._script_text = None, []
        src = attributes.get("src")
        kind = attributes.get("type", "").strip().lower()
        if src is not None:
            own = self._own_static(src) or (self.admin and src in ADMIN_SCRIPT_SOURCES)
            if not own or text.strip():
                self._add("script", f"<script src={src!r}>{text[:80]}", offset)
            return
        if self.admin and not kind and any(p.fullmatch(text) for p in ADMIN_INLINE_SCRIPTS):
            return
        if kind == "application/json" and self.admin:
            try:
                json.loads(text)
            except ValueError:
                self._add("script", f"JSON data block that does not parse: {text[:120]!r}", offset)
            return
        if kind == JSON_LD_TYPE:
            try:
                json.loads(text)
            except ValueError:
                self._add("json-ld", f"JSON-LD that does not parse: {text[:120]!r}", offset)
            else:
                if "</" in text.lower():
                    self._add("json-ld", "JSON-LD holding '</'", offset)
            return
        self._add("script", f"inline <script type={kind!r}>{text[:120]}", offset)

    @staticmethod
    def _own_static(src: str) -> bool:
        parts = urlsplit(src.strip())
        return not parts.scheme and not parts.netloc and parts.path.startswith(STATIC_PREFIX)

    @staticmethod
    def _off_site(action: str) -> bool:
        parts = urlsplit(action)
        return bool(parts.netloc) and (parts.hostname or "") not in OWN_HOSTS


def find_violations(html: str, *, admin: bool = False) -> list[Violation]:
    """Everything in `html` that could run script or take the reader elsewhere.

    `admin` allows the Wagtail admin's own scripts (see admin_violations).
    """
    checker = _Checker(html, admin=admin)
    checker.feed(html)
    checker.close()
    return checker.violations


# The Wagtail admin -----------------------------------------------------------------
#
# Wagtail's admin pages carry markup of their own that the rules above would
# report: its configuration and sidebar passed as <script type="application/json">
# data blocks, the JavaScript catalogue at /admin/jsi18n/, and one-line calls that
# set up its date pickers (the history filters). That markup is Wagtail's, the
# same for every row, and allowed here precisely: a data block only when its
# whole content parses as JSON (data the admin's code reads, never runs; a
# payload that closed it early would leave JSON that does not parse), the
# catalogue only at that same-origin address, a date picker call only in its
# exact shape with a field id and a JSON options object. Everything else on the
# page, header and sidebar included, is checked like any other page.

ADMIN_SCRIPT_SOURCES = {"/admin/jsi18n/"}
ADMIN_INLINE_SCRIPTS = [
    re.compile(r'\s*initDateChooser\("id_[\w-]+", \{[^<>()]*\}\);\s*'),
]


def admin_violations(html: str) -> list[Violation]:
    """Violations in a Wagtail admin page, Wagtail's own markup (above) excepted."""
    return find_violations(html, admin=True)
