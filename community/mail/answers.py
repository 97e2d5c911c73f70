"""The short e-mail back to whoever wrote to a reply address, when what they sent
was not posted (or was posted without its attachments, or waits for approval):
why, what to do, and their own text, so that nothing they wrote is lost."""

import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from community.mail.keys import is_reply_address
from community.mail.links import absolute_url
from community.mail.parsing import ParsedMail
from community.models.forum import BODY_MAX_LENGTH
from community.models.inbound_mail import InboundEmail
from community.models.site_settings import CommunitySettings

logger = logging.getLogger("community.mail")


def _may_answer(sender: str, *, now) -> bool:
    """Never to an address of ours, and at most REPLY_EMAIL_ANSWERS_PER_HOUR an hour
    to one sender: a robot that answers every message cannot start a loop."""
    if not sender or is_reply_address(sender):
        return False
    if sender == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return False
    answered = InboundEmail.objects.filter(
        sender=sender, answered_at__gte=now - timedelta(hours=1)
    ).count()
    return answered < settings.REPLY_EMAIL_ANSWERS_PER_HOUR


def _language(record: InboundEmail, sender: str) -> str:
    if record.member is not None and record.member.language:
        return record.member.language
    known = User.objects.filter(email__iexact=sender).values_list("language", flat=True).first()
    return known or settings.LANGUAGE_CODE


def inbound_answer_send(record: InboundEmail, *, mail: ParsedMail, detail: str = "") -> bool:
    """Write back about a message; False when it must not be written back to."""
    now = timezone.now()
    if not _may_answer(mail.sender, now=now):
        logger.info("Inbound e-mail %s: not answered (allowance or address)", mail.message_id)
        return False
    thread = record.thread
    context = {
        "outcome": record.outcome,
        "detail": detail,
        "text": mail.text,
        "attachments": record.attachments_dropped,
        "key_days": settings.REPLY_EMAIL_KEY_DAYS,
        "max_size": settings.REPLY_EMAIL_MAX_BYTES,
        "max_characters": BODY_MAX_LENGTH,
        "community_name": CommunitySettings.load().display_name,
        "thread": thread,
        "thread_url": absolute_url(thread.get_absolute_url()) if thread is not None else "",
        "site_url": absolute_url(reverse("community:thread_list")),
    }
    with translation.override(_language(record, mail.sender)):
        body = render_to_string("community/email/inbound_answer.txt", context)
        subject = mail.subject or _("Your message")
    message = EmailMessage(
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
        body=body,
        to=[mail.sender],
        headers={
            # RFC 3834: an automatic answer, which well-behaved robots do not answer.
            "Auto-Submitted": "auto-replied",
            "In-Reply-To": mail.message_id,
            "References": mail.message_id,
        },
    )
    try:
        message.send()
    except Exception as error:  # the message is already dealt with; only the note is lost
        logger.warning("Inbound e-mail %s: answer not sent (%s)", mail.message_id, error)
        return False
    InboundEmail.objects.filter(pk=record.pk).update(answered_at=now)
    return True
