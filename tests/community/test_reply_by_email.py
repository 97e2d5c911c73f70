"""Reply by e-mail (community/mail): the notification's reply address, and the mail
that comes back, fed as real messages; the answers to refused mail are read back
from a real SMTP server (tests/mail_server.py)."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import timezone

from community import services
from community.mail.inbound import inbound_email_receive
from community.mail.keys import ReplyKeyInvalid, reply_key, reply_key_read, reply_keys_in
from community.models import InboundEmail, Reply, Thread
from tests import mail_messages as mails
from tests.factories import UserFactory

REPLY_ADDRESS = "reply+{key}@community.example.com"
ANSWER = "Still broken after the reset, the light keeps blinking."
Outcome = InboundEmail.Outcome


@pytest.fixture(autouse=True)
def _reply_by_email(settings, django_capture_on_commit_callbacks):
    settings.REPLY_EMAIL_ADDRESS = REPLY_ADDRESS
    settings.WAGTAILADMIN_BASE_URL = "https://community.example.com"
    _committed.capture = django_capture_on_commit_callbacks


def _committed(action, *args, **kwargs):
    """Run what a request or a delivery does, and what it leaves for after commit
    (the e-mails), as the site does: the test's own transaction never commits."""
    with _committed.capture(execute=True):
        return action(*args, **kwargs)


def post_reply(**kwargs) -> Reply:
    return _committed(services.reply_create, **kwargs)


@pytest.fixture
def official(moderator, thread):
    """The brand's official reply on `thread`; its asker is told by e-mail."""
    return post_reply(author=moderator, thread=thread, body=mails.QUOTED)


def address_for(member, thread) -> str:
    return REPLY_ADDRESS.replace("{key}", reply_key(member_id=member.pk, thread_id=thread.pk))


def receive(raw: bytes, **envelope) -> InboundEmail:
    return _committed(inbound_email_receive, raw, **envelope)


def answers_to(smtp_server, address):
    return [mail for mail in smtp_server.to(address) if mail.message["Auto-Submitted"]]


# The notification --------------------------------------------------------------


def test_a_notification_is_answered_at_the_members_own_key_for_the_thread(
    smtp_server, member, thread, official
):
    [mail] = smtp_server.to(member.email)
    reply_to = str(mail.message["Reply-To"])
    assert reply_to == address_for(member, thread)
    assert reply_keys_in([reply_to]) == [reply_key(member_id=member.pk, thread_id=thread.pk)]
    # The brand's address is shown; failures come back to the key (the envelope).
    assert "community@localhost" in str(mail.message["From"]) or "@" in str(mail.message["From"])
    assert mail.envelope_from == reply_to
    assert mails.QUOTED in mail.text()
    assert "Reply to this e-mail to answer on the thread" in mail.text()


def test_without_a_reply_address_the_notification_has_none(smtp_server, settings, member, thread):
    settings.REPLY_EMAIL_ADDRESS = ""
    post_reply(author=UserFactory(), thread=thread, body="Same here.")
    [mail] = smtp_server.to(member.email)
    assert mail.message["Reply-To"] is None
    assert "Reply to this e-mail" not in mail.text()


def test_keys_are_per_member_and_thread_signed_and_case_blind(member, other_member, thread):
    key = reply_key(member_id=member.pk, thread_id=thread.pk)
    assert key != reply_key(member_id=other_member.pk, thread_id=thread.pk)
    read = reply_key_read(key.upper())
    assert (read.member_id, read.thread_id) == (member.pk, thread.pk)
    forged = key[:-1] + ("0" if key[-1] != "0" else "1")
    with pytest.raises(ReplyKeyInvalid):
        reply_key_read(forged)
    other_thread = key.replace(key.split("-")[1], key.split("-")[1] + "1", 1)
    with pytest.raises(ReplyKeyInvalid):
        reply_key_read(other_thread)


def test_a_key_made_before_a_secret_key_rotation_still_reads(settings, member, thread):
    key = reply_key(member_id=member.pk, thread_id=thread.pk)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert reply_key_read(key).member_id == member.pk


# What is posted ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"text": mails.gmail_text(ANSWER)},
        {"text": mails.outlook_text(ANSWER)},
        {"text": mails.apple_text(ANSWER)},
        {"text": mails.french_text(ANSWER)},
        {"text": mails.gmail_text(ANSWER), "html": mails.gmail_html(ANSWER)},
        {"html": mails.gmail_html(ANSWER)},
        {"html": mails.outlook_html(ANSWER)},
    ],
    ids=[
        "gmail",
        "outlook",
        "apple-mail",
        "french-client",
        "multipart",
        "html-gmail",
        "html-outlook",
    ],
)
def test_the_answer_is_posted_without_quotes_or_signature(
    smtp_server, member, thread, official, body
):
    record = receive(mails.message(sender=member.email, to=address_for(member, thread), **body))
    assert record.outcome == Outcome.POSTED
    reply = record.reply
    assert (reply.author, reply.thread, reply.body) == (member, thread, ANSWER)
    assert reply.via_email and not reply.is_official
    assert answers_to(smtp_server, member.email) == []


def test_the_askers_answer_puts_the_thread_back_in_the_queue(member, thread, official):
    assert Thread.objects.waiting_on_customer().filter(pk=thread.pk).exists()
    receive(mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER))
    assert Thread.objects.awaiting_follow_up().filter(pk=thread.pk).exists()
    assert Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()


def test_a_moderators_answer_by_e_mail_is_official(moderator, thread):
    record = receive(
        mails.message(sender=moderator.email, to=address_for(moderator, thread), text=ANSWER)
    )
    assert record.reply.is_official
    thread.refresh_from_db()
    assert thread.first_official_reply_at == record.reply.created_at


def test_the_thread_page_says_discreetly_that_it_came_by_e_mail(client, member, thread, official):
    receive(mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER))
    page = client.get(thread.get_absolute_url()).content.decode()
    assert page.count('class="via-email small muted">by e-mail<') == 1


def test_another_verified_address_of_the_member_may_answer(member, thread, official):
    EmailAddress.objects.create(user=member, email="work@example.org", verified=True)
    record = receive(
        mails.message(sender="Work <WORK@example.org>", to=address_for(member, thread), text=ANSWER)
    )
    assert record.outcome == Outcome.POSTED


def test_the_same_message_twice_is_posted_once(smtp_server, member, thread, official):
    raw = mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER)
    first = receive(raw)
    again = receive(raw)
    assert again.pk == first.pk
    assert Reply.objects.filter(thread=thread, author=member).count() == 1
    assert InboundEmail.objects.count() == 1
    assert answers_to(smtp_server, member.email) == []


def test_attachments_are_left_out_with_a_note(smtp_server, member, thread, official):
    record = receive(
        mails.message(
            sender=member.email, to=address_for(member, thread), text=ANSWER, attachments=2
        )
    )
    assert record.outcome == Outcome.POSTED and record.attachments_dropped == 2
    assert record.reply.attachments.count() == 0
    [note] = answers_to(smtp_server, member.email)
    assert "the 2 files you attached are not" in note.text()


@pytest.mark.premoderation
def test_a_first_post_waits_for_approval_and_the_member_is_told(smtp_server, thread):
    services.thread_publish(thread=thread)  # the asker's own first post, approved
    newcomer = UserFactory()
    record = receive(
        mails.message(sender=newcomer.email, to=address_for(newcomer, thread), text=ANSWER)
    )
    assert record.outcome == Outcome.PENDING
    assert not record.reply.is_visible
    [note] = answers_to(smtp_server, newcomer.email)
    assert "once a moderator has approved it" in note.text()


def test_the_stdin_command_reads_one_message(monkeypatch, capsys, member, thread, official):
    import io
    import sys

    raw = mails.message(sender=member.email, to="someone@example.org", text=ANSWER)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    _committed(call_command, "receive_email", "--recipient", address_for(member, thread))
    assert Reply.objects.filter(author=member, via_email=True, body=ANSWER).exists()
    assert "Posted as a reply" in capsys.readouterr().out


# Refusals: nothing posted, and a short answer back saying why ------------------


def _refused(smtp_server, raw, *, to_address, outcome, says, **envelope):
    replies_before = Reply.objects.count()
    record = receive(raw, **envelope)
    assert record.outcome == outcome
    assert Reply.objects.count() == replies_before
    [answer] = answers_to(smtp_server, to_address)
    assert str(answer.message["Auto-Submitted"]) == "auto-replied"
    assert str(answer.message["Subject"]).strip().startswith("Re: ")
    assert str(answer.message["In-Reply-To"]) == record.message_id
    assert says in " ".join(answer.text().split())
    return answer


def test_mail_to_no_reply_address_is_refused(smtp_server, member):
    raw = mails.message(sender=member.email, to="hello@community.example.com", text=ANSWER)
    _refused(
        smtp_server,
        raw,
        to_address=member.email,
        outcome=Outcome.NO_KEY,
        says="only takes answers to the",
    )


def test_a_forged_key_is_refused(smtp_server, member, thread):
    key = reply_key(member_id=member.pk, thread_id=thread.pk)
    forged = REPLY_ADDRESS.replace("{key}", key[:-4] + "0000")
    raw = mails.message(sender=member.email, to=forged, text=ANSWER)
    _refused(
        smtp_server,
        raw,
        to_address=member.email,
        outcome=Outcome.BAD_KEY,
        says="not one of our reply addresses",
    )


def test_an_expired_key_is_refused(smtp_server, settings, member, thread):
    settings.REPLY_EMAIL_KEY_DAYS = 30
    old = reply_key(
        member_id=member.pk,
        thread_id=thread.pk,
        issued=(timezone.now() - timedelta(days=31)).date(),
    )
    raw = mails.message(sender=member.email, to=REPLY_ADDRESS.replace("{key}", old), text=ANSWER)
    answer = _refused(
        smtp_server, raw, to_address=member.email, outcome=Outcome.EXPIRED, says="has expired"
    )
    assert "for 30 days" in answer.text() and thread.get_absolute_url() in answer.text()
    assert ANSWER in answer.text()  # what they wrote comes back, to copy


def test_a_forged_sender_is_refused(smtp_server, member, thread, official):
    raw = mails.message(sender="mallory@example.net", to=address_for(member, thread), text=ANSWER)
    _refused(
        smtp_server,
        raw,
        to_address="mallory@example.net",
        outcome=Outcome.WRONG_SENDER,
        says="not the one we wrote to",
    )


def test_an_unverified_address_of_the_member_is_refused(smtp_server, member, thread):
    EmailAddress.objects.create(user=member, email="new@example.org", verified=False)
    raw = mails.message(sender="new@example.org", to=address_for(member, thread), text=ANSWER)
    _refused(
        smtp_server,
        raw,
        to_address="new@example.org",
        outcome=Outcome.WRONG_SENDER,
        says="another verified address",
    )


def test_a_suspended_member_is_refused_with_the_sites_reason(
    smtp_server, moderator, member, thread
):
    from moderation.services.members import member_suspend

    member_suspend(
        moderator=moderator,
        member=member,
        until=timezone.now() + timedelta(days=3),
        reason="Spam links",
    )
    raw = mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER)
    answer = _refused(
        smtp_server, raw, to_address=member.email, outcome=Outcome.NOT_ALLOWED, says="suspended"
    )
    assert "Spam links" in answer.text()


def test_a_locked_thread_is_refused(smtp_server, member, thread):
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    raw = mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER)
    _refused(smtp_server, raw, to_address=member.email, outcome=Outcome.NOT_ALLOWED, says="locked")


@pytest.mark.posting_limits
def test_posting_too_fast_is_refused(smtp_server, member, thread):
    for number in range(20):
        raw = mails.message(
            sender=member.email, to=address_for(member, thread), text=f"{ANSWER} {number}"
        )
        if receive(raw).outcome == Outcome.LIMITED:
            break
    else:
        pytest.fail("the posting limits never applied to replies by e-mail")
    [answer] = answers_to(smtp_server, member.email)
    assert "not posted" in answer.text()


def test_an_answer_with_nothing_above_the_quotes_is_refused(smtp_server, member, thread):
    raw = mails.message(
        sender=member.email, to=address_for(member, thread), text=mails.gmail_text("")
    )
    _refused(smtp_server, raw, to_address=member.email, outcome=Outcome.EMPTY, says="no text")


def test_an_oversized_message_is_refused_unread(smtp_server, settings, member, thread):
    settings.REPLY_EMAIL_MAX_BYTES = 2000
    raw = mails.message(
        sender=member.email, to=address_for(member, thread), text=ANSWER, attachments=40
    )
    _refused(smtp_server, raw, to_address=member.email, outcome=Outcome.TOO_LARGE, says="too large")


def test_a_text_longer_than_a_post_is_refused(smtp_server, member, thread):
    raw = mails.message(sender=member.email, to=address_for(member, thread), text="word " * 4100)
    _refused(smtp_server, raw, to_address=member.email, outcome=Outcome.TOO_LARGE, says="20")


def test_refusals_to_one_sender_are_capped_each_hour(smtp_server, settings, member):
    settings.REPLY_EMAIL_ANSWERS_PER_HOUR = 3
    for number in range(5):
        receive(mails.message(sender=member.email, to="hello@example.com", text=f"Hi {number}"))
    assert InboundEmail.objects.filter(outcome=Outcome.NO_KEY).count() == 5
    assert len(answers_to(smtp_server, member.email)) == 3


def test_no_answer_goes_to_an_address_of_ours(smtp_server, member, thread):
    ours = address_for(member, thread)
    receive(mails.message(sender=ours, to="hello@example.com", text=ANSWER))
    assert answers_to(smtp_server, ours) == []


# Robots: ignored, logged, never answered ---------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"Subject": "Out of Office: back on Monday"},
        {"Subject": "Réponse automatique : absent"},
    ],
    ids=["auto-submitted", "precedence-bulk", "x-autoreply", "out-of-office", "french-absence"],
)
def test_automatic_replies_are_ignored(smtp_server, caplog, member, thread, official, headers):
    subject = headers.pop("Subject", None)
    raw = mails.message(
        sender=member.email,
        to=address_for(member, thread),
        text="I am away until Monday.",
        headers=headers,
        **({"subject": subject} if subject else {}),
    )
    with caplog.at_level("INFO", logger="community.mail"):
        record = receive(raw)
    assert record.outcome == Outcome.AUTO_REPLY and record.reply is None
    assert answers_to(smtp_server, member.email) == []
    assert "auto_reply" in caplog.text


def test_a_bounce_stops_mail_to_that_address(smtp_server, member, thread, official):
    [notification] = smtp_server.to(member.email)
    record = receive(
        mails.bounce(to=notification.envelope_from, failed=member.email), envelope_sender=""
    )
    assert record.outcome == Outcome.BOUNCE
    member.refresh_from_db()
    assert member.bounced_email == member.email
    smtp_server.clear()
    post_reply(author=UserFactory(), thread=thread, body="Me too, same model.")
    assert smtp_server.to(member.email) == []


# Language ----------------------------------------------------------------------


def test_the_answer_is_in_the_members_language(smtp_server, member, thread):
    member.language = "fr"
    member.save(update_fields=["language"])
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    receive(mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER))
    [answer] = answers_to(smtp_server, member.email)
    assert "Votre message n\u2019a pas été publié." in answer.text()
    assert "verrouillé" in answer.text()  # the site's own reason, in French too


def test_the_notification_says_how_to_answer_in_the_members_language(
    smtp_server, member, thread, moderator
):
    member.language = "fr"
    member.save(update_fields=["language"])
    post_reply(author=moderator, thread=thread, body=mails.QUOTED)
    [mail] = smtp_server.to(member.email)
    assert "Répondez à cet e-mail pour répondre dans la discussion" in mail.text()


# The member's data -------------------------------------------------------------


def test_the_mail_a_member_sent_is_in_their_export_and_loses_its_address_on_closing(
    client, member, thread, official
):
    from tests.accounts.test_privacy import close, download

    receive(mails.message(sender=member.email, to=address_for(member, thread), text=ANSWER))
    client.force_login(member)
    [received] = download(client)["emails_received"]
    assert (received["sender"], received["outcome"]) == (member.email, "posted")

    close(client)
    record = InboundEmail.objects.get(member=member)
    assert record.sender == "" and record.reply.body == ANSWER


def test_records_of_old_mail_are_forgotten_by_the_scheduled_run(settings, member, thread):
    settings.REPLY_EMAIL_KEY_DAYS = 30
    recent = receive(mails.message(sender=member.email, to="hello@example.com", text="Hi"))
    old = receive(mails.message(sender=member.email, to="hello@example.com", text="Hello"))
    InboundEmail.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=61))

    call_command("follow_conversations")

    assert list(InboundEmail.objects.values_list("pk", flat=True)) == [recent.pk]
