"""Receive replies by e-mail over SMTP (or LMTP, for an MTA that hands mail on):

    manage.py email_listener --host 127.0.0.1 --port 8025          # SMTP
    manage.py email_listener --host 127.0.0.1 --port 8024 --lmtp   # LMTP

Run it under a supervisor, as the task worker is; it stops on SIGTERM or Ctrl-C.
Put it behind the MTA that faces the internet (which does TLS, SPF and DMARC
checks): it takes mail for the reply addresses only from that MTA.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from community.mail.listener import InboundController


class Command(BaseCommand):
    help = "Serve SMTP (or LMTP) for the reply addresses and post what arrives as replies."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--lmtp", action="store_true", help="Speak LMTP instead of SMTP.")

    def handle(self, *args, host, port, lmtp, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        controller = InboundController(host=host, port=port, lmtp=lmtp)
        controller.start()
        self.stdout.write(f"Listening for {'LMTP' if lmtp else 'SMTP'} on {host}:{port}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
        self.stdout.write("Stopped.")
