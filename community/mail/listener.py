"""The inbound SMTP (or LMTP) server: each message it accepts goes to
`inbound_email_receive`, in a worker thread, since the ORM does not run in the
event loop. A failure there answers 451, so the sending MTA tries again later."""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from community.mail.inbound import inbound_email_receive

logger = logging.getLogger("community.mail")


def _receive(raw: bytes, recipients: list[str], sender: str | None) -> None:
    close_old_connections()  # a connection the database closed meanwhile
    try:
        inbound_email_receive(raw, envelope_recipients=recipients, envelope_sender=sender)
    finally:
        close_old_connections()


class InboundHandler:
    def __init__(self, *, lmtp: bool = False):
        self.lmtp = lmtp

    async def handle_DATA(self, server, session, envelope):
        try:
            await sync_to_async(_receive, thread_sensitive=False)(
                # The envelope sender as given: empty ("<>") only for a delivery report.
                envelope.original_content,
                list(envelope.rcpt_tos),
                envelope.mail_from,
            )
        except Exception:
            logger.exception("Inbound e-mail not taken; the sender will try again")
            status = "451 4.3.0 Not taken now, please try again later"
        else:
            status = "250 2.0.0 OK"
        if self.lmtp:
            # LMTP answers once for each recipient (RFC 2033).
            return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))
        return status


class InboundController(Controller):
    def __init__(self, *, host: str, port: int, lmtp: bool = False):
        super().__init__(
            InboundHandler(lmtp=lmtp),
            hostname=host,
            port=port,
            # Larger messages are read only far enough to say why they are refused.
            data_size_limit=settings.REPLY_EMAIL_MAX_BYTES * 2,
        )
        self.lmtp = lmtp

    def factory(self):
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)
