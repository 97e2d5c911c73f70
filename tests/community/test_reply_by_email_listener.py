"""The inbound listener speaks LMTP too (for an MTA that hands mail on), answering
once per recipient; and a message it cannot take now is refused for a retry (451),
never lost."""

import smtplib

import pytest

from community.mail import listener as listener_module
from community.mail.keys import reply_key
from community.mail.listener import InboundController
from community.models import Reply
from tests import mail_messages as mails
from tests.mail_server import free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def lmtp(settings):
    settings.REPLY_EMAIL_ADDRESS = "reply+{key}@community.example.com"
    controller = InboundController(host="127.0.0.1", port=free_port(), lmtp=True)
    controller.start()
    yield controller
    controller.stop()


def test_lmtp_delivery_posts_the_reply(lmtp, member, thread):
    address = f"reply+{reply_key(member_id=member.pk, thread_id=thread.pk)}@community.example.com"
    raw = mails.message(sender=member.email, to=address, text=mails.gmail_text("Thanks, it works."))
    with smtplib.LMTP(lmtp.hostname, lmtp.port) as client:
        refused = client.sendmail(member.email, [address], raw)
    assert refused == {}
    assert Reply.objects.get(thread=thread, via_email=True).body == "Thanks, it works."


def test_a_message_that_cannot_be_taken_now_is_deferred(lmtp, monkeypatch, member, thread):
    def database_gone(*args, **kwargs):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(listener_module, "inbound_email_receive", database_gone)
    raw = mails.message(sender=member.email, to="reply+x@community.example.com", text="Hello")
    with (
        smtplib.LMTP(lmtp.hostname, lmtp.port) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.sendmail(member.email, ["reply+x@community.example.com"], raw)
    assert refused.value.smtp_code == 451
