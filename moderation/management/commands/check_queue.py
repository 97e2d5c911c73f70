from django.core.management.base import BaseCommand, CommandError

from community.models import Thread
from moderation.selectors import queue_problems


class Command(BaseCommand):
    help = (
        "Recompute the official-reply queue from the rows (first replies, and follow-ups "
        "after the customer wrote back) and report every thread that breaks the "
        "guarantee (the answer should always be zero). Exits 1 when any does."
    )

    def handle(self, *args, **options):
        problems = queue_problems()
        for problem in problems:
            self.stdout.write(problem)
        awaiting = Thread.objects.awaiting_official_reply().count()
        follow_ups = Thread.objects.awaiting_follow_up().count()
        self.stdout.write(
            f"{awaiting} threads awaiting an official reply, {follow_ups} awaiting a "
            f"follow-up; {len(problems)} breaking the guarantee."
        )
        if problems:
            raise CommandError(f"{len(problems)} threads break the official-reply guarantee.")
