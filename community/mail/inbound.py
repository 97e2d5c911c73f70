"""What becomes of a message that came back to a reply address.

One entry point, `inbound_email_receive`, for every way mail arrives (the stdin
command an MTA pipes to, the SMTP/LMTP listener): a reply is posted through
`reply_create`, the site's own service, so approvals, posting limits, suspensions,
locks, double submissions, notifications and the official-reply queue behave as
on the site; and a moderator's reply is official by their role at that moment.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from community.limits import DuplicatePost, PostingLimitReached
from community.mail.answers import inbound_answer_send
from community.mail.keys import ReplyKeyInvalid, reply_key_read, reply_keys_in
from community.mail.parsing import ParsedMail, parse_mail
from community.models.forum import BODY_MAX_LENGTH, Thread, Visibility
from community.models.inbound_mail import InboundEmail
from community.services.posting import reply_create

logger = logging.getLogger("community.mail")
Outcome = InboundEmail.Outcome

# Ignored without a word back: answering a robot is how mail loops start.
SILENT = {Outcome.AUTO_REPLY, Outcome.BOUNCE}


@dataclass
class _Decision:
    outcome: str
    detail: str = ""  # the site's own reason, in the member's language


def inbound_email_receive(
    raw: bytes, *, envelope_recipients=(), envelope_sender: str | None = None
) -> InboundEmail:
    """Act on one message, once: the same message again (its Message-ID, or its
    bytes when it has none) returns the first one's record and changes nothing."""
    too_large = len(raw) > settings.REPLY_EMAIL_MAX_BYTES
    mail = parse_mail(
        raw,
        envelope_recipients=envelope_recipients,
        envelope_sender=envelope_sender,
        headers_only=too_large,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundEmail.objects.create(
                    message_id=mail.message_id,
                    sender=mail.sender[:254],
                    outcome=Outcome.NO_KEY,
                    size=len(raw),
                )
        except IntegrityError:
            first = InboundEmail.objects.get(message_id=mail.message_id)
            logger.info("Inbound e-mail %s: received before, ignored", mail.message_id)
            return first
        decision = _decide(record, mail, too_large=too_large)
        record.outcome = decision.outcome
        record.attachments_dropped = mail.attachments if record.reply_id else 0
        record.save()
        logger.info(
            "Inbound e-mail %s from %s: %s", mail.message_id, mail.sender or "?", record.outcome
        )
        if record.outcome not in SILENT and (
            record.outcome not in (Outcome.POSTED,) or record.attachments_dropped
        ):
            transaction.on_commit(
                lambda: inbound_answer_send(record, mail=mail, detail=decision.detail)
            )
    return record


def _decide(record: InboundEmail, mail: ParsedMail, *, too_large: bool) -> _Decision:
    if mail.bounce:
        _bounced(mail)
        return _Decision(Outcome.BOUNCE)
    if mail.automatic:
        return _Decision(Outcome.AUTO_REPLY)
    keys = reply_keys_in(mail.recipients)
    if not keys:
        return _Decision(Outcome.NO_KEY)
    try:
        key = reply_key_read(keys[0])
    except ReplyKeyInvalid:
        return _Decision(Outcome.BAD_KEY)
    member = User.objects.filter(pk=key.member_id).first()
    thread = Thread.objects.filter(pk=key.thread_id).first()
    if member is None or thread is None:
        return _Decision(Outcome.BAD_KEY)
    record.member, record.thread = member, thread
    if key.expired():
        return _Decision(Outcome.EXPIRED)
    if not _sent_by(member, mail.sender):
        return _Decision(Outcome.WRONG_SENDER)
    if not member.is_active:
        with translation.override(member.language or settings.LANGUAGE_CODE):
            return _Decision(Outcome.NOT_ALLOWED, _("This account is no longer active."))
    if too_large or len(mail.text) > BODY_MAX_LENGTH:
        return _Decision(Outcome.TOO_LARGE)
    if not mail.text:
        return _Decision(Outcome.EMPTY)
    # The site's refusals (suspended, locked, too fast) in the member's language.
    with translation.override(member.language or settings.LANGUAGE_CODE):
        try:
            reply = _post(member, thread, mail)
        except PermissionDenied as error:
            return _Decision(Outcome.NOT_ALLOWED, str(error))
        except (PostingLimitReached, DuplicatePost) as error:
            return _Decision(Outcome.LIMITED, " ".join(error.messages))
        except ValidationError as error:  # any other rule of the posting service
            return _Decision(Outcome.NOT_ALLOWED, " ".join(error.messages))
    record.reply = reply
    if reply.visibility == Visibility.PENDING:
        return _Decision(Outcome.PENDING)
    return _Decision(Outcome.POSTED)


def _post(member: User, thread: Thread, mail: ParsedMail):
    return reply_create(
        author=member,
        thread=thread,
        body=mail.text,
        # The same message through two paths (a retry of the MTA, a second MX)
        # is one reply, as the same form sent twice is.
        submission_key=hashlib.sha256(mail.message_id.encode()).hexdigest(),
        via_email=True,
    )


def _sent_by(member: User, sender: str) -> bool:
    """Whether the message came from the address the notification went to, or from
    another verified address of the same member."""
    if not sender:
        return False
    if member.email and member.email.lower() == sender:
        return True
    return member.emailaddress_set.filter(email__iexact=sender, verified=True).exists()


def _bounced(mail: ParsedMail) -> None:
    """A delivery failure for a notification (its envelope sender is the reply
    address): nothing more goes to the member's address until it changes."""
    keys = reply_keys_in(mail.recipients)
    if not keys:
        return
    try:
        key = reply_key_read(keys[0])
    except ReplyKeyInvalid:
        return
    member = User.objects.filter(pk=key.member_id).exclude(email="").first()
    if member is not None:
        User.objects.filter(pk=member.pk).update(bounced_email=member.email)
        logger.info("Member %s: mail to their address bounced; not sent any more", member.pk)


# Kept a month past the keys' lifetime: a message sent again later meets an expired
# key anyway, and no record of a member's mail is kept longer than it serves.
KEPT_AFTER_KEYS_EXPIRE = timedelta(days=30)


def inbound_emails_prune(*, limit: int) -> int:
    """Forget the records of mail older than the keys' lifetime and a month, at most
    `limit` at a time. Returns how many."""
    kept = timedelta(days=settings.REPLY_EMAIL_KEY_DAYS) + KEPT_AFTER_KEYS_EXPIRE
    old = InboundEmail.objects.filter(received_at__lt=timezone.now() - kept)
    ids = list(old.order_by("pk").values_list("pk", flat=True)[:limit])
    deleted, _rows = InboundEmail.objects.filter(pk__in=ids).delete()
    return deleted
