"""Hidden posts: every action on a hidden thread or reply is a 404 and changes no
row; the hidden thread's page stays readable by its author (who reads the
moderator's reason) and by moderators."""

import pytest
from django.test import Client

from community import services
from community.models import Notification, Reply, Thread, Visibility
from tests.community.helpers import database_state
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


HIDDEN_ENDPOINTS = [
    ("get", "/community/t/{thread}/{slug}/", {}, True),
    ("get", "/community/t/{thread}/", {}, True),
    ("post", "/community/t/{thread}/reply/", {"body": "Me too"}, True),
    ("get", "/community/t/{thread}/edit/", {}, False),
    (
        "post",
        "/community/t/{thread}/edit/",
        {"title": "A brand new title here", "body": "x"},
        False,
    ),
    ("get", "/community/t/{thread}/history/", {}, False),
    ("post", "/community/t/{thread}/me-too/", {"value": "on"}, True),
    ("post", "/community/t/{thread}/follow/", {"value": "on"}, True),
    ("post", "/community/t/{thread}/accept/", {"reply": "{reply}"}, True),
    ("get", "/community/r/{reply}/", {}, True),
    ("get", "/community/r/{reply}/edit/", {}, False),
    ("post", "/community/r/{reply}/edit/", {"body": "Edited"}, False),
    ("get", "/community/r/{reply}/history/", {}, False),
    ("post", "/community/r/{reply}/helpful/", {"value": "on"}, True),
    ("post", "/community/r/{reply}/recommend/", {"value": "on"}, True),
]


@pytest.fixture
def hidden(member, other_member):
    """A thread asked by `member`, answered by `other_member`, then hidden by staff."""
    thread = services.thread_create(
        author=member, category=CategoryFactory(), title="A rude question, hidden", body="Rude."
    )
    reply = services.reply_create(author=other_member, thread=thread, body="A rude answer.")
    Thread.objects.filter(pk=thread.pk).update(visibility=Visibility.HIDDEN)
    return thread, reply


def _hidden_request(client, hidden, method, path, data):
    thread, reply = hidden
    path = path.format(thread=thread.pk, slug=thread.slug, reply=reply.pk)
    data = {key: value.format(reply=reply.pk) for key, value in data.items()}
    return getattr(client, method)(path, data)


@pytest.mark.parametrize("role", ["member", "other_member", "moderator", "editor", "superuser"])
@pytest.mark.parametrize(("method", "path", "data", "public"), HIDDEN_ENDPOINTS)
def test_hidden_thread_is_404_but_its_page_stays_readable_by_author_and_staff(
    request, hidden, role, method, path, data, public
):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    before = database_state()

    response = _hidden_request(client, hidden, method, path, data)

    reads_hidden_page = role in {"member", "moderator", "superuser"}  # the asker, or staff
    if method == "get" and path == "/community/t/{thread}/{slug}/" and reads_hidden_page:
        assert response.status_code == 200
        assert "Hidden by a moderator" in response.content.decode()
        # Reading a thread marks the reader's own notifications about it read; nothing else.
        reader = request.getfixturevalue(role)
        read_now = set(
            Notification.objects.filter(recipient=reader, read_at__isnull=False).values_list(
                "pk", flat=True
            )
        )
        before["notifications"] = [
            (pk, read_at) for pk, read_at in before["notifications"] if pk not in read_now
        ]
        after = database_state()
        after["notifications"] = [
            (pk, read_at) for pk, read_at in after["notifications"] if pk not in read_now
        ]
        assert after == before
        return
    elif method == "get" and path == "/community/t/{thread}/" and reads_hidden_page:
        assert response.status_code == 301
    elif path.endswith("/recommend/") and role not in {"moderator", "superuser"}:
        # Recommending is for staff, checked before the reply is read: the same 403
        # whether it is visible, hidden or missing (no existence oracle).
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [(method, path, data) for method, path, data, public in HIDDEN_ENDPOINTS if public],
)
def test_hidden_thread_is_404_for_visitors(client, hidden, method, path, data):
    before = database_state()

    response = _hidden_request(client, hidden, method, path, data)

    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/community/r/{reply}/", {}),
        ("get", "/community/r/{reply}/edit/", {}),
        ("get", "/community/r/{reply}/history/", {}),
        ("post", "/community/r/{reply}/helpful/", {"value": "on"}),
        ("post", "/community/r/{reply}/recommend/", {"value": "on"}),
        ("post", "/community/t/{thread}/accept/", {"reply": "{reply}"}),
    ],
)
@pytest.mark.parametrize("role", ["member", "moderator"])
def test_hidden_reply_in_a_visible_thread_is_404(request, scene, role, method, path, data):
    """`member` wrote scene.reply and asked scene.thread; both replies are hidden here."""
    Reply.objects.filter(pk__in=[scene.reply.pk, scene.thread_reply.pk]).update(
        visibility=Visibility.HIDDEN
    )
    target = scene.thread_reply if "accept" in path else scene.reply
    client = Client()
    client.force_login(request.getfixturevalue(role))
    before = database_state()

    response = getattr(client, method)(
        path.format(thread=scene.thread.pk, reply=target.pk),
        {key: value.format(reply=target.pk) for key, value in data.items()},
    )

    # Recommending is staff's, refused before the reply is read (see above).
    refused_before_reading = role == "member" and path.endswith("/recommend/")
    assert response.status_code == (403 if refused_before_reading else 404)
    assert database_state() == before


def test_accepting_a_reply_of_another_thread_is_refused(scene):
    before = database_state()

    response = scene.client("author").post(
        f"/community/t/{scene.thread.pk}/accept/", {"reply": scene.reply.pk}
    )

    assert response.status_code == 404
    assert database_state() == before
