"""The conversation's scheduled work (promise 1): remind each asker once of a
"Did this solve your problem?" they left unanswered, and ask the members of each
thread that closed (the customer stayed silent after the brand's reply) how
satisfied they are with the help. It also tells the webhook subscriptions of the
threads that just became overdue, and retries the webhook deliveries that failed
(community.webhooks), and forgets the records of old mail to the reply addresses.

    manage.py follow_conversations     # from cron or a timer, every few minutes

Idempotent: run it as often as you like. A run that is missed leaves its reminders
to the next one; two runs at once, or one repeated, remind or ask nobody twice,
announce no overdue thread twice and send no webhook attempt twice.
Closing itself needs no run: a thread's state is read from its rows.
"""

from django.core.management.base import BaseCommand

from community.mail.inbound import inbound_emails_prune
from community.services import resolution_checks_remind, satisfaction_ask_closed
from community.webhooks import webhook_deliveries_retry, webhook_overdue_check


class Command(BaseCommand):
    help = (
        "Remind askers once of the resolution questions they left unanswered, and ask "
        "how satisfied they are on the threads that closed; announce overdue threads and "
        "retry failed deliveries to the webhook subscriptions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help="At most this many reminders, and threads asked, per run; the rest wait "
            "for the next run.",
        )

    def handle(self, *args, limit, **options):
        reminded = resolution_checks_remind(limit=limit)
        asked = satisfaction_ask_closed(limit=limit)
        overdue = webhook_overdue_check(limit=limit)
        retried = webhook_deliveries_retry(limit=limit)
        pruned = inbound_emails_prune(limit=limit)
        self.stdout.write(
            f"{reminded} asker(s) reminded; {asked} closed thread(s) asked how satisfied; "
            f"{overdue} overdue thread(s) announced; {retried} webhook delivery(ies) retried; "
            f"{pruned} old inbound e-mail record(s) forgotten."
        )
