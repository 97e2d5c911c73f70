"""Reply by e-mail, end to end: a moderator replies officially in the browser; the
asker gets the notification through a real SMTP server, answers it from their mail
client through the community's SMTP listener (community/mail/listener.py), and the
answer is on the thread, marked "by e-mail", with the thread back in the queue. A
forged sender and the same message sent again change nothing; the forger gets a
polite refusal."""

import smtplib
from email.utils import make_msgid

import pytest
from playwright.sync_api import expect

from community import services
from community.mail.listener import InboundController
from community.models import InboundEmail, Reply
from tests import mail_messages as mails
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory
from tests.mail_server import free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ANSWER = "Descaling did not help: the red light still blinks after two cycles."


@pytest.fixture
def listener(settings):
    settings.REPLY_EMAIL_ADDRESS = "reply+{key}@localhost"
    controller = InboundController(host="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def _send(listener, raw: bytes, *, sender: str, to: str) -> None:
    with smtplib.SMTP(listener.hostname, listener.port) as client:
        client.sendmail(sender, [to], raw)


def test_a_member_answers_an_official_reply_by_e_mail(browser_page, sign_in, smtp_server, listener):
    asker = UserFactory(username="oliver", display_name="Oliver Bennett")
    thread = services.thread_create(
        author=asker,
        category=CategoryFactory(name="Coffee machines", slug="coffee-machines"),
        title="The red light blinks after descaling",
        body="Since I descaled it, the red light blinks and nothing happens.",
    )
    staff = browser_page()
    sign_in(staff, ModeratorFactory(username="camille", display_name="Camille"))
    staff.goto(thread.get_absolute_url())
    staff.get_by_role("textbox", name="Your reply").fill(mails.QUOTED)
    staff.get_by_role("button", name="Post official reply").click()
    expect(staff.locator(".post--official").last).to_contain_text(mails.QUOTED)

    # The notification, as the asker's mail client receives it.
    [notification] = smtp_server.to(asker.email)
    assert mails.QUOTED in notification.text()
    reply_to = str(notification.message["Reply-To"])
    answer = mails.message(
        sender=f"Oliver Bennett <{asker.email}>",
        to=reply_to,
        subject="Re: " + notification.subject.strip(),
        text=mails.gmail_text(ANSWER),
        headers={"In-Reply-To": "<notification@localhost>"},
    )
    _send(listener, answer, sender=asker.email, to=reply_to)

    member = browser_page()
    sign_in(member, asker)
    member.goto(thread.get_absolute_url())
    posted = member.locator("article.post", has_text=ANSWER)
    expect(posted).to_have_count(1)
    expect(posted.locator(".via-email")).to_have_text("by e-mail")
    expect(posted).not_to_contain_text("wrote:")  # the quoted notification is gone

    staff.goto("/moderation/?stage=follow-up")
    row = staff.locator("tr", has=staff.get_by_role("link", name=thread.title))
    expect(row.get_by_test_id("queue-follow-up")).to_be_visible()

    # A forger who learnt the address, and the same message again: nothing changes.
    forged = mails.message(
        sender="Mallory <mallory@example.net>",
        to=reply_to,
        text="Never mind, it is solved, close it.",
        message_id=make_msgid("forged", "example.net"),
    )
    _send(listener, forged, sender="mallory@example.net", to=reply_to)
    _send(listener, answer, sender=asker.email, to=reply_to)
    member.reload()
    expect(member.locator("article.post", has_text=ANSWER)).to_have_count(1)
    expect(member.locator("article.post", has_text="Never mind")).to_have_count(0)
    assert Reply.objects.filter(thread=thread, via_email=True).count() == 1
    assert InboundEmail.objects.filter(outcome=InboundEmail.Outcome.WRONG_SENDER).count() == 1
    [refusal] = smtp_server.to("mallory@example.net")
    assert "not the one we wrote to" in " ".join(refusal.text().split())
