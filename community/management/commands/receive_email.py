"""Take one e-mail message on standard input, as an MTA's pipe delivers it:

    # Postfix, master.cf:
    relais unix - n n - - pipe flags=Rq user=relais argv=/srv/relais/.venv/bin/python
        /srv/relais/manage.py receive_email --recipient ${original_recipient} --sender ${sender}

Exit status 0 when the message was dealt with (posted, refused with a note back, or
ignored), 75 (EX_TEMPFAIL) when it could not be now: the MTA keeps it and tries again.
"""

import sys

from django.core.management.base import BaseCommand

from community.mail.inbound import inbound_email_receive

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one e-mail message (RFC 5322) on standard input and act on it as a reply."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="The envelope recipient (the MTA's original recipient); may repeat.",
        )
        parser.add_argument(
            "--sender",
            default=None,
            help="The envelope sender; empty for a delivery report.",
        )

    def handle(self, *args, recipient, sender, **options):
        raw = sys.stdin.buffer.read()
        try:
            record = inbound_email_receive(
                raw, envelope_recipients=recipient, envelope_sender=sender
            )
        except Exception as error:
            self.stderr.write(f"Not taken now, to be tried again: {error}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{record.message_id}: {record.get_outcome_display()}")
