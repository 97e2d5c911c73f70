"""Put back in the queue the background tasks that a killed worker left RUNNING.

django-tasks' database worker (`manage.py db_worker`) claims a task by marking it
RUNNING and nothing ever looks at a RUNNING task again: a worker killed mid-task
(SIGKILL, out of memory, the machine restarted) leaves its task RUNNING for ever,
never done. This command marks such tasks READY again, so the next worker runs
them. Every task of ours may run twice: e-mails are claimed once each
(community.tasks), index updates overwrite the entry.

A running worker keeps no lock or heartbeat on its task, so this command cannot
tell a dead worker's task from a live one's: run it with no worker running (as the
step before starting the workers, `--older-than 0`), or with a threshold longer
than any task takes (the default, 30 minutes).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Mark RUNNING background tasks that started over N minutes ago READY again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=30,
            metavar="MINUTES",
            help="Only tasks started at least this many minutes ago (0: every RUNNING task).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be put back; change nothing."
        )

    def handle(self, *args, older_than: float, dry_run: bool, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more minutes.")
        cutoff = timezone.now() - timedelta(minutes=older_than)
        with transaction.atomic():
            stale = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(status=TaskResultStatus.RUNNING)
                .filter(started_at__lte=cutoff)
            )
            found = list(stale.values_list("pk", "task_path"))
            if not dry_run:
                DBTaskResult.objects.filter(pk__in=[pk for pk, _path in found]).update(
                    status=TaskResultStatus.READY, started_at=None
                )
        for pk, task_path in found:
            self.stdout.write(f"{'would requeue' if dry_run else 'requeued'} {task_path} {pk}")
        verb = "would be put back" if dry_run else "put back in the queue"
        self.stdout.write(f"{len(found)} stale task(s) {verb}.")
