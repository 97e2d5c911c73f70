"""User HTML is never trusted (promise 5): properties of render_markdown's output.

Hypothesis writes hostile Markdown out of text, Markdown syntax, raw HTML,
entity-encoded schemes and dangerous URLs in links, images, reference links and
autolinks. Whatever it writes, the HTML that comes out holds only allow-listed
elements and attributes, no event handler or style, and URLs only with an
allowed scheme (or relative); images only over https. Example tests pin the
cases a reviewer would ask about by name.
"""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from community.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    LINK_REL,
    render_markdown,
    sanitize_html,
)

# --- the checker -------------------------------------------------------------

# WHATWG URL parsing drops ASCII tab and newlines anywhere and C0 controls and
# spaces at the ends, then reads a scheme as a letter followed by letters,
# digits, "+", "-" or "." up to ":".
URL_IGNORED = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read in `value` (already entity-decoded), or None."""
    cleaned = URL_IGNORED.sub("", value).strip(C0_AND_SPACE)
    match = SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class Collector(HTMLParser):
    """Every element, attribute, comment and declaration, with entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.other.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.other.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.other.append(f"declaration {data!r}")


def unsafe_parts(html: str) -> list[str]:
    """Everything in `html` that the allow-list does not allow; [] when it is safe."""
    collector = Collector()
    collector.feed(html)
    collector.close()
    problems = list(collector.other)
    for tag, attrs in collector.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"element <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name == "style":
                problems.append(f"{name} on <{tag}>")
            elif name not in allowed:
                problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src"}:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_URL_SCHEMES:
                    problems.append(f"{name}={value!r} on <{tag}>")
            if tag == "img" and name == "src" and not value.startswith("https://"):
                problems.append(f"image not over https: {value!r}")
            if name == "class" and not (
                (tag == "code" and re.fullmatch(r"language-[\w+-]{1,30}", value))
                or (tag == "a" and value == "mention")
            ):
                problems.append(f"class={value!r} on <{tag}>")
        if tag == "a" and "href" in values and values.get("rel") != LINK_REL:
            problems.append(f"link without rel={LINK_REL!r}: {values!r}")
    return problems


def test_the_checker_catches_each_kind_of_unsafe_html():
    assert unsafe_parts("<p>fine <a href='/u/ana/' rel='nofollow ugc noopener'>x</a></p>") == []
    for bad in [
        "<script>x</script>",
        "<svg></svg>",
        "<p onclick='x'>a</p>",
        "<p style='color:red'>a</p>",
        "<a href='javascript:alert(1)' rel='nofollow ugc noopener'>a</a>",
        "<a href='&#106;avascript:alert(1)' rel='nofollow ugc noopener'>a</a>",
        "<a href='java&#x09;script:alert(1)' rel='nofollow ugc noopener'>a</a>",
        "<a href=' \x01javascript:alert(1)' rel='nofollow ugc noopener'>a</a>",
        "<a href='data:text/html,x' rel='nofollow ugc noopener'>a</a>",
        "<a href='https://ok.example'>no rel</a>",
        "<img src='http://insecure.example/a.png'>",
        "<img src='data:image/png;base64,AAAA'>",
        "<p class='official'>a</p>",
        "<p id='x'>a</p>",
        "<!-- comment -->",
    ]:
        assert unsafe_parts(bad), bad


# --- the strategy ------------------------------------------------------------

SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    " javascript:",
    "&#106;avascript:",
    "&#x6A;avascript:",
    "&#X6a;avascript:",
    "&#0000106;avascript:",
    "java&#x09;script:",
    "java&#9;script:",
    "java&Tab;script:",
    "jav&#x0A;ascript:",
    "java\tscript:",
    "javascript&colon;",
    "\\javascript:",
    "%6Aavascript:",
    "vbscript:",
    "VBScript:",
    "data:",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "file:",
    "http://",
    "https://",
    "HTTPS://",
    "mailto:",
    "//",
    "/",
    "",
]
PAYLOADS = ["alert(1)", "example.com/a.png", "x", "", "a@b.example", "evil.example/x?y=1#z"]
HTML = [
    "<script>alert(1)</script>",
    "<script src=https://evil.example/x.js></script>",
    '<img src=x onerror="alert(1)">',
    '<img src="https://cdn.example/a.png" onload=alert(1)>',
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<style>body{display:none}</style>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://ok.example" style="color:red" onclick="alert(1)">x</a>',
    "<p style='position:fixed'>over</p>",
    "<div class='official-badge'>Official</div>",
    "<object data='javascript:alert(1)'></object>",
    "<embed src='javascript:alert(1)'>",
    "<form action='javascript:alert(1)'><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<body onload=alert(1)>",
    "<base href='javascript:/'>",
    "<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "</p><script>alert(1)</script><p>",
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
]
SYNTAX = ["[", "]", "(", ")", "<", ">", "!", "*", "**", "_", "`", "```", "~~", "#", "# ",
          "> ", "- ", "1. ", "|", "| --- |", "\n", "\n\n", "    ", " ", "\t", "&", "&amp;",
          "&lt;", ";", ":", '"', "'", "=", "\\", "@", "@ana", "@bob", "www.", ".com"]  # fmt: skip

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
urls = st.builds(
    lambda prefix, scheme, payload: prefix + scheme + payload,
    st.sampled_from(["", " ", "\t", "\x01", "&#x20;", "%20", "<"]),
    st.sampled_from(SCHEMES),
    st.sampled_from(PAYLOADS) | text,
)
titles = st.sampled_from(["", ' "t"', " 't'", ' "a\\" onerror=\\"alert(1)"', " (x)"])
labels = st.sampled_from(["x", "click", "@ana", "![i](https://a.example/i.png)", ""]) | text
links = st.one_of(
    st.builds(lambda t, u, ti: f"[{t}]({u}{ti})", labels, urls, titles),
    st.builds(lambda t, u, ti: f"![{t}]({u}{ti})", labels, urls, titles),
    st.builds(lambda t, u: f"[{t}](<{u}>)", labels, urls),
    st.builds(lambda t, u, ti: f"[{t}][ref]\n\n[ref]: {u}{ti}\n", labels, urls, titles),
    st.builds(lambda t, u: f"![{t}][img]\n\n[img]: {u}\n", labels, urls),
    st.builds(lambda u: f"[{u}]\n\n[{u}]: {u}\n", urls),
    st.builds(lambda u: f"<{u}>", urls),
    st.builds(lambda u: f" {u} ", urls),  # linkify
)
pieces = st.one_of(
    st.sampled_from(SYNTAX), st.sampled_from(HTML), st.sampled_from(SCHEMES), text, links
)
markdown_sources = st.lists(pieces, max_size=25).map("".join)


# --- the properties ----------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=markdown_sources)
@example(source="[x](&#106;avascript:alert(1))")
@example(source="[x](java&#x09;script:alert(1))")
@example(source="[x][r]\n\n[r]: &#x6A;avascript:alert(1)\n")
@example(source="<javascript:alert(1)>")
@example(source="![x](data:image/svg+xml,<svg onload=alert(1)>)")
def test_rendered_markdown_holds_only_allowed_markup(source):
    html = render_markdown(source, mentions={"ana"})

    assert unsafe_parts(html) == [], (source, html)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    html=st.lists(st.one_of(st.sampled_from(HTML), links.map(render_markdown), text)).map("".join)
)
def test_sanitize_html_alone_holds_only_allowed_markup(html):
    # The sanitizer is the last line: it must hold even for raw HTML input.
    assert unsafe_parts(sanitize_html(html)) == [], html


@settings(max_examples=100, deadline=None)
@given(source=markdown_sources)
def test_rendering_is_stable_under_a_second_sanitize(source):
    html = render_markdown(source, mentions={"ana"})

    assert unsafe_parts(sanitize_html(html)) == []


# --- named examples ----------------------------------------------------------


def hrefs(html: str) -> list[str]:
    collector = Collector()
    collector.feed(html)
    return [
        value or ""
        for _tag, attrs in collector.elements
        for name, value in attrs
        if name in {"href", "src"}
    ]


def elements(html: str) -> list[str]:
    collector = Collector()
    collector.feed(html)
    return [tag for tag, _attrs in collector.elements]


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<script src=https://evil.example/x.js></script>",
        "x <scr<script>ipt>alert(1)</script>",
    ],
)
def test_script_tags_never_become_elements(source):
    html = render_markdown(source)

    assert "script" not in elements(html)
    assert "<script" not in html.lower()
    assert unsafe_parts(html) == []


@pytest.mark.parametrize(
    "source",
    [
        '<img src="https://cdn.example/a.png" onerror="alert(1)">',
        "<a href=https://ok.example onclick=alert(1)>x</a>",
        "<body onload=alert(1)>",
        '![a](https://cdn.example/a.png "t\\" onerror=\\"alert(1)")',
        "[a](https://ok.example \"t' onmouseover='alert(1)\")",
    ],
)
def test_event_handlers_never_survive(source):
    html = render_markdown(source)

    collector = Collector()
    collector.feed(html)
    names = [name for _tag, attrs in collector.elements for name, _value in attrs]
    assert not [name for name in names if name.startswith("on")]
    assert unsafe_parts(html) == []


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](&#X6a;avascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](java&Tab;script:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](DATA:text/html,<script>alert(1)</script>)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "![x](data:image/svg+xml,<svg/onload=alert(1)>)",
        "![x](javascript:alert(1))",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "[x][ref]\n\n[ref]: &#106;avascript:alert(1)",
        "[x][ref]\n\n[ref]: java&#x09;script:alert(1)",
        "[x][ref]\n\n[ref]: data:text/html,x",
        "[ref]\n\n[ref]: <vbscript:msgbox(1)>",
        "![x][img]\n\n[img]: data:image/png;base64,AAAA",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<data:text/html,x>",
        "<vbscript:msgbox(1)>",
        "<&#106;avascript:alert(1)>",
        "javascript:alert(1)",  # linkify must not link it
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        "<iframe src='javascript:alert(1)'></iframe>",
    ],
)
def test_dangerous_urls_never_become_links(source):
    html = render_markdown(source)

    assert unsafe_parts(html) == []
    for url in hrefs(html):
        assert url_scheme(url) in {None, *ALLOWED_URL_SCHEMES}, (source, html)
        # What is left is relative at worst ("java%09script:" is a path, not a scheme).
        cleaned = URL_IGNORED.sub("", url).strip(C0_AND_SPACE).lower()
        assert not cleaned.startswith(("javascript", "vbscript", "data"))


@pytest.mark.parametrize(
    "source",
    [
        '<a href="https://ok.example" style="color:red">x</a>',
        "<p style='position:fixed;top:0'>over everything</p>",
        "<span style=display:none>hidden</span>",
        "<style>body{display:none}</style>",
    ],
)
def test_style_never_survives(source):
    html = render_markdown(source)

    assert "style" not in elements(html)
    assert not re.search(r"<[a-z][^<>]*\sstyle=", html)
    assert unsafe_parts(html) == []


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<div>block</div>", "&lt;div&gt;block&lt;/div&gt;"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("<em>raw em</em>", "&lt;em&gt;raw em&lt;/em&gt;"),
        ("<!-- secret -->", "&lt;!-- secret --&gt;"),
        ('<span class="official">Official</span>', "&lt;span"),
    ],
)
def test_raw_html_is_shown_as_text_not_markup(source, shown):
    html = render_markdown(source)

    assert shown in html
    assert elements(html) == ["p"]


@pytest.mark.parametrize(
    "source",
    [
        "<svg onload=alert(1)><circle r=10 /></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
        "<math><maction actiontype='statusline'>x</maction></math>",
    ],
)
def test_svg_and_math_never_become_elements(source):
    html = render_markdown(source)

    assert not {"svg", "math", "script", "mi", "maction", "text", "circle"} & set(elements(html))
    assert unsafe_parts(html) == []


@pytest.mark.parametrize(
    "raw",
    [
        "<svg onload=alert(1)><circle r=10 /></svg>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
        "<a href='javascript:alert(1)' onclick=x style=y>a</a>",
        "<img src='http://insecure.example/a.png'><img src='data:image/png;base64,AA'>",
        "<p class='official'>Official</p><div id='x'>d</div>",
        "<iframe src='https://evil.example'></iframe><object></object><embed>",
    ],
)
def test_sanitize_html_cleans_raw_html_directly(raw):
    assert unsafe_parts(sanitize_html(raw)) == []


@pytest.mark.parametrize(
    "source",
    [
        "[x](https://example.com)",
        "<https://example.com>",
        "see https://example.com/page",
        "see www.example.com",
        "[x][ref]\n\n[ref]: https://example.com",
        "[mail](mailto:help@example.com)",
    ],
)
def test_links_get_nofollow_ugc_noopener(source):
    html = render_markdown(source)

    assert f'rel="{LINK_REL}"' in html
    collector = Collector()
    collector.feed(html)
    links = [dict(attrs) for tag, attrs in collector.elements if tag == "a"]
    assert links
    assert all(link["rel"] == LINK_REL for link in links)


def test_a_link_cannot_choose_its_own_rel_or_target():
    html = sanitize_html('<a href="https://ok.example" rel="opener" target="_blank">x</a>')

    assert html == f'<a href="https://ok.example" rel="{LINK_REL}">x</a>'


def test_images_only_over_https():
    assert hrefs(render_markdown("![a](https://cdn.example/a.png)")) == [
        "https://cdn.example/a.png"
    ]
    assert hrefs(render_markdown("![a](http://cdn.example/a.png)")) == []
    assert hrefs(render_markdown("![a](//cdn.example/a.png)")) == []
    assert hrefs(render_markdown("![a](/media/a.png)")) == []


def test_mentions_link_only_existing_members():
    html = render_markdown("Thanks @ana and @bob!", mentions={"ana"})

    collector = Collector()
    collector.feed(html)
    links = [dict(attrs) for tag, attrs in collector.elements if tag == "a"]
    assert links == [{"href": "/u/ana/", "class": "mention", "rel": LINK_REL}]
    assert "@bob" in html
    assert "/u/bob/" not in html


def test_mentions_need_a_known_member_and_a_word_boundary():
    assert "<a" not in render_markdown("Thanks @ana", mentions=())
    assert "<a" not in render_markdown("mail ana@ana.example", mentions={"ana"})
    assert "<a" not in render_markdown("`@ana` in code", mentions={"ana"})
    assert 'href="/u/ana/"' in render_markdown("@ana, hello", mentions={"ana"})


def test_a_mention_inside_a_link_label_stays_part_of_that_link():
    # A link inside a link is not HTML: the sanitizer would split the label in two
    # and "@ana" would point to a profile instead of where the author sent it.
    html = render_markdown("[ask @ana here](https://help.example/ana)", mentions={"ana"})

    assert hrefs(html) == ["https://help.example/ana"]
    assert ">ask @ana here</a>" in html


def test_a_mention_cannot_carry_markup():
    html = render_markdown('@ana"><script>alert(1)</script>', mentions={"ana"})

    assert unsafe_parts(html) == []
    assert hrefs(html) == ["/u/ana/"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=markdown_sources)
@example(source='[link](https://a.example/ "b > c") and <em>raw</em> & more')
def test_plain_text_reads_sanitized_html_as_an_html_parser_would(source):
    from html import unescape

    from django.utils.html import strip_tags

    from community.markdown import plain_text

    rendered = render_markdown(source)
    assert plain_text(rendered) == " ".join(unescape(strip_tags(rendered)).split())
