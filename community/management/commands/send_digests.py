"""Send the digests that are due (community/digests.py): each member's daily or
weekly digest, and each moderator's daily summary of overdue and reopened threads.

    manage.py send_digests     # from cron or a timer, every hour

Idempotent: run it as often as you like. A digest is due a day (a week) less an
hour after the last one, so an hourly run sends one a day (a week) even when its
minute drifts; a missed run leaves the due digests to the next one, which covers
the whole time since the last; two runs at once, or one repeated, send nothing twice.
"""

from django.core.management.base import BaseCommand

from community.digests import digests_send, moderator_summaries_send


class Command(BaseCommand):
    help = (
        "Send the members' daily and weekly digests and the moderators' daily summaries "
        "that are due."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help="At most this many digests, and summaries, per run; the rest wait for the "
            "next run.",
        )

    def handle(self, *args, limit, **options):
        digests = digests_send(limit=limit)
        summaries = moderator_summaries_send(limit=limit)
        self.stdout.write(f"{digests} digest(s) sent; {summaries} moderation summary(ies) sent.")
