"""A member's privacy requests: a copy of their data, and closing their account
(anonymised, signed out everywhere, posts kept and signed "former member")."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from wagtail.models import ModelLogEntry

from accounts import audit
from accounts.models import User
from community import services
from community.models import Follow, Notification, Visibility
from tests.community.test_queries import assert_same_queries
from tests.factories import DEFAULT_PASSWORD, ReplyFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT = "/accounts/privacy/data/"
CLOSE = "/accounts/privacy/close/"


def download(client) -> dict:
    response = client.post(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return json.loads(response.content)


def give_activity(member, other, rows: int = 1) -> None:
    """`rows` of each kind of data about `member`, one of their replies hidden."""
    from moderation.services.reports import report_create

    for n in range(rows):
        thread = ThreadFactory(author=member, title=f"My grinder jams, case {n}")
        reply = ReplyFactory(thread=thread, author=member, body=f"Stil jammed {n}.")
        services.reply_edit(editor=member, reply=reply, body=f"Still jammed {n}.")
        others = ThreadFactory(author=other)
        peer = ReplyFactory(thread=others, author=other)
        services.reply_set_helpful(user=member, reply=peer, helpful=True)
        services.thread_set_me_too(user=member, thread=others, me_too=True)
        services.thread_set_follow(user=member, thread=others, following=True)
        Notification.objects.create(recipient=member, kind="reply", actor=other, thread=thread)
        report_create(reporter=member, thread=others, reply=peer, reason="spam")
    ReplyFactory(author=member, body="A reply moderators hid.", visibility=Visibility.HIDDEN)


# Download my data --------------------------------------------------------------------


def test_privacy_page_offers_both_requests(member_client):
    content = member_client.get("/accounts/privacy/").content.decode()

    assert f'action="{EXPORT}"' in content
    assert f'href="{CLOSE}"' in content
    assert 'href="/accounts/privacy/"' in member_client.get("/accounts/profile/").content.decode()


def test_export_holds_the_members_data_and_hidden_posts(member, other_member, client):
    give_activity(member, other_member)
    client.force_login(member)

    data = download(client)

    assert data["profile"]["username"] == member.username
    assert data["profile"]["email_addresses"] == [
        {"email": member.email, "primary": True, "verified": True}
    ]
    assert [thread["title"] for thread in data["threads"]] == ["My grinder jams, case 0"]
    assert data["threads"][0]["visibility"] == "visible"
    replies = {reply["body"]: reply["visibility"] for reply in data["replies"]}
    assert replies == {"Still jammed 0.": "visible", "A reply moderators hid.": "hidden"}
    assert len(data["votes"]["helpful"]) == 1
    assert len(data["votes"]["me_too"]) == 1
    assert len(data["follows"]) == 1
    assert [n["kind"] for n in data["notifications"]] == ["reply"]
    assert [version["body"] for version in data["earlier_versions"]] == ["Stil jammed 0."]
    assert [report["reason"] for report in data["reports"]] == ["spam"]


def test_export_never_holds_another_members_data(member, other_member, client):
    give_activity(other_member, UserFactory())
    client.force_login(member)

    data = download(client)

    assert data["profile"]["username"] == member.username
    assert data["threads"] == []
    assert data["notifications"] == []
    assert data["earlier_versions"] == data["reports"] == []
    assert other_member.email not in json.dumps(data)


def test_visitors_cannot_download_anything(client, member):
    response = client.post(EXPORT)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_export_is_a_post_with_csrf(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    assert client.get(EXPORT).status_code == 405
    assert client.post(EXPORT).status_code == 403


def test_export_is_logged(member_client, member):
    download(member_client)

    entry = ModelLogEntry.objects.get(action=audit.DATA_EXPORT)
    assert entry.user_id == member.pk
    assert entry.object_id == str(member.pk)


def test_export_costs_the_same_queries_for_1_and_20_rows(member, other_member, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member)
    give_activity(member, other_member, rows=1)
    with CaptureQueriesContext(connection) as one:
        download(client)
    give_activity(member, other_member, rows=20)
    with CaptureQueriesContext(connection) as twenty:
        data = download(client)

    assert len(data["threads"]) == 21
    assert_same_queries(
        [q["sql"] for q in one.captured_queries],
        [q["sql"] for q in twenty.captured_queries],
        "data export",
    )


# Close my account ----------------------------------------------------------------------


def close(client, password=DEFAULT_PASSWORD, **extra):
    return client.post(CLOSE, {"password": password, "confirm": "on", **extra})


def test_closing_asks_for_the_password(member_client, member):
    response = close(member_client, password="not-my-password")

    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and member.closed_at is None


def test_closing_asks_for_the_confirmation(member_client, member):
    response = member_client.post(CLOSE, {"password": DEFAULT_PASSWORD})

    assert "Tick the box to confirm" in response.content.decode()
    member.refresh_from_db()
    assert member.closed_at is None


def test_closing_anonymises_the_account_and_signs_out_everywhere(member, other_member):
    give_activity(member, other_member)
    old_username, old_email = member.username, member.email
    browser, phone = Client(), Client()
    browser.force_login(member)
    phone.force_login(member)

    response = close(browser)

    assert response.status_code == 302 and response["Location"] == "/"
    member.refresh_from_db()
    assert member.closed_at is not None
    assert not member.is_active
    assert member.username == f"former-member-{member.pk}"
    assert (member.email, member.display_name, member.bio) == ("", "", "")
    assert (member.first_name, member.last_name, member.avatar.name) == ("", "", "")
    assert not member.has_usable_password()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Follow.objects.filter(user=member).exists()
    assert not Notification.objects.filter(recipient=member).exists()
    # Both sessions have ended, and signing in again is impossible.
    assert "_auth_user_id" not in browser.session
    assert phone.get("/accounts/profile/").status_code == 302
    for login in (old_username, old_email):
        Client().post("/accounts/login/", {"login": login, "password": DEFAULT_PASSWORD})
    assert not Client().login(username=old_username, password=DEFAULT_PASSWORD)
    assert ModelLogEntry.objects.filter(action=audit.ACCOUNT_CLOSE, object_id=str(member.pk))


def test_closed_members_reply_stays_readable_signed_former_member(member, client):
    thread = ThreadFactory(title="Milk frother squeaks")
    ReplyFactory(thread=thread, author=member, body="Oil the **whisk** shaft.")
    ThreadFactory(author=member, title="Descaling light stays on")
    old_name = member.public_name
    client.force_login(member)
    close(client)

    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Oil the <strong>whisk</strong> shaft." in page
    assert "Former member" in page
    assert old_name not in page
    listing = client.get("/community/").content.decode()
    assert "Descaling light stays on" in listing
    assert "Former member" in listing and old_name not in listing
    feed = client.get("/community/feed/").content.decode()
    assert "Former member" in feed and old_name not in feed
    assert client.get(f"/u/{member.username}/").status_code == 404


@pytest.mark.parametrize("role", ["superuser", "moderator", "editor"])
def test_staff_accounts_cannot_be_closed_here(request, role):
    user = request.getfixturevalue(role)
    client = Client()
    client.force_login(user)

    shown = client.get(CLOSE)
    refused = close(client)

    assert shown.status_code == 403
    assert "Staff accounts cannot be closed here." in shown.content.decode()
    assert refused.status_code == 403
    user.refresh_from_db()
    assert user.is_active and user.closed_at is None


def test_visitors_cannot_close_anything(client):
    response = close(client)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert User.objects.filter(closed_at__isnull=False).count() == 0


def test_a_closed_account_is_not_offered_for_suspension(member, moderator, moderator_client):
    from moderation.permissions import can_suspend

    client = Client()
    client.force_login(member)
    close(client)
    member.refresh_from_db()
    url = f"/moderation/u/{member.username}/suspend/"

    page = moderator_client.get(url)
    moderator_client.post(url, {"duration": "7", "reason": "Spam."})

    assert "This account is closed: it cannot post any more." in page.content.decode()
    assert not can_suspend(moderator, member)
    member.refresh_from_db()
    assert member.suspended_until is None
