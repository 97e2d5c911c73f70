"""Posting in the community through its URLs: asking, replying, editing and the
edit history, on the plain POST path and on the htmx path."""

import pytest
from django.conf import settings
from django.test import Client

from community import services
from community.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Follow,
    MeToo,
    Reply,
    Revision,
    Thread,
)
from tests.community.helpers import HTMX, page, reply_article
from tests.factories import EditorFactory, ModeratorFactory, ReplyFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


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
