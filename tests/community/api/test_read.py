"""Reading through the API: what the pages show, no more; lists by cursor pages in
a fixed number of queries; one error shape."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services
from moderation import services as moderation_services
from tests.community.api.conftest import authed
from tests.factories import CategoryFactory, ReplyFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_lists_visible_threads_with_their_public_fields(api, thread, moderator):
    hidden = services.thread_create(
        author=UserFactory(), category=thread.category, title="Spam here", body="Buy now."
    )
    moderation_services.thread_hide(moderator=moderator, thread=hidden, reason="Spam.")

    response = api.get("/api/v1/threads/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [thread.pk]
    row = rows[0]
    assert row["title"] == thread.title
    assert row["url"].endswith(thread.get_absolute_url())
    assert row["category"] == thread.category.slug
    assert row["has_official_reply"] is False
    assert "email" not in str(response.json())


def test_the_lists_filters_and_sorts_are_the_sites(api, category):
    other = CategoryFactory(slug="blenders", name="Blenders")
    asker = UserFactory()
    first = services.thread_create(author=asker, category=category, title="Old one", body="x" * 20)
    second = services.thread_create(
        author=asker, category=other, title="Blender noise", body="y" * 20, tags=["noise"]
    )
    ReplyFactory(thread=first)

    def ids(query):
        response = api.get(f"/api/v1/threads/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("category=blenders") == [second.pk]
    assert ids("tag=noise") == [second.pk]
    assert ids("status=awaiting-official") == [second.pk, first.pk]
    assert ids("sort=newest") == [second.pk, first.pk]
    assert api.get("/api/v1/threads/?category=nothing").status_code == 404
    refused = api.get("/api/v1/threads/?status=everything").json()
    assert refused["error"]["code"] == "invalid" and "status" in refused["error"]["fields"]


def test_cursor_pages_walk_every_thread_once(api, category):
    asker = UserFactory()
    made = [
        ThreadFactory(category=category, author=asker, title=f"Question number {n}")
        for n in range(7)
    ]
    seen, url = [], "/api/v1/threads/?page_size=3&sort=newest"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(thread.pk for thread in made)
    assert len(seen) == len(set(seen))


def test_one_thread_marks_the_solution_the_official_and_the_recommended_replies(
    api, thread, moderator, asker
):
    peer = services.reply_create(author=UserFactory(), thread=thread, body="Try the descaler.")
    official = services.reply_create(author=moderator, thread=thread, body="Official answer.")
    services.reply_set_recommended(moderator=moderator, reply=peer, recommended=True)
    services.thread_accept_reply(user=asker, thread=thread, reply=peer)

    body = api.get(f"/api/v1/threads/{thread.pk}/").json()

    assert body["solution"]["id"] == peer.pk and body["solution"]["is_solution"] is True
    featured = {reply["id"]: reply for reply in body["featured_replies"]}
    assert featured[peer.pk]["is_recommended"] is True
    assert featured[official.pk]["is_official"] is True
    assert body["has_official_reply"] is True and body["is_solved"] is True
    replies = api.get(body["replies_url"]).json()["results"]
    assert [reply["id"] for reply in replies] == [peer.pk, official.pk]


def test_user_html_comes_out_sanitized(api, category):
    thread = ThreadFactory(
        category=category,
        body_html='<p>hi</p><script>alert(1)</script><a href="x" onclick="y">l</a>',
    )
    body = api.get(f"/api/v1/threads/{thread.pk}/").json()
    assert "<script" not in body["body_html"] and "onclick" not in body["body_html"]


def test_hidden_and_pending_threads_are_read_by_their_author_and_staff_only(
    thread, moderator, asker
):
    moderation_services.thread_hide(moderator=moderator, thread=thread, reason="Off topic.")
    url = f"/api/v1/threads/{thread.pk}/"

    assert authed(UserFactory(), "read").get(url).status_code == 404
    assert authed(asker, "read").get(url).json()["visibility"] == "hidden"
    assert authed(moderator, "moderate").get(url).status_code == 200
    # A moderator's token that does not moderate reads what the public reads.
    assert authed(moderator, "read").get(url).status_code == 404


def test_categories_search_help_and_profiles(
    api, asker, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_create(
            author=asker, category=category, title="The espresso machine leaks", body="Water."
        )
    categories = api.get("/api/v1/categories/").json()
    assert {row["slug"]: row["thread_count"] for row in categories}[category.slug] == 1

    found = api.get("/api/v1/search/?q=espresso").json()
    assert [row["id"] for row in found["results"]] == [thread.pk]
    assert api.get("/api/v1/search/").json()["error"]["fields"]["q"]

    profile = api.get(f"/api/v1/members/{thread.author.username}/").json()
    assert profile["thread_count"] == 1 and "email" not in profile
    assert api.get("/api/v1/members/nobody-by-that-name/").status_code == 404
    assert api.get("/api/v1/help-articles/").status_code == 200


def test_errors_have_one_shape(api):
    for url, status in [("/api/v1/threads/999999/", 404), ("/api/v1/no-such-thing/", 404)]:
        response = api.get(url)
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert error["status"] == status and error["code"] == "not_found" and error["message"]
    refused = api.post("/api/v1/threads/", {"title": "x"}, format="json")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    assert refused["WWW-Authenticate"].startswith("Bearer")
    # A NUL byte is turned away before any view, in the API's shape too (the site's
    # pages answer their HTML 400 page).
    nul = api.get("/api/v1/search/?q=a%00b")
    assert nul.status_code == 400 and nul.json()["error"]["code"] == "bad_address"


def test_the_lists_and_a_thread_cost_the_same_queries_at_1_and_at_50_rows(api, category, moderator):
    asker = UserFactory()

    def add(count):
        for _ in range(count):
            thread = ThreadFactory(category=category, author=UserFactory())
            thread.tags.add("kettle")
            ReplyFactory(thread=first, author=UserFactory())

    def counts():
        measured = []
        for url in [
            "/api/v1/threads/?page_size=50",
            f"/api/v1/threads/{first.pk}/replies/?page_size=50",
            f"/api/v1/threads/{first.pk}/",
        ]:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url).status_code == 200
            measured.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/api/v1/queue/").status_code == 200
        measured.append(len(queries))
        return measured

    staff = authed(moderator, "moderate")
    first = ThreadFactory(category=category, author=asker)
    add(0)
    ReplyFactory(thread=first, author=UserFactory())
    counts()  # the token's first use and the roles are read once, then kept
    at_one = counts()
    add(49)
    assert counts() == at_one


def test_the_admins_own_rest_views_keep_the_session(client, editor, thread):
    """Wagtail's admin (its page explorer and choosers) and wagtail-localize's
    translation editor are REST framework views too, signed in with the session:
    the API's credentials-only rules are its own, not REST framework's defaults."""
    client.force_login(editor)

    response = client.get("/admin/api/main/pages/")

    assert response.status_code == 200
    assert "items" in response.json()


def test_the_documentation_page_lists_every_operation_in_the_readers_language(client):
    english = client.get("/api/v1/docs/").content.decode()
    french = client.get("/api/v1/docs/", headers={"accept-language": "fr"}).content.decode()

    for text in (english, french):
        assert "POST /api/v1/threads/{id}/replies/" in text
        assert "GET /api/v1/queue/" in text
    assert "Reply to a thread" in english
    assert "Répondre à une discussion" in french and "Reply to a thread" not in french
