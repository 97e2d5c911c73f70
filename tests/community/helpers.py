"""Plain helpers of the community tests: reading the pages the views answer with."""

import re

from community.models import Reply

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def reply_article(content: str, reply: Reply) -> str:
    """The reply's <article> in the conversation (not its featured copy)."""
    match = re.search(
        rf'<article[^>]*id="reply-{reply.pk}"[^>]*>.*?</article>', content, flags=re.DOTALL
    )
    assert match, f"reply {reply.pk} is not on the page"
    return match.group(0)


def featured_section(content: str) -> str:
    """What the page shows between the question and "All replies" ("" when nothing)."""
    start = content.find('id="featured-heading"')
    if start == -1:
        return ""
    end = content.find('id="replies-heading"')
    assert start < end, "the featured replies come before all replies"
    return content[start:end]


def listed_titles(content: str) -> list[str]:
    return re.findall(r'class="thread-row__title"><a href="[^"]+">([^<]+)</a>', content)


def list_row(content: str, title: str) -> str:
    """The row of the thread list that shows `title`."""
    rows = [row for row in content.split('<li class="thread-row">')[1:] if f">{title}</a>" in row]
    assert len(rows) == 1, f"{title!r} is listed {len(rows)} times"
    return rows[0]


def unread_badge(content: str) -> str | None:
    match = re.search(r'data-testid="unread-count">(\d+)<', content)
    return match.group(1) if match else None
