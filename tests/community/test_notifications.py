"""Notifications: who hears about what, once; e-mails after commit; one-click unsubscribe."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import EmailNotifications, User
from accounts.tokens import make_unsubscribe_token, read_unsubscribe_token
from community import services
from community.models import Notification
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def asker():
    """`thread`'s asker, whom the tests mention as @asker."""
    return UserFactory(username="asker")


def kinds_for(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def notified(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


# --- who is notified ---------------------------------------------------------


def test_a_reply_notifies_every_follower_except_its_author(asker, thread):
    follower = UserFactory()
    services.thread_set_follow(user=follower, thread=thread, following=True)
    earlier = UserFactory()
    services.reply_create(author=earlier, thread=thread, body="First!")  # now follows
    Notification.objects.all().delete()
    author = UserFactory()
    services.thread_set_follow(user=author, thread=thread, following=True)

    reply = services.reply_create(author=author, thread=thread, body="Same here.")

    rows = Notification.objects.filter(kind=Kind.REPLY)
    assert {row.recipient_id for row in rows} == {asker.pk, follower.pk, earlier.pk}
    assert rows.count() == 3  # one row each
    assert all(row.read_at is None for row in rows)
    assert all((row.reply_id, row.thread_id, row.actor_id) == (reply.pk, thread.pk, author.pk)
               for row in rows)  # fmt: skip
    assert kinds_for(author) == []


def test_a_member_who_stopped_following_is_not_notified(asker, thread):
    services.thread_set_follow(user=asker, thread=thread, following=False)

    services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    assert kinds_for(asker) == []


def test_an_official_reply_notifies_the_asker_and_me_too_members_once(asker, thread):
    me_too = UserFactory.create_batch(2)
    for member in me_too:
        services.thread_set_me_too(user=member, thread=thread, me_too=True)  # and follows
    follower = UserFactory()
    services.thread_set_follow(user=follower, thread=thread, following=True)
    moderator = ModeratorFactory()

    services.reply_create(author=moderator, thread=thread, body="We are on it.")

    # The asker is asked whether it solved the problem; the others are told.
    assert kinds_for(asker) == [Kind.RESOLUTION_CHECK]  # not a second "reply"
    assert notified(Kind.OFFICIAL_REPLY) == {m.pk for m in me_too}
    for person in me_too:
        assert kinds_for(person) == [Kind.OFFICIAL_REPLY]  # not a second "reply"
    assert kinds_for(follower) == [Kind.REPLY]
    assert kinds_for(moderator) == []


def test_accepting_notifies_the_reply_author_and_everyone_waiting(asker, thread):
    me_too = UserFactory()
    services.thread_set_me_too(user=me_too, thread=thread, me_too=True)
    helper = UserFactory()
    reply = services.reply_create(author=helper, thread=thread, body="Descale it.")
    Notification.objects.all().delete()

    services.thread_accept_reply(user=asker, thread=thread, reply=reply)

    assert kinds_for(helper) == [Kind.ACCEPTED]
    assert kinds_for(me_too) == [Kind.SOLUTION]
    # The asker accepted it themselves: not told, only asked how satisfied they are.
    assert kinds_for(asker) == [Kind.SATISFACTION]
    assert Notification.objects.count() == 3


def test_a_moderator_accepting_also_tells_the_asker(asker, thread):
    helper = UserFactory()
    services.thread_set_me_too(user=helper, thread=thread, me_too=True)
    reply = services.reply_create(author=helper, thread=thread, body="Descale it.")
    Notification.objects.all().delete()

    services.thread_accept_reply(user=ModeratorFactory(), thread=thread, reply=reply)

    # Told through the question how satisfied they are with the help.
    assert kinds_for(asker) == [Kind.SATISFACTION]
    assert kinds_for(helper) == [Kind.ACCEPTED]  # not also "solution" for their me-too


def test_accepting_twice_notifies_once(asker, thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    Notification.objects.all().delete()

    services.thread_accept_reply(user=asker, thread=thread, reply=reply)
    services.thread_accept_reply(user=asker, thread=thread, reply=reply)

    assert Notification.objects.filter(kind=Kind.ACCEPTED).count() == 1


def test_undoing_and_accepting_the_same_reply_again_notifies_nobody_again(asker, thread):
    me_too, helper = UserFactory(), UserFactory()
    services.thread_set_me_too(user=me_too, thread=thread, me_too=True)
    reply = services.reply_create(author=helper, thread=thread, body="Descale it.")
    other = services.reply_create(author=UserFactory(), thread=thread, body="Or replace it.")
    Notification.objects.all().delete()

    for _ in range(5):
        services.thread_accept_reply(user=asker, thread=thread, reply=reply)
        services.thread_accept_reply(user=asker, thread=thread, reply=None)
    services.thread_accept_reply(user=asker, thread=thread, reply=reply)

    assert kinds_for(helper) == [Kind.ACCEPTED]
    assert kinds_for(me_too) == [Kind.SOLUTION]
    # Another reply accepted is news: its author and the waiting members hear of it.
    services.thread_accept_reply(user=asker, thread=thread, reply=other)
    assert kinds_for(other.author) == [Kind.ACCEPTED]
    assert kinds_for(me_too) == [Kind.SOLUTION, Kind.SOLUTION]


@pytest.mark.posting_limits
def test_marking_and_undoing_a_solution_is_limited_per_member_and_thread(asker, thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    client = Client()
    client.force_login(asker)
    url = f"/community/t/{thread.pk}/accept/"

    statuses = [
        client.post(url, {"reply": str(reply.pk) if turn % 2 == 0 else ""}).status_code
        for turn in range(5)
    ]

    assert statuses == [302, 302, 302, 302, 429]
    refused = client.post(url, {"reply": str(reply.pk)})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "You changed this thread&#x27;s solution too often." in refused.content.decode()
    thread.refresh_from_db()
    assert thread.solution_id is None  # the fourth change (an undo) was the last one made
    # Another thread of the same member counts apart; staff are not limited.
    elsewhere = services.thread_create(
        author=asker,
        category=thread.category,
        title="Another one",
        body="The lid too.",
        check_limits=False,
    )
    answer = services.reply_create(
        author=UserFactory(), thread=elsewhere, body="Glue it.", check_limits=False
    )
    accepted = client.post(f"/community/t/{elsewhere.pk}/accept/", {"reply": answer.pk})
    assert accepted.status_code == 302
    moderator = ModeratorFactory()
    for turn in range(6):
        services.thread_accept_reply(
            user=moderator, thread=thread, reply=reply if turn % 2 == 0 else None
        )


def test_recommending_notifies_the_reply_author(thread):
    helper = UserFactory()
    reply = services.reply_create(author=helper, thread=thread, body="Descale it.")
    moderator = ModeratorFactory()

    services.reply_set_recommended(moderator=moderator, reply=reply, recommended=True)
    services.reply_set_recommended(moderator=moderator, reply=reply, recommended=True)

    assert kinds_for(helper) == [Kind.RECOMMENDED]
    assert kinds_for(moderator) == []


def test_a_mention_notifies_the_existing_active_member_once(asker, thread):
    ana = UserFactory(username="ana")
    UserFactory(username="gone", is_active=False)
    author = UserFactory()

    reply = services.reply_create(
        author=author, thread=thread, body="@ana, @ana and @gone and @nobody: see this."
    )

    mentions = Notification.objects.filter(kind=Kind.MENTION)
    assert [(row.recipient_id, row.reply_id) for row in mentions] == [(ana.pk, reply.pk)]
    assert kinds_for(asker) == [Kind.REPLY]
    assert 'href="/u/ana/"' in reply.body_html
    assert "/u/gone/" not in reply.body_html
    assert "/u/nobody/" not in reply.body_html


def test_a_mentioned_follower_gets_the_mention_not_also_the_reply(asker, thread):
    services.reply_create(author=UserFactory(), thread=thread, body="@asker is this it?")

    assert kinds_for(asker) == [Kind.MENTION]


def test_a_mention_in_a_new_thread_notifies(asker):
    ana = UserFactory(username="ana")

    services.thread_create(
        author=asker,
        category=CategoryFactory(),
        title="Ana knows about kettles",
        body="Asking @ana, she fixed hers.",
    )

    assert kinds_for(ana) == [Kind.MENTION]


def test_a_mention_inside_code_notifies_nobody(thread):
    # The page shows no mention there (no link), so "you were mentioned" would be false.
    ana = UserFactory(username="ana")

    reply = services.reply_create(
        author=UserFactory(), thread=thread, body="Run `ping @ana`, or:\n\n    @ana in a block\n"
    )

    assert "/u/ana/" not in reply.body_html
    assert kinds_for(ana) == []


def test_members_are_never_notified_of_their_own_mention(asker, thread):
    services.reply_create(author=asker, thread=thread, body="I, @asker, add a photo.")

    assert kinds_for(asker) == []


def test_one_post_notifies_at_most_the_first_members_it_mentions(settings, asker, thread):
    settings.MENTIONS_NOTIFIED_PER_POST = 3
    crowd = [UserFactory(username=f"member{number:02}") for number in range(12)]
    body = "Calling " + " ".join(f"@{member.username}" for member in crowd) + " about this."

    reply = services.reply_create(author=UserFactory(), thread=thread, body=body)

    notified = Notification.objects.filter(kind=Kind.MENTION).values_list("recipient", flat=True)
    assert sorted(notified) == [member.pk for member in crowd[:3]]
    # The names past the cap are still linked; only the notifications are capped.
    assert all(f'href="/u/{member.username}/"' in reply.body_html for member in crowd)


def test_the_mention_cap_is_ten_members_by_default(asker, thread):
    crowd = [UserFactory(username=f"member{number:02}") for number in range(25)]
    body = " ".join(f"@{member.username}" for member in reversed(crowd))

    services.thread_create(author=asker, category=CategoryFactory(), title="All of you", body=body)

    notified = Notification.objects.filter(kind=Kind.MENTION).values_list("recipient", flat=True)
    assert sorted(notified) == sorted(member.pk for member in crowd[-10:])


# --- e-mails -----------------------------------------------------------------


def test_no_email_leaves_before_the_transaction_commits(
    thread, mailoutbox, django_capture_on_commit_callbacks
):
    follower = UserFactory()
    services.thread_set_follow(user=follower, thread=thread, following=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    assert Notification.objects.filter(kind=Kind.REPLY).count() == 2
    assert callbacks
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [follower.email, thread.author.email]
    )


@pytest.fixture
def sent(asker, thread, mailoutbox, django_capture_on_commit_callbacks):
    """The e-mail the asker receives when someone replies to their thread."""
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_create(author=UserFactory(), thread=thread, body="Same here.")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    message.reply = reply
    return message


def test_the_email_has_a_one_line_subject_with_the_community_name(asker, thread, sent):
    assert sent.to == [asker.email]
    assert "\n" not in sent.subject and "\r" not in sent.subject
    assert sent.subject.startswith(f"[{settings.WAGTAIL_SITE_NAME}]")
    assert thread.title in sent.subject


def test_the_email_links_to_the_thread(client, thread, sent):
    notification = Notification.objects.get(recipient=thread.author)
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + notification.get_absolute_url()
    html, _mime = sent.alternatives[0]

    assert link in sent.body
    assert f'href="{link}"' in html
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302
    assert response["Location"].startswith(thread.get_absolute_url())
    assert response["Location"].endswith(f"#reply-{sent.reply.pk}")


def test_the_email_has_an_unsubscribe_link_and_list_headers(asker, sent):
    # The token is signed with a timestamp: read it back from the header rather
    # than making one now, which may fall in the next second.
    unsubscribe = sent.extra_headers["List-Unsubscribe"].strip("<>")
    prefix = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "accounts:unsubscribe", kwargs={"token": "TOKEN"}
    )
    before, after = prefix.split("TOKEN")
    assert unsubscribe.startswith(before) and unsubscribe.endswith(after)
    assert read_unsubscribe_token(unsubscribe[len(before) : -len(after) or None]) == asker

    assert unsubscribe in sent.body
    assert unsubscribe in sent.alternatives[0][0]
    assert sent.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = sent.message()
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_title_cannot_break_the_subject_line(
    asker, mailoutbox, django_capture_on_commit_callbacks
):
    # Services collapse whitespace in titles; a row written another way must not
    # reach the header with its line break either.
    thread = ThreadFactory(author=asker, title="Kettle\r\nBcc: everyone@example.com")
    services.thread_set_follow(user=asker, thread=thread, following=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    (message,) = mailoutbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.message()["Bcc"] is None


def test_an_official_reply_emails_everyone_waiting(
    asker, thread, mailoutbox, django_capture_on_commit_callbacks
):
    me_too = UserFactory()
    services.thread_set_me_too(user=me_too, thread=thread, me_too=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=ModeratorFactory(), thread=thread, body="We are on it.")

    assert sorted(message.to[0] for message in mailoutbox) == sorted([asker.email, me_too.email])


def test_a_member_who_wants_no_email_still_gets_the_notification(
    asker, thread, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=asker.pk).update(email_notifications=EmailNotifications.NONE)

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    assert kinds_for(asker) == [Kind.REPLY]
    assert mailoutbox == []


def test_an_inactive_member_gets_no_email(
    asker, thread, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=asker.pk).update(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    assert mailoutbox == []


# --- unsubscribing -----------------------------------------------------------


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return urlsplit(header.strip("<>")).path


def test_the_unsubscribe_link_asks_first_without_signing_in(asker, sent):
    response = Client().get(unsubscribe_path(sent))

    assert response.status_code == 200
    assert b"<form" in response.content
    assert asker.email.encode() in response.content
    asker.refresh_from_db()
    assert asker.email_notifications == EmailNotifications.EVERY_EVENT  # a GET changes nothing


def test_confirming_unsubscribes_without_signing_in(asker, sent):
    client = Client()
    confirm = client.get(unsubscribe_path(sent))
    token = confirm.context["csrf_token"]

    response = client.post(unsubscribe_path(sent), {"csrfmiddlewaretoken": str(token)})

    assert response.status_code == 200
    asker.refresh_from_db()
    assert asker.email_notifications == EmailNotifications.NONE


def test_one_click_unsubscribe_works_without_a_csrf_token(asker, sent):
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_path(sent), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    asker.refresh_from_db()
    assert asker.email_notifications == EmailNotifications.NONE


def test_after_unsubscribing_no_more_emails(
    asker, thread, sent, mailoutbox, django_capture_on_commit_callbacks
):
    Client(enforce_csrf_checks=True).post(unsubscribe_path(sent), {"List-Unsubscribe": "One-Click"})
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=UserFactory(), thread=thread, body="Still broken.")

    assert [message.to for message in mailoutbox] == [[sent.reply.author.email]]
    assert kinds_for(asker) == [Kind.REPLY, Kind.REPLY]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_is_404(asker, method):
    token = make_unsubscribe_token(asker)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    other = User.objects.exclude(pk=asker.pk).first() or UserFactory()
    forged = token.replace(token.split(":")[0], make_unsubscribe_token(other).split(":")[0])

    for bad in [tampered, forged, "not-a-token"]:
        response = getattr(Client(enforce_csrf_checks=True), method)(
            reverse("accounts:unsubscribe", kwargs={"token": bad})
        )
        assert response.status_code == 404, bad
    asker.refresh_from_db()
    assert asker.email_notifications == EmailNotifications.EVERY_EVENT


def test_an_unsubscribe_link_for_an_old_address_no_longer_works(asker):
    token = make_unsubscribe_token(asker)
    User.objects.filter(pk=asker.pk).update(email="new-address@example.com")

    response = Client().post(reverse("accounts:unsubscribe", kwargs={"token": token}))

    assert response.status_code == 404
