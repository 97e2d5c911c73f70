from html.parser import HTMLParser

import pytest

from community.markdown import (
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    escape_markdown,
    plain_text,
    render_markdown,
)


class ElementCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def unsafe_parts(html: str) -> list[str]:
    """Everything in `html` outside the allow-list: elements, handlers, styles, URL schemes."""
    collector = ElementCollector()
    collector.feed(html)
    problems = []
    for tag, attrs in collector.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"element {tag}")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"attribute {name} on {tag}")
            if name in {"href", "src"}:
                scheme = (value or "").split(":", 1)[0].lower() if ":" in (value or "") else ""
                if scheme and scheme not in ALLOWED_URL_SCHEMES:
                    problems.append(f"{name}={value!r} on {tag}")
            if tag == "img" and name == "src" and not (value or "").startswith("https://"):
                problems.append(f"insecure image {value!r}")
    return problems


def test_renders_commonmark_tables_strikethrough_and_links():
    html = render_markdown("**b** ~~s~~\n\n| a |\n|---|\n| 1 |\n\nhttps://example.com")

    assert "<strong>b</strong>" in html
    assert "<s>s</s>" in html or "<del>s</del>" in html
    assert "<table>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="nofollow ugc noopener"' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
        '<a href="https://ok.example" style="color:red">x</a>',
        "![x](http://insecure.example/cat.png)",
    ],
)
def test_dangerous_input_never_survives(source):
    html = render_markdown(source)

    assert unsafe_parts(html) == []


def test_the_checker_itself_catches_unsafe_html():
    bad = '<script>x</script><a href="javascript:x" onclick="y" style="z">a</a><img src="http://x">'
    assert len(unsafe_parts(bad)) == 5


def test_images_only_over_https():
    assert 'src="https://cdn.example/cat.png"' in render_markdown(
        "![cat](https://cdn.example/cat.png)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "[Maison Brio refunds](https://evil.example/refund)",
        "![logo](https://evil.example/pixel.png)",
        "@ana <b>bold</b> &amp; &#x41; `code` *em* _em_ ~~s~~ \\ back",
        "# Heading",
        "1. listed",
        "- item",
        "www.evil.example http://localhost <https://evil.example> ana@evil.example",
        "> quoted\n\n    indented",
    ],
)
def test_escape_markdown_renders_as_the_text_itself(text):
    html = render_markdown(escape_markdown(text), mentions={"ana"})

    assert "<a" not in html
    assert "<img" not in html
    assert plain_text(html) == " ".join(text.split())
