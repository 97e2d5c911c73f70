"""Acting in the community through its URLs: asking, replying, editing, marks,
solutions, recommendations, notifications, list filters and profiles, on the
plain POST path and on the htmx path."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from community import services
from community.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Follow,
    HelpfulVote,
    MeToo,
    Notification,
    Reply,
    Revision,
    Thread,
    Visibility,
)
from tests.factories import (
    CategoryFactory,
    EditorFactory,
    ModeratorFactory,
    ReplyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def category():
    return CategoryFactory(name="Coffee machines", slug="coffee")


@pytest.fixture
def thread(member, category) -> Thread:
    """A question asked by `member` through the service (so the asker follows and counts)."""
    return services.thread_create(
        author=member,
        category=category,
        title="The espresso machine leaks water",
        body="Water under the machine every morning.",
    )


@pytest.fixture
def peer_reply(thread, other_member) -> Reply:
    return services.reply_create(author=other_member, thread=thread, body="Check the drip tray.")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


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


# Asking ---------------------------------------------------------------------------------


def test_ask_as_visitor_redirects_to_login_and_back(client):
    response = client.get("/community/ask/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/community/ask/"


def test_ask_posts_the_question_and_the_asker_follows_and_counts_first(
    member, member_client, category
):
    response = member_client.post(
        "/community/ask/",
        {
            "title": "The grinder makes a loud noise",
            "body": "Since **yesterday**.",
            "category": category.pk,
            "tags": "Grinder, Noise",
        },
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert thread.author == member
    assert "<strong>yesterday</strong>" in thread.body_html
    assert sorted(thread.tags.names()) == ["grinder", "noise"]
    assert Follow.objects.filter(thread=thread, user=member).exists()
    assert list(MeToo.objects.filter(thread=thread).values_list("user_id", flat=True)) == [
        member.pk
    ]
    assert thread.me_too_count == 1

    content = page(member_client, response["Location"])
    assert "Your question is posted" in content
    assert "1 member has this problem" in content
    assert 'aria-pressed="true"' in content  # "Following"
    assert "Following" in content


VALID_ASK = {
    "title": "The frother does not heat the milk",
    "body": "It stays cold.",
    "tags": "frother, milk",
}


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("title", {"title": "Too short"}),
        ("title", {"title": "T" * (TITLE_MAX_LENGTH + 1)}),
        ("body", {"body": ""}),
        ("body", {"body": "   \n  "}),
        ("body", {"body": "b" * (BODY_MAX_LENGTH + 1)}),
        ("tags", {"tags": "one, two, three, four, five, six"}),
        ("category", {"category": ""}),
    ],
    ids=["short-title", "long-title", "empty-body", "blank-body", "long-body", "6-tags", "no-cat"],
)
def test_ask_invalid_shows_the_error_and_keeps_everything_typed(
    member_client, category, field, change
):
    data = {**VALID_ASK, "category": category.pk, **change}

    response = member_client.post("/community/ask/", data)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    assert content.count('class="field__errors"') == 1  # only the field that is wrong
    assert f'value="{data["title"]}"' in content
    assert f"{data['body']}</textarea>" in content
    assert f'value="{data["tags"]}"' in content
    if data["category"]:
        assert f'<option value="{category.pk}" selected>' in content
    assert not Thread.objects.exists()


def test_ask_preview_renders_the_markdown_and_keeps_the_text(member_client, category):
    data = {**VALID_ASK, "body": "It is **very** cold.", "category": category.pk, "preview": "1"}

    response = member_client.post("/community/ask/", data)

    content = response.content.decode()
    assert response.status_code == 200
    assert '<div id="preview"' in content
    assert "<strong>very</strong>" in content
    assert "It is **very** cold.</textarea>" in content
    assert f'value="{VALID_ASK["title"]}"' in content
    assert not Thread.objects.exists()


def test_preview_endpoint_returns_the_sanitized_fragment(member_client):
    response = member_client.post(
        "/community/preview/",
        {"body": "**bold** <script>alert(1)</script> [site](https://example.com)"},
        **HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.startswith('<div id="preview"')
    assert "<html" not in content
    assert "<strong>bold</strong>" in content
    assert "<script" not in content
    assert 'rel="nofollow ugc noopener"' in content


def test_preview_endpoint_is_for_members(client):
    response = client.post("/community/preview/", {"body": "hi"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_ask_tags_are_lower_cased_and_normalised(member_client, category):
    response = member_client.post(
        "/community/ask/",
        {**VALID_ASK, "category": category.pk, "tags": "WiFi, wifi , Wi-Fi,  Espresso  Machine"},
    )

    assert response.status_code == 302
    thread = Thread.objects.get()
    # "WiFi" and "wifi " are one tag; "Wi-Fi" has another slug, so normalize_tags keeps it.
    assert services.normalize_tags("WiFi, wifi , Wi-Fi") == ["wifi", "wi-fi"]
    assert sorted(thread.tags.names()) == ["espresso machine", "wi-fi", "wifi"]


def test_ask_reuses_an_existing_tag_whatever_its_case(member_client, category):
    from taggit.models import Tag

    Tag.objects.create(name="WiFi", slug="wifi")

    member_client.post("/community/ask/", {**VALID_ASK, "category": category.pk, "tags": "wifi"})

    assert Tag.objects.filter(slug="wifi").count() == 1
    assert [tag.slug for tag in Thread.objects.get().tags.all()] == ["wifi"]


# Replying -------------------------------------------------------------------------------


def test_reply_redirects_to_its_permalink_which_points_at_the_anchor(thread, other_member):
    client = client_for(other_member)

    response = client.post(f"/community/t/{thread.pk}/reply/", {"body": "Did you descale it?"})

    reply = Reply.objects.get(thread=thread)
    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{reply.pk}/"
    permalink = client.get(response["Location"])
    assert permalink.status_code == 302
    assert permalink["Location"] == f"{thread.get_absolute_url()}#reply-{reply.pk}"
    assert f'id="reply-{reply.pk}"' in page(client, thread.get_absolute_url())
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert Follow.objects.filter(thread=thread, user=other_member).exists()


def test_the_51st_reply_permalink_goes_to_page_two(thread, member, other_member):
    ReplyFactory.create_batch(50, thread=thread, author=member)
    client = client_for(other_member)

    client.post(f"/community/t/{thread.pk}/reply/", {"body": "Number fifty-one."})

    reply = Reply.objects.get(author=other_member)
    permalink = client.get(f"/community/r/{reply.pk}/")
    assert permalink["Location"] == f"{thread.get_absolute_url()}?page=2#reply-{reply.pk}"
    assert f'id="reply-{reply.pk}"' in page(client, permalink["Location"])
    assert f'id="reply-{reply.pk}"' not in page(client, thread.get_absolute_url())


def test_invalid_reply_comes_back_with_the_error_and_creates_nothing(thread, other_member):
    response = client_for(other_member).post(f"/community/t/{thread.pk}/reply/", {"body": "  "})

    assert response.status_code == 200
    assert 'id="id_body_error"' in response.content.decode()
    assert not Reply.objects.exists()


def test_reply_preview_keeps_the_text_and_posts_nothing(thread, other_member):
    response = client_for(other_member).post(
        f"/community/t/{thread.pk}/reply/", {"body": "Try *this*.", "preview": "1"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<em>this</em>" in content
    assert "Try *this*.</textarea>" in content
    assert not Reply.objects.exists()


def test_locked_thread_refuses_member_replies_with_a_clear_message(thread, other_member):
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    client = client_for(other_member)

    content = page(client, thread.get_absolute_url())
    response = client.post(f"/community/t/{thread.pk}/reply/", {"body": "Still broken."})

    assert "This thread is locked: it no longer takes replies." in content
    assert f'action="/community/t/{thread.pk}/reply/"' not in content
    assert response.status_code == 403
    assert "This thread is locked: it no longer takes replies." in response.content.decode()
    assert not Reply.objects.exists()


def test_moderator_can_still_reply_to_a_locked_thread(thread, moderator_client):
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)

    content = page(moderator_client, thread.get_absolute_url())
    response = moderator_client.post(f"/community/t/{thread.pk}/reply/", {"body": "Reopened."})

    assert "as a moderator you can still reply" in content
    assert response.status_code == 302
    assert Reply.objects.get().is_official is True


def test_official_reply_has_the_brand_banner_and_no_other_reply_does(
    thread, moderator_client, other_member
):
    moderator_client.post(f"/community/t/{thread.pk}/reply/", {"body": "We are on it."})
    client_for(other_member).post(
        f"/community/t/{thread.pk}/reply/",
        {"body": '<div class="official-banner post--official">Official reply</div> trust me'},
    )
    client_for(EditorFactory()).post(f"/community/t/{thread.pk}/reply/", {"body": "Editor."})
    official, peer, editor_reply = Reply.objects.order_by("pk")

    content = page(Client(), thread.get_absolute_url())

    banner = f"Official reply · {settings.WAGTAIL_SITE_NAME}"
    assert banner in reply_article(content, official)
    assert "post--official" in reply_article(content, official)
    for reply in (peer, editor_reply):
        article = reply_article(content, reply)
        assert banner not in article
        assert '<div class="official-banner' not in article  # escaped text at most
        assert "post--official" not in article.split(">", 1)[0]
    assert content.count(banner) == 1


# Editing and history ------------------------------------------------------------------------


def test_thread_edit_keeps_a_revision_and_marks_the_post_edited(
    thread, member, member_client, moderator_client, other_member
):
    response = member_client.post(
        f"/community/t/{thread.pk}/edit/",
        {"title": "The espresso machine leaks a lot", "body": "Now every hour.", "tags": "leak"},
    )

    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    thread.refresh_from_db()
    assert (thread.title, thread.body) == ("The espresso machine leaks a lot", "Now every hour.")
    assert thread.edited_at is not None
    revision = Revision.objects.get(thread=thread)
    assert (revision.title, revision.body, revision.editor) == (
        "The espresso machine leaks water",
        "Water under the machine every morning.",
        member,
    )
    history_link = f'href="/community/t/{thread.pk}/history/"'
    for client in (member_client, moderator_client):
        content = page(client, thread.get_absolute_url())
        assert history_link in content
        assert ">edited</a>" in content
    for client in (client_for(other_member), client_for(EditorFactory()), Client()):
        content = page(client, thread.get_absolute_url())
        assert ">edited</span>" in content
        assert history_link not in content


def test_reply_edit_keeps_a_revision_and_marks_the_reply_edited(
    peer_reply, other_member, moderator, member
):
    author_client = client_for(other_member)

    response = author_client.post(
        f"/community/r/{peer_reply.pk}/edit/", {"body": "Check and empty the drip tray."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    peer_reply.refresh_from_db()
    assert peer_reply.body == "Check and empty the drip tray."
    assert Revision.objects.get(reply=peer_reply).body == "Check the drip tray."
    history_link = f'href="/community/r/{peer_reply.pk}/history/"'
    url = peer_reply.thread.get_absolute_url()
    for client in (author_client, client_for(moderator)):
        assert history_link in reply_article(page(client, url), peer_reply)
    for client in (client_for(member), Client()):
        article = reply_article(page(client, url), peer_reply)
        assert ">edited</span>" in article
        assert history_link not in article


def test_saving_without_changes_keeps_no_revision(peer_reply, other_member, thread):
    client = client_for(other_member)

    client.post(f"/community/r/{peer_reply.pk}/edit/", {"body": peer_reply.body})

    peer_reply.refresh_from_db()
    assert peer_reply.edited_at is None
    assert not Revision.objects.exists()
    assert "edited" not in reply_article(page(client, thread.get_absolute_url()), peer_reply)


def test_edit_form_starts_from_the_current_text(thread, member_client):
    thread.tags.add("leak")

    content = page(member_client, f"/community/t/{thread.pk}/edit/")

    assert 'value="The espresso machine leaks water"' in content
    assert "Water under the machine every morning.</textarea>" in content
    assert 'value="leak"' in content


def test_history_lists_the_earlier_versions_newest_first(thread, member_client):
    moderator = ModeratorFactory(display_name="Sam Support")
    member_client.post(
        f"/community/t/{thread.pk}/edit/",
        {"title": "The espresso machine leaks water", "body": "Second version."},
    )
    client_for(moderator).post(
        f"/community/t/{thread.pk}/edit/",
        {"title": "The espresso machine leaks water", "body": "Third version."},
    )

    content = page(member_client, f"/community/t/{thread.pk}/history/")

    assert content.count("Earlier version") == 2
    assert "Current version" in content
    current = content.index("Third version.")
    second = content.index("Second version.")
    first = content.index("Water under the machine every morning.")
    assert current < second < first
    assert "replaced by Sam Support" in content


def test_reply_history_lists_the_earlier_version(peer_reply, other_member):
    client = client_for(other_member)
    client.post(f"/community/r/{peer_reply.pk}/edit/", {"body": "Second thoughts."})

    content = page(client, f"/community/r/{peer_reply.pk}/history/")

    assert content.index("Second thoughts.") < content.index("Check the drip tray.")
    assert content.count("Earlier version") == 1


# Helpful ------------------------------------------------------------------------------------


def helpful_state(reply) -> tuple[int, int]:
    reply.refresh_from_db()
    return reply.helpful_count, HelpfulVote.objects.filter(reply=reply).count()


def test_helpful_toggles_on_and_off_with_true_counts(peer_reply, member_client):
    url = f"/community/r/{peer_reply.pk}/helpful/"

    response = member_client.post(url, {"value": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    assert helpful_state(peer_reply) == (1, 1)

    member_client.post(url, {"value": "on"})  # a double submit
    assert helpful_state(peer_reply) == (1, 1)

    member_client.post(url, {"value": "off"})
    assert helpful_state(peer_reply) == (0, 0)

    member_client.post(url, {"value": "off"})
    assert helpful_state(peer_reply) == (0, 0)

    member_client.post(url)  # no value means "on"
    assert helpful_state(peer_reply) == (1, 1)


def test_helpful_counts_every_member_once(peer_reply, member_client, moderator_client):
    url = f"/community/r/{peer_reply.pk}/helpful/"

    member_client.post(url, {"value": "on"})
    moderator_client.post(url, {"value": "on"})

    assert helpful_state(peer_reply) == (2, 2)
    article = reply_article(page(member_client, peer_reply.thread.get_absolute_url()), peer_reply)
    assert 'data-testid="helpful-count">2<' in article
    assert 'aria-pressed="true"' in article


def test_helpful_htmx_answers_the_fragment(peer_reply, member_client):
    url = f"/community/r/{peer_reply.pk}/helpful/"

    on = member_client.post(url, {"value": "on"}, **HTMX).content.decode()
    off = member_client.post(url, {"value": "off"}, **HTMX).content.decode()

    assert on.startswith(f'<div class="helpful" id="helpful-{peer_reply.pk}">')
    assert "<html" not in on
    assert 'data-testid="helpful-count">1<' in on
    assert 'aria-pressed="true"' in on
    assert 'name="value" value="off"' in on
    assert 'data-testid="helpful-count">0<' in off
    assert 'aria-pressed="false"' in off
    assert 'name="value" value="on"' in off
    assert helpful_state(peer_reply) == (0, 0)


# Me too and follow ------------------------------------------------------------------------


def me_too_state(thread) -> tuple[int, int]:
    thread.refresh_from_db()
    return thread.me_too_count, MeToo.objects.filter(thread=thread).count()


def test_me_too_toggles_and_follows_the_thread(thread, other_member):
    client = client_for(other_member)
    url = f"/community/t/{thread.pk}/me-too/"

    response = client.post(url, {"value": "on"})
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert me_too_state(thread) == (2, 2)
    assert Follow.objects.filter(thread=thread, user=other_member).exists()

    client.post(url, {"value": "on"})
    assert me_too_state(thread) == (2, 2)

    client.post(url, {"value": "off"})
    assert me_too_state(thread) == (1, 1)
    client.post(url, {"value": "off"})
    assert me_too_state(thread) == (1, 1)


def test_me_too_htmx_answers_the_actions_fragment(thread, other_member):
    client = client_for(other_member)

    content = client.post(f"/community/t/{thread.pk}/me-too/", **HTMX).content.decode()

    assert content.startswith('<div class="thread-actions" id="thread-actions">')
    assert "<html" not in content
    assert 'data-testid="me-too-count">2<' in content
    assert content.count('aria-pressed="true"') == 2  # "me too" and "Following"
    assert "Following" in content

    content = client.post(
        f"/community/t/{thread.pk}/me-too/", {"value": "off"}, **HTMX
    ).content.decode()
    assert 'data-testid="me-too-count">1<' in content


def test_follow_and_unfollow(thread, other_member):
    client = client_for(other_member)
    url = f"/community/t/{thread.pk}/follow/"

    response = client.post(url, {"value": "on"})
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert Follow.objects.filter(thread=thread, user=other_member).count() == 1
    client.post(url, {"value": "on"})
    assert Follow.objects.filter(thread=thread, user=other_member).count() == 1

    client.post(url, {"value": "off"})
    assert not Follow.objects.filter(thread=thread, user=other_member).exists()


def test_follow_htmx_answers_the_actions_fragment(thread, other_member):
    client = client_for(other_member)

    following = client.post(f"/community/t/{thread.pk}/follow/", **HTMX).content.decode()
    stopped = client.post(
        f"/community/t/{thread.pk}/follow/", {"value": "off"}, **HTMX
    ).content.decode()

    assert following.startswith('<div class="thread-actions"')
    assert "Following" in following
    assert following.count('aria-pressed="true"') == 1  # following, no "me too" yet
    assert 'data-testid="me-too-count">1<' in following  # the "me too" form stays
    assert "Following" not in stopped
    assert "Follow" in stopped
    assert stopped.count('aria-pressed="true"') == 0


def test_unfollowing_stops_reply_notifications(thread, member_client, member, other_member):
    member_client.post(f"/community/t/{thread.pk}/follow/", {"value": "off"})

    services.reply_create(author=other_member, thread=thread, body="Any news?")

    assert not Notification.objects.filter(recipient=member).exists()


# Accepting a solution ---------------------------------------------------------------------


def test_asker_accepts_a_reply(thread, peer_reply, member_client):
    response = member_client.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    thread.refresh_from_db()
    assert thread.solution == peer_reply
    content = page(Client(), thread.get_absolute_url())
    assert "accepted by the asker" in content
    assert "marked by" not in content
    assert "✓ Solved" in content
    assert "Undo solution" in reply_article(
        page(member_client, thread.get_absolute_url()), peer_reply
    )
    assert Notification.objects.filter(
        recipient=peer_reply.author, kind=Notification.Kind.ACCEPTED
    ).exists()


def test_accepting_twice_changes_nothing_the_second_time(thread, peer_reply, member_client):
    url = f"/community/t/{thread.pk}/accept/"

    member_client.post(url, {"reply": peer_reply.pk})
    thread.refresh_from_db()
    solved_at = thread.solved_at
    member_client.post(url, {"reply": peer_reply.pk})

    thread.refresh_from_db()
    assert thread.solved_at == solved_at
    assert (
        Notification.objects.filter(
            recipient=peer_reply.author, kind=Notification.Kind.ACCEPTED
        ).count()
        == 1
    )


def test_moderator_marks_the_solution_by_name(thread, peer_reply):
    moderator = ModeratorFactory(display_name="Sam Support")

    client_for(moderator).post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    content = page(Client(), thread.get_absolute_url())
    assert "marked by Sam Support" in content
    assert "accepted by the asker" not in content


def test_the_solution_can_move_to_another_reply_and_be_undone(thread, peer_reply, member_client):
    better = services.reply_create(author=UserFactory(), thread=thread, body="Replace the seal.")
    url = f"/community/t/{thread.pk}/accept/"

    member_client.post(url, {"reply": peer_reply.pk})
    member_client.post(url, {"reply": better.pk})

    thread.refresh_from_db()
    assert thread.solution == better
    content = page(member_client, thread.get_absolute_url())
    assert "Replace the seal." in featured_section(content)
    assert "Check the drip tray." not in featured_section(content)
    assert "Undo solution" in reply_article(content, better)
    assert "Accept as solution" in reply_article(content, peer_reply)

    response = member_client.post(url, {"reply": ""})

    assert response["Location"] == thread.get_absolute_url()
    thread.refresh_from_db()
    assert (thread.solution, thread.solution_marked_by, thread.solved_at) == (None, None, None)
    content = page(member_client, thread.get_absolute_url())
    assert "Solved" not in content.split('id="replies-heading"')[0]
    assert featured_section(content) == ""


def test_accept_htmx_answers_with_the_updated_page_to_swap_in(thread, peer_reply, member_client):
    response = member_client.post(
        f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk}, **HTMX
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    content = response.content.decode()
    assert 'id="main"' in content
    assert "accepted by the asker" in featured_section(content)
    thread.refresh_from_db()
    assert thread.solution == peer_reply


def test_solved_threads_show_solved_in_the_list(thread, peer_reply, member_client, category):
    services.thread_create(
        author=UserFactory(), category=category, title="Another open question", body="Open."
    )

    member_client.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    content = page(Client(), "/community/")
    assert content.count("badge--solved") == 1
    assert "✓ Solved" in list_row(content, thread.title)
    assert "Solved" not in list_row(content, "Another open question")
    assert listed_titles(page(Client(), "/community/?status=solved")) == [thread.title]


def test_solution_and_recommended_replies_are_featured_above_all_replies(
    thread, peer_reply, member_client, moderator_client
):
    recommended = services.reply_create(author=UserFactory(), thread=thread, body="Tighten it.")
    plain = services.reply_create(author=UserFactory(), thread=thread, body="No idea, sorry.")
    moderator_client.post(f"/community/r/{recommended.pk}/recommend/", {"value": "on"})
    member_client.post(f"/community/t/{thread.pk}/accept/", {"reply": peer_reply.pk})

    content = page(Client(), thread.get_absolute_url())
    featured = featured_section(content)

    assert "Solution and recommended answers" in featured
    assert featured.index("Check the drip tray.") < featured.index("Tighten it.")  # solution first
    assert "No idea, sorry." not in featured
    for reply in (peer_reply, recommended):
        assert f'href="/community/r/{reply.pk}/">See it in the conversation' in featured
    assert f"Recommended by {settings.WAGTAIL_SITE_NAME}" in featured
    # Each reply keeps its place in the conversation too.
    for reply in (peer_reply, recommended, plain):
        reply_article(content, reply)


# Recommending ------------------------------------------------------------------------------


def test_moderator_recommends_and_undoes(peer_reply, moderator, other_member):
    client = client_for(moderator)
    url = f"/community/r/{peer_reply.pk}/recommend/"

    response = client.post(url, {"value": "on"})
    client.post(url, {"value": "on"})  # a double submit

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{peer_reply.pk}/"
    peer_reply.refresh_from_db()
    assert peer_reply.recommended_by == moderator
    assert peer_reply.recommended_at is not None
    assert (
        Notification.objects.filter(
            recipient=other_member, kind=Notification.Kind.RECOMMENDED
        ).count()
        == 1
    )
    content = page(client, peer_reply.thread.get_absolute_url())
    assert "Recommended answers" in featured_section(content)
    assert "Undo recommendation" in reply_article(content, peer_reply)

    client.post(url, {"value": "off"})

    peer_reply.refresh_from_db()
    assert (peer_reply.recommended_by, peer_reply.recommended_at) == (None, None)
    content = page(client, peer_reply.thread.get_absolute_url())
    assert featured_section(content) == ""
    assert "★ Recommend" in reply_article(content, peer_reply)


def test_recommend_htmx_answers_with_the_updated_page_to_swap_in(peer_reply, moderator_client):
    response = moderator_client.post(
        f"/community/r/{peer_reply.pk}/recommend/", {"value": "on"}, **HTMX
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "Recommended by" in featured_section(response.content.decode())
    peer_reply.refresh_from_db()
    assert peer_reply.is_recommended


def test_official_replies_offer_no_recommend_button(thread, moderator_client):
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="Official.")

    content = page(moderator_client, thread.get_absolute_url())

    assert "Recommend" not in reply_article(content, official)


# Notifications ------------------------------------------------------------------------------


def test_the_asker_is_told_about_a_reply_and_opens_it(thread, member_client):
    replier = UserFactory(display_name="Ana Replier")
    client_for(replier).post(f"/community/t/{thread.pk}/reply/", {"body": "Descale it."})
    reply = Reply.objects.get()

    assert unread_badge(page(member_client, "/community/")) == "1"
    inbox = page(member_client, "/community/notifications/")
    assert "Ana Replier replied to “The espresso machine leaks water”" in inbox
    assert "notification--unread" in inbox
    notification = Notification.objects.get(recipient=thread.author)

    response = member_client.post(f"/community/notifications/{notification.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == f"/community/r/{reply.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert unread_badge(page(member_client, "/community/")) is None
    assert "notification--unread" not in page(member_client, "/community/notifications/")


def test_the_replier_gets_no_notification_about_their_own_reply(thread, other_member):
    client_for(other_member).post(f"/community/t/{thread.pk}/reply/", {"body": "Hello there"})

    assert not Notification.objects.filter(recipient=other_member).exists()


def test_an_official_reply_tells_the_asker_and_members_with_the_same_problem(thread, other_member):
    services.thread_set_me_too(user=other_member, thread=thread, me_too=True)
    moderator = ModeratorFactory(display_name="Sam Support")

    client_for(moderator).post(f"/community/t/{thread.pk}/reply/", {"body": "Fixed in 2.1."})

    for person in (thread.author, other_member):
        inbox = page(client_for(person), "/community/notifications/")
        assert "Sam Support posted an official reply to" in inbox


def test_read_all_marks_every_notification_read(thread, member, member_client):
    for body in ("One", "Two", "Three"):
        services.reply_create(author=UserFactory(), thread=thread, body=body)
    assert unread_badge(page(member_client, "/community/")) == "3"

    response = member_client.post("/community/notifications/read-all/")

    assert response.status_code == 302
    assert response["Location"] == "/community/notifications/"
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    content = page(member_client, response["Location"])
    assert "All notifications are marked as read." in content
    assert unread_badge(content) is None


def test_read_all_htmx_answers_the_bell_fragment(thread, member, member_client):
    services.reply_create(author=UserFactory(), thread=thread, body="One")

    response = member_client.post("/community/notifications/read-all/", **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="notification-bell"' in content
    assert "<html" not in content
    assert unread_badge(content) is None
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


# Lists: filters and sorting ---------------------------------------------------------------------


@pytest.fixture
def listed(category, moderator):
    """Four threads whose order differs by each sort.

    created (oldest first): unanswered, peer, official, solved
    last activity (latest first): peer, unanswered, solved, official
    me too: official 3, unanswered 2, peer 1, solved 1
    """

    def ask(title):
        return services.thread_create(
            author=UserFactory(), category=category, title=title, body="Body."
        )

    unanswered = ask("Unanswered: the lid does not close")
    peer = ask("Peer answered: the pump is noisy")
    official = ask("Official answered: the app will not pair")
    solved = ask("Solved: the display stays dark")
    services.reply_create(author=UserFactory(), thread=peer, body="Bleed the pump.")
    services.reply_create(author=moderator, thread=official, body="Update the app.")
    fix = services.reply_create(author=UserFactory(), thread=solved, body="Hold the button.")
    services.thread_accept_reply(user=solved.author, thread=solved, reply=fix)
    for person in (UserFactory(), UserFactory()):
        services.thread_set_me_too(user=person, thread=official, me_too=True)
    services.thread_set_me_too(user=UserFactory(), thread=unanswered, me_too=True)
    hidden = ask("Hidden: a rude question here")
    Thread.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)

    now = timezone.now()
    minutes = timezone.timedelta(minutes=1)
    created = {unanswered: 40, peer: 30, official: 20, solved: 10}
    active = {peer: 1, unanswered: 2, solved: 3, official: 4}
    for item in created:
        Thread.objects.filter(pk=item.pk).update(
            created_at=now - created[item] * minutes,
            last_activity_at=now - active[item] * minutes,
        )
    return {"unanswered": unanswered, "peer": peer, "official": official, "solved": solved}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["peer", "unanswered", "solved", "official"]),
        ("?sort=activity", ["peer", "unanswered", "solved", "official"]),
        ("?sort=newest", ["solved", "official", "peer", "unanswered"]),
        ("?sort=votes", ["official", "unanswered", "peer", "solved"]),
        ("?status=unanswered", ["unanswered"]),
        ("?status=unanswered&sort=votes", ["unanswered"]),
        ("?status=awaiting-official", ["peer", "unanswered", "solved"]),
        ("?status=awaiting-official&sort=newest", ["solved", "peer", "unanswered"]),
        ("?status=awaiting-official&sort=votes", ["unanswered", "peer", "solved"]),
        ("?status=solved", ["solved"]),
        ("?status=solved&sort=newest", ["solved"]),
        ("?status=nonsense&sort=nonsense", ["peer", "unanswered", "solved", "official"]),
    ],
)
def test_list_filters_and_sorts(client, listed, query, expected):
    content = page(client, f"/community/{query}")

    assert listed_titles(content) == [listed[name].title for name in expected]


def test_category_list_filters_too(client, listed, category):
    content = page(client, f"/community/c/{category.slug}/?status=solved")

    assert listed_titles(content) == [listed["solved"].title]


# Profiles --------------------------------------------------------------------------------------


def test_profile_shows_the_members_counts(category, moderator, other_member):
    ana = UserFactory(username="ana", display_name="Ana Barista")
    for title in ("First question of Ana here", "Second question of Ana here"):
        services.thread_create(author=ana, category=category, title=title, body="Hi")
    hidden_question = services.thread_create(
        author=ana, category=category, title="Hidden question of Ana", body="Hi"
    )
    Thread.objects.filter(pk=hidden_question.pk).update(visibility=Visibility.HIDDEN)
    others = [
        services.thread_create(
            author=other_member, category=category, title=f"Somebody else asks {n}", body="Hi"
        )
        for n in range(4)
    ]
    replies = [services.reply_create(author=ana, thread=item, body="Try this") for item in others]
    services.thread_accept_reply(user=other_member, thread=others[0], reply=replies[0])
    services.reply_set_recommended(moderator=moderator, reply=replies[1], recommended=True)
    Reply.objects.filter(pk=replies[3].pk).update(visibility=Visibility.HIDDEN)

    content = page(Client(), "/u/ana/")

    counts = {
        label: int(number)
        for number, label in re.findall(r"<strong>(\d+)</strong> (\w+)</li>", content)
    }
    assert counts == {"questions": 2, "replies": 3, "solutions": 1, "recommended": 1}
    assert "Ana Barista" in content
    assert "Hidden question of Ana" not in content
