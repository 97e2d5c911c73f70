"""Plain helpers that test modules of several folders share (fixtures live in conftest.py)."""

import html
import re

from django.test import Client
from wagtail.models import ModelLogEntry

from moderation import selectors

LOGIN_URL = "/accounts/login/"

# Who may open a moderators' page: (role fixture, status code).
MODERATORS_ONLY = [("member", 403), ("editor", 403), ("moderator", 200), ("superuser", 200)]


def client_for(user) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def assert_asks_to_sign_in(response, then: str = "") -> None:
    """A visitor's answer: a redirect to the sign-in page, which comes back to `then`."""
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next={then}" if then else LOGIN_URL)


def in_queue(thread) -> bool:
    """Whether `thread` waits in the official-reply queue."""
    return selectors.awaiting_official_reply().filter(pk=thread.pk).exists()


def logged(obj) -> list[tuple[str, int, dict]]:
    """(action, user id, data) of each log entry about `obj`, oldest first."""
    entries = ModelLogEntry.objects.filter(
        content_type__model=obj._meta.model_name, object_id=str(obj.pk)
    ).order_by("timestamp", "pk")
    return [(entry.action, entry.user_id, entry.data) for entry in entries]


_QUEUE_TITLE = re.compile(r'<a class="queue-table__title" href="[^"]*" lang="[^"]*">([^<]*)</a>')


def queue_titles_shown(response) -> list[str]:
    """The titles of the threads a queue page lists, in order, as the page writes them."""
    assert response.status_code == 200
    return [html.unescape(title) for title in _QUEUE_TITLE.findall(response.content.decode())]


def caches_cold() -> None:
    """As after a write and a change of roles: what pages keep between requests (counts,
    fragments, the site settings, every member's roles) is read again, the costlier
    case a query count is measured in."""
    from accounts.roles import roles_changed
    from community.cache import content_changed

    content_changed()
    roles_changed()
