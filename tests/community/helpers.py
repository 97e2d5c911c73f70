"""Plain helpers of the community tests: the people and posts of the permission
tests, and reading the pages the views answer with."""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.test import Client

from community.models import Follow, HelpfulVote, MeToo, Notification, Reply, Revision, Thread

LOGIN_PREFIX = "/accounts/login/?next="
ROLES = ["visitor", "author", "other_member", "moderator", "editor", "superuser", "inactive"]
SIGNED_OUT = {"visitor", "inactive"}  # a deactivated account's session is anonymous


@dataclass
class Scene:
    """The people of the table and the posts they act on.

    thread: asked by "author", with a peer's reply (thread_reply) and an official one.
    reply: written by "author" on a thread somebody else asked.
    locked_thread: asked by "author", locked.
    quiet_thread: asked by somebody else, nobody follows it.
    """

    people: dict
    thread: Thread
    thread_reply: Reply
    official_reply: Reply
    reply: Reply
    locked_thread: Thread
    quiet_thread: Thread
    category_pk: int = field(default=0)

    def user(self, role):
        return AnonymousUser() if role == "visitor" else self.people[role]

    def client(self, role) -> Client:
        client = Client()
        if role != "visitor":
            client.force_login(self.people[role])
        return client


def database_state() -> dict:
    """Every row an action could touch, to prove that a denied request touched none."""
    return {
        "threads": list(
            Thread.objects.order_by("pk").values_list(
                "pk", "title", "body", "reply_count", "me_too_count", "solution_id", "edited_at"
            )
        ),
        "replies": list(
            Reply.objects.order_by("pk").values_list(
                "pk", "body", "helpful_count", "recommended_by_id", "edited_at", "is_official"
            )
        ),
        "helpful": list(HelpfulVote.objects.order_by("pk").values_list("reply_id", "user_id")),
        "me_too": list(MeToo.objects.order_by("pk").values_list("thread_id", "user_id")),
        "follows": list(Follow.objects.order_by("pk").values_list("thread_id", "user_id")),
        "revisions": Revision.objects.count(),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    }


# Pages ----------------------------------------------------------------------------------

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
