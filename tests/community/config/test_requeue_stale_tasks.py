"""`manage.py requeue_stale_tasks`: a task left RUNNING by a killed worker runs again.

django-tasks' database worker never looks at a RUNNING task again; here a worker's
claim is made as db_worker makes it, the worker "dies", and the command puts the
task back, after which a worker runs it to success, sending its e-mail once.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from community.models import Notification
from community.tasks import index_thread_task, send_notification_emails_task
from tests.factories import ReplyFactory, ThreadFactory, UserFactory

# db_worker closes connections it finds outside autocommit between batches, as a test
# transaction would be: on PostgreSQL these tests run without one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def claimed(task_result, *, minutes_ago: float) -> DBTaskResult:
    """The row as a worker leaves it when it is killed after claiming it."""
    row = DBTaskResult.objects.get(pk=task_result.id)
    row.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return row


def requeue(*args) -> str:
    out = StringIO()
    call_command("requeue_stale_tasks", *args, stdout=out)
    return out.getvalue()


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())


def test_a_killed_workers_task_is_put_back_and_runs_once(database_tasks, mailoutbox):
    thread = ThreadFactory()
    reply = ReplyFactory(thread=thread)
    notification = Notification.objects.create(
        recipient=UserFactory(),
        kind=Notification.Kind.REPLY,
        actor=reply.author,
        thread=thread,
        reply=reply,
    )
    result = send_notification_emails_task.enqueue([notification.pk])
    row = claimed(result, minutes_ago=1)

    # Without the command, a worker never takes the RUNNING task again.
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    assert mailoutbox == []

    assert "1 stale task(s) put back" in requeue("--older-than", "0")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY

    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert [message.to for message in mailoutbox] == [[notification.recipient.email]]


def test_only_tasks_older_than_the_threshold_are_put_back(database_tasks):
    thread = ThreadFactory()
    old = claimed(index_thread_task.enqueue(thread.pk), minutes_ago=45)
    recent = claimed(index_thread_task.enqueue(thread.pk), minutes_ago=5)

    output = requeue()  # 30 minutes by default

    assert "1 stale task(s) put back" in output
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == TaskResultStatus.READY
    assert recent.status == TaskResultStatus.RUNNING


def test_dry_run_changes_nothing(database_tasks):
    row = claimed(index_thread_task.enqueue(ThreadFactory().pk), minutes_ago=60)

    assert "1 stale task(s) would be put back" in requeue("--dry-run")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_finished_and_waiting_tasks_are_left_alone(database_tasks):
    waiting = index_thread_task.enqueue(ThreadFactory().pk)

    assert "0 stale task(s)" in requeue("--older-than", "0")
    assert DBTaskResult.objects.get(pk=waiting.id).status == TaskResultStatus.READY
