"""Consequences of hostile input that a status code does not show (issue 8): titles
folded to one line, one-line e-mail subjects, one tag whatever its case or normal
form, no lone surrogate or undecodable byte stored."""

from __future__ import annotations

import unicodedata

import pytest
from taggit.models import Tag

from community import services
from community.models import Reply, Thread
from tests.security.bad_input import FORM, KEEP, TITLE, _fill, ask, raw

pytestmark = pytest.mark.django_db


def test_title_line_breaks_are_folded_into_one_line_at_input(member_client, world):
    response = member_client.post(
        "/community/ask/",
        _fill(ask(title="Leak\r\nBcc: victim@example.com\u2028today now"), world),
    )
    assert response.status_code == 302
    thread = Thread.objects.latest("pk")
    assert thread.title == "Leak Bcc: victim@example.com today now"


def test_notification_subject_is_one_line_even_for_a_stored_multiline_title(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    thread = Thread.objects.get(pk=world["thread"])
    # A row written outside the forms (an import, a shell) holds line breaks.
    Thread.objects.filter(pk=thread.pk).update(title="Leak\r\nBcc: victim@example.com\n")
    thread.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=world["moderator"], thread=thread, body="We are on it.")

    assert mailoutbox, "the asker follows the thread and is e-mailed"
    for message in mailoutbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "victim@example.com" not in message.extra_headers.get("Bcc", "")
        message.message()  # would raise BadHeaderError on a line break


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Wifi, wifi, WIFI", ["wifi"]),
        ("café, cafe\u0301", ["café"]),
        ("cafe\u0301", ["café"]),
        (
            "\uff37\uff49\uff46\uff49",
            None,
        ),  # full-width letters: accepted or refused, but never a 500
    ],
)
def test_tags_differing_by_case_or_normal_form_are_one_tag(typed, expected, member_client, world):
    response = member_client.post("/community/ask/", _fill(ask(tags=typed), world))
    assert response.status_code in {200, 302}
    if expected is None:
        return
    assert response.status_code == 302
    thread = Thread.objects.latest("pk")
    names = sorted(thread.tags.names())
    assert names == expected
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_a_later_post_reuses_the_tag_whatever_its_form(member_client, world):
    member_client.post("/community/ask/", _fill(ask(tags="Cafe\u0301"), world))
    member_client.post(
        "/community/ask/",
        _fill(ask(title="The grinder is too loud now", tags="CAFÉ"), world),
    )
    tags = Tag.objects.filter(name__startswith="caf")
    assert [tag.name for tag in tags] == ["café"]
    assert Thread.objects.filter(tags__in=tags).count() == 2


def test_lone_surrogates_reaching_a_form_give_a_form_error(world):
    """Through HTTP, undecodable bytes arrive as U+FFFD; a lone surrogate can still
    reach a form from other Python code, and must be refused, not crash the save."""
    from community.forms import AskForm, ReplyForm

    form = AskForm(_fill(ask(title=f"{TITLE}\ud800", body=f"{KEEP}\udfff"), world))
    assert not form.is_valid()
    assert set(form.errors) == {"title", "body"}
    assert not ReplyForm({"body": "a\ud800b"}).is_valid()


def test_bodies_of_undecodable_bytes_are_saved_as_replacement_characters(member_client, world):
    response = member_client.post(
        f"/community/t/{world['thread']}/reply/",
        raw(f"body={KEEP}+\xff%ED%A0%80"),
        content_type=FORM,
    )
    assert response.status_code == 302
    body = Reply.objects.latest("pk").body
    assert body.startswith(KEEP)
    body.encode("utf-8")  # no surrogate was stored
