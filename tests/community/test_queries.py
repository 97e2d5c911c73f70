"""Pages cost a constant number of SQL queries, whatever the number of rows (promise 6).

Each test loads a page once to warm per-process caches, counts its queries with
one row, adds 49 rows and counts again. On a mismatch the failure shows both
lists of SQL and their difference.
"""

import difflib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.images import clean_upload
from community import services
from community.models import HelpfulVote, Notification, Reply, Thread
from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)
from tests.helpers import caches_cold
from tests.images import upload

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "member", "moderator"]


@pytest.fixture
def viewer(request) -> Client:
    """A client for the role named by indirect parametrisation."""
    client = Client()
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    return client


def queries(client, path, *, cold=True) -> tuple[list[str], str]:
    """The SQL of one request to `path`; by default rendered from cold cached counts
    and pages (as after any write), so that what is measured is the page's own work."""
    if cold:
        caches_cold()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return [query["sql"] for query in context.captured_queries], response.content.decode()


def _shape(sql: str) -> str:
    """The query with its literal values blanked, so a diff shows structure, not ids."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def assert_same_queries(with_one: list[str], with_fifty: list[str], label: str) -> None:
    if len(with_one) == len(with_fifty):
        return
    diff = "\n".join(
        difflib.unified_diff(
            [_shape(sql) for sql in with_one],
            [_shape(sql) for sql in with_fifty],
            "1 row",
            "50 rows",
            lineterm="",
        )
    )
    listing = "\n".join(f"{number:3}. {sql}" for number, sql in enumerate(with_fifty, 1))
    pytest.fail(
        f"{label}: {len(with_one)} queries with 1 row but {len(with_fifty)} with 50.\n"
        f"Difference (literals blanked):\n{diff}\n\nQueries with 50 rows:\n{listing}",
        pytrace=False,
    )


def measure(client, paths, add_rows, *, expect_rows=None):
    """Count the queries of each path with one row, then after add_rows() with fifty."""
    for path in paths:
        queries(client, path)  # warm caches (content types, site root, translations)
    # Each measure starts from cold cached counts (community.cache), the costlier
    # case; rows written outside a request move the version on themselves, as
    # management commands do.
    caches_cold()
    with_one = {path: queries(client, path)[0] for path in paths}
    add_rows()
    caches_cold()
    contents = {}
    for path in paths:
        with_fifty, contents[path] = queries(client, path)
        if expect_rows is not None:
            assert expect_rows(contents[path]), f"{path} does not show the rows it should"
        assert_same_queries(with_one[path], with_fifty, path)
    return contents


def listed_count(content: str) -> int:
    return content.count('<li class="thread-row">')


# Thread lists -----------------------------------------------------------------------------

STATUS_KINDS = {
    "": ["unanswered", "peer", "official", "solved"],
    "unanswered": ["unanswered"],
    "awaiting-official": ["peer", "solved"],
    "solved": ["solved", "solved-official"],
}


def make_listed_thread(number: int, *, kind: str, category, authors, staff) -> Thread:
    """A thread in the state `kind`, with tags, authors of both kinds and counters set."""
    thread = ThreadFactory(
        category=category, author=authors[number % len(authors)], me_too_count=number % 5 + 1
    )
    thread.tags.add("espresso", f"tag-{number % 7}")
    if kind == "unanswered":
        return thread
    official = kind in {"official", "solved-official"}
    reply = ReplyFactory(
        thread=thread, author=staff if official else authors[(number + 1) % len(authors)]
    )
    changes = {"reply_count": 1, "last_activity_at": timezone.now()}
    if official:
        Reply.objects.filter(pk=reply.pk).update(is_official=True)
        changes["first_official_reply_at"] = timezone.now()
    if kind.startswith("solved"):
        changes.update(solution=reply, solution_marked_by=thread.author, solved_at=timezone.now())
    Thread.objects.filter(pk=thread.pk).update(**changes)
    return thread


def _list_builder(status: str):
    category = CategoryFactory(slug="coffee")
    # Authors with an uploaded avatar and without (their initial): both read from the
    # author row the list already loads.
    authors = [
        UserFactory(avatar="avatars/1/picture.png"),
        ModeratorFactory(),
        UserFactory(is_superuser=True),
        UserFactory(),
    ]
    staff = ModeratorFactory()
    kinds = STATUS_KINDS[status]

    def add(first: int, count: int):
        for number in range(first, first + count):
            make_listed_thread(
                number,
                kind=kinds[number % len(kinds)],
                category=category,
                authors=authors,
                staff=staff,
            )

    return category, add


@pytest.mark.parametrize("viewer", ["anonymous", "member"], indirect=True)
@pytest.mark.parametrize("status", list(STATUS_KINDS))
def test_thread_list_queries_are_constant_for_every_status_and_sort(viewer, status):
    _category, add = _list_builder(status)
    add(0, 1)
    query = f"status={status}&" if status else ""
    paths = [f"/community/?{query}sort={sort}" for sort in ("activity", "newest", "votes")]

    measure(viewer, paths, lambda: add(1, 49), expect_rows=lambda html: listed_count(html) == 30)


@pytest.mark.parametrize("viewer", VIEWERS, indirect=True)
@pytest.mark.parametrize(
    "path",
    [
        "/community/c/coffee/",
        "/community/c/coffee/?status=awaiting-official&sort=votes",
        "/community/?tag=espresso",
        "/community/?tag=espresso&status=solved&sort=newest",
    ],
)
def test_category_and_tag_list_queries_are_constant(viewer, path):
    _category, add = _list_builder("")
    other = CategoryFactory(slug="orders")
    ThreadFactory(category=other).tags.add("parcel")  # not listed on these pages
    add(0, 1)
    if "solved" in path or "awaiting" in path:
        add(3, 1)  # the one-row page must show a row that passes the filter too

    measure(viewer, [path], lambda: add(4, 60), expect_rows=lambda html: listed_count(html) > 1)


@pytest.mark.parametrize("viewer", ["anonymous", "member"], indirect=True)
@pytest.mark.parametrize(
    "path",
    [
        "/community/?language=all",
        "/community/?language=fr&sort=votes",
        "/community/c/coffee/?language=all&status=solved&sort=newest",
    ],
)
def test_list_queries_are_constant_in_one_language_and_in_all(viewer, path):
    _category, add = _list_builder("")

    def add_bilingual(first: int, count: int):
        add(first, count)
        # Every other thread French: both groups of "all languages" grow.
        newest = Thread.objects.order_by("-pk").values_list("pk", flat=True)[:count]
        Thread.objects.filter(pk__in=list(newest)[::2]).update(language="fr")

    add_bilingual(0, 1)
    add(3, 1)  # a solved one
    Thread.objects.update(language="fr")

    measure(
        viewer,
        [path],
        lambda: add_bilingual(4, 60),
        expect_rows=lambda html: listed_count(html) > 1,
    )


# The thread page ----------------------------------------------------------------------------


@pytest.fixture
def busy_thread(member, other_member):
    """A thread asked by other_member; one reply that is the accepted solution, recommended,
    and marked helpful by `member`. add_replies() brings it to 50 replies."""
    moderator = ModeratorFactory()
    photo = clean_upload(upload(), max_bytes=10**6, max_pixels=10**6)
    thread = services.thread_create(
        author=other_member,
        category=CategoryFactory(),
        title="The coffee machine shows error E42",
        body="Since the last update.",
        tags=["error", "firmware"],
        images=[photo, photo],
    )
    services.thread_set_me_too(user=member, thread=thread, me_too=True)
    first = services.reply_create(author=UserFactory(), thread=thread, body="Reset it.")
    services.reply_set_helpful(user=member, reply=first, helpful=True)
    services.reply_set_recommended(moderator=moderator, reply=first, recommended=True)
    services.thread_accept_reply(user=other_member, thread=thread, reply=first)
    voters = [UserFactory() for _ in range(3)]

    def add_replies():
        for number in range(49):
            if number % 10 == 0:
                author = member  # the viewer's own replies: editable, not votable
            elif number % 7 == 0:
                author = ModeratorFactory()  # official replies from different staff
            else:
                author = UserFactory()
            # Some replies carry images, shown as thumbnails (one query for them all).
            images = [photo] * (number % 3)
            reply = services.reply_create(
                author=author, thread=thread, body=f"Idea {number}", images=images
            )
            if number % 3 == 0 and author != member:
                services.reply_set_helpful(user=member, reply=reply, helpful=True)
            for voter in voters[: number % 4]:
                services.reply_set_helpful(user=voter, reply=reply, helpful=True)
            if number % 5 == 0 and not reply.is_official:
                services.reply_set_recommended(moderator=moderator, reply=reply, recommended=True)
            if number % 6 == 0:
                services.reply_edit(editor=author, reply=reply, body=f"Idea {number}, edited")

    return thread, add_replies


@pytest.mark.parametrize("viewer", [*VIEWERS, "other_member"], indirect=True)
def test_thread_page_queries_are_constant_for_1_and_50_replies(viewer, busy_thread):
    thread, add_replies = busy_thread

    measure(
        viewer,
        [thread.get_absolute_url()],
        add_replies,
        expect_rows=lambda html: (
            len(re.findall(r'id="reply-\d+"', html)) == 50
            and "post--official" in html
            and html.count('data-testid="attachment-link"') > 40
        ),
    )
    assert Reply.objects.filter(thread=thread).count() == 50
    assert Reply.objects.filter(thread=thread, recommended_at__isnull=False).count() > 5
    assert HelpfulVote.objects.filter(reply__thread=thread).count() > 50


# Notifications -------------------------------------------------------------------------------


def test_notification_list_queries_are_constant_for_1_and_50(member, member_client):
    threads = [ThreadFactory() for _ in range(5)]
    kinds = list(Notification.Kind)

    def notify(number: int):
        thread = threads[number % len(threads)]
        reply = ReplyFactory(thread=thread) if number % 4 else None
        Notification.objects.create(
            recipient=member,
            kind=kinds[number % len(kinds)],
            actor=UserFactory() if number % 9 else None,
            thread=thread,
            reply=reply,
            read_at=timezone.now() if number % 3 == 0 else None,
        )

    notify(1)

    contents = measure(
        member_client,
        ["/community/notifications/", "/community/notifications/?page=2", "/community/"],
        lambda: [notify(number) for number in range(2, 51)],
    )

    assert contents["/community/notifications/"].count('<li class="notification') == 30
    assert contents["/community/notifications/?page=2"].count('<li class="notification') == 20


# Profiles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "member"], indirect=True)
def test_profile_queries_are_constant_for_1_and_50_threads_and_replies(viewer, member):
    category = CategoryFactory()
    moderator = ModeratorFactory()
    asker = UserFactory()

    def add(first: int, count: int):
        for number in range(first, first + count):
            own = ThreadFactory(author=member, category=category)
            own.tags.add(f"tag-{number % 4}")
            elsewhere = ThreadFactory(author=asker, category=category)
            reply = services.reply_create(author=member, thread=elsewhere, body=f"Answer {number}")
            if number % 3 == 0:
                services.thread_accept_reply(user=asker, thread=elsewhere, reply=reply)
            if number % 4 == 0:
                services.reply_set_recommended(moderator=moderator, reply=reply, recommended=True)

    add(0, 1)

    measure(
        viewer,
        [f"/u/{member.username}/"],
        lambda: add(1, 49),
        expect_rows=lambda html: "<strong>50</strong> questions" in html,
    )


# Cached counts -----------------------------------------------------------------------


def test_list_counts_come_from_the_cache_until_the_next_write(client, member_client):
    from django.urls import reverse

    category = CategoryFactory(slug="grinders", name="Grinders")
    ThreadFactory.create_batch(3, category=category)
    # A member's page is rendered for them each time; only the counts are cached.
    first, _html = queries(member_client, "/community/")
    again, html_again = queries(member_client, "/community/", cold=False)

    assert len(again) < len(first)
    # Counted once: only the member's own unread notifications are counted again.
    assert not any("COUNT(" in sql and 'FROM "community_thread"' in sql for sql in again)
    assert 'Grinders</a> <span class="muted small">(3)</span>' in html_again

    # A member's post moves the content version on: they see it counted at once.
    response = member_client.post(
        reverse("community:ask"),
        {
            "title": "A brand new question about grinders",
            "category": category.pk,
            "body": "It makes a loud noise.",
            "tags": "",
        },
    )
    assert response.status_code == 302
    html_after = member_client.get("/community/").content.decode()
    assert 'Grinders</a> <span class="muted small">(4)</span>' in html_after
    assert "A brand new question about grinders" in html_after
