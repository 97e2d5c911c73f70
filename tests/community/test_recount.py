"""`manage.py recount`: the repair path for counters (promise 4)."""

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import Reply, Thread, Visibility
from tests.community.test_services_counters import assert_counters_true
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db


def recount(*args) -> str:
    out = StringIO()
    call_command("recount", *args, stdout=out)
    return out.getvalue()


def make_thread(replies: int = 2, votes: int = 1, me_too: int = 1) -> Thread:
    thread = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(slug="appliances"),
        title="The toaster burns one side only",
        body="The left side stays pale.",
    )
    for number in range(replies):
        reply = services.reply_create(author=UserFactory(), thread=thread, body=f"Reply {number}")
        for _ in range(votes):
            services.reply_set_helpful(user=UserFactory(), reply=reply, helpful=True)
    for _ in range(me_too):
        services.thread_set_me_too(user=UserFactory(), thread=thread, me_too=True)
    return thread


@pytest.fixture
def thread():
    return make_thread()


def test_recount_on_true_counters_changes_nothing(thread):
    output = recount()

    assert "Corrected 0 rows." in output
    assert_counters_true(thread)


def test_recount_corrects_corrupted_counters_and_says_how_many(thread):
    clean = make_thread()
    first, second = Reply.objects.filter(thread=thread)
    Thread.objects.filter(pk=thread.pk).update(reply_count=40, me_too_count=0)
    Reply.objects.filter(pk=first.pk).update(helpful_count=9)
    Reply.objects.filter(pk=second.pk).update(helpful_count=0)

    output = recount()

    assert_counters_true(thread)
    assert_counters_true(clean)
    thread.refresh_from_db()
    assert (thread.reply_count, thread.me_too_count) == (2, 2)
    assert "threads: 1 corrected (reply_count 1, me_too_count 1)" in output
    assert "replies: 2 corrected (helpful_count 2)" in output
    assert "Corrected 3 rows." in output
    assert "Corrected 0 rows." in recount()  # and a second run finds nothing left


def test_recount_counts_only_visible_replies(thread):
    hidden = Reply.objects.filter(thread=thread).first()
    Reply.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)

    output = recount()

    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert "reply_count 1" in output
    assert_counters_true(thread)


def test_recount_sets_counters_of_rows_with_nothing_to_count_to_zero():
    thread = make_thread(replies=1, votes=0, me_too=0)
    Thread.objects.filter(pk=thread.pk).update(reply_count=0)
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Official.")
    empty = make_thread(replies=0, votes=0, me_too=0)
    Thread.objects.filter(pk=empty.pk).update(reply_count=3, me_too_count=7)
    Reply.objects.filter(thread=thread).update(helpful_count=4)

    recount()

    for each in (thread, empty):
        assert_counters_true(each)
    empty.refresh_from_db()
    assert (empty.reply_count, empty.me_too_count) == (0, 1)


def test_check_exits_non_zero_and_changes_nothing_on_mismatch(thread):
    Thread.objects.filter(pk=thread.pk).update(me_too_count=5)
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("recount", "--check", stdout=out)

    assert raised.value.returncode == 1
    assert "1 rows have counters" in str(raised.value)
    assert "threads: 1 wrong (reply_count 0, me_too_count 1)" in out.getvalue()
    assert "replies: 0 wrong" in out.getvalue()
    thread.refresh_from_db()
    assert thread.me_too_count == 5


def test_check_exits_zero_when_every_counter_is_true(thread):
    output = recount("--check")

    assert "All counters match their rows." in output


def test_check_exit_status_from_the_command_line(thread, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    execute_from_command_line(["manage.py", "recount", "--check"])  # no SystemExit: status 0

    Reply.objects.filter(thread=thread).update(helpful_count=3)
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "recount", "--check"])

    assert exited.value.code == 1
    assert "2 rows have counters" in capsys.readouterr().err


def test_small_batches_give_the_same_result():
    threads = [make_thread(replies=1, votes=1, me_too=0) for _ in range(4)]
    Thread.objects.update(reply_count=11)
    Reply.objects.update(helpful_count=11)

    output = recount("--batch-size", "1")

    assert "Corrected 8 rows." in output
    for thread in threads:
        assert_counters_true(thread)


def test_batch_size_must_be_positive():
    with pytest.raises(CommandError, match="batch-size"):
        recount("--batch-size", "0")


def test_recount_is_set_based_its_queries_do_not_grow_with_rows():
    make_thread()

    def queries() -> int:
        Thread.objects.update(reply_count=99, me_too_count=99)
        Reply.objects.update(helpful_count=99)
        with CaptureQueriesContext(connection) as captured:
            recount()
        return len(captured)

    few = queries()
    for _ in range(5):
        make_thread(replies=3, votes=2, me_too=2)
    many = queries()

    assert few == many
    assert few <= 12
