from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from accounts.roles import is_moderator
from community.config.scale.generator import generate_threads
from community.config.scale.writer import plain_html
from community.markdown import render_markdown
from community.models import HelpfulVote, MeToo, Reply, TaggedThread, Thread, Visibility
from community.selectors import search_threads
from moderation.selectors import queue_problems

UNTIL = datetime(2026, 6, 1, tzinfo=UTC)
SMALL = {"threads": 30, "replies_per_thread": 3, "members": 20, "seed": 7}


def _seed(**arguments) -> str:
    out = StringIO()
    options = {**SMALL, "until": UNTIL.date(), **arguments}
    call_command("seed_scale", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return _seed()


def _fingerprint_of_plans(seed: int) -> list[tuple]:
    plans = generate_threads(
        seed=seed,
        threads=SMALL["threads"],
        replies_per_thread=SMALL["replies_per_thread"],
        members=SMALL["members"],
        until=UNTIL,
    )
    return [
        (
            plan.title,
            plan.body,
            plan.author,
            plan.visibility,
            plan.created_at,
            plan.solution,
            [
                (reply.body, reply.author, reply.visibility, reply.created_at)
                for reply in plan.replies
            ],
        )
        for plan in plans
    ]


def test_seed_scale_same_seed_same_community():
    assert _fingerprint_of_plans(7) == _fingerprint_of_plans(7)
    assert _fingerprint_of_plans(7) != _fingerprint_of_plans(8)


def test_seed_scale_writes_what_the_generator_planned(seeded):
    planned = [(title, visibility) for title, _b, _a, visibility, *_ in _fingerprint_of_plans(7)]
    written = list(Thread.objects.order_by("pk").values_list("title", "visibility"))
    assert written == planned
    assert Reply.objects.count() == sum(len(plan[-1]) for plan in _fingerprint_of_plans(7))


def test_seed_scale_counters_match_recount(seeded):
    out = StringIO()
    call_command("recount", "--check", stdout=out)
    assert "All counters match their rows." in out.getvalue()
    # Not a vacuous match: there are votes and "me too"s to count.
    assert HelpfulVote.objects.exists()
    assert MeToo.objects.count() > Thread.objects.count()


def test_seed_scale_queue_has_no_problems(seeded):
    assert queue_problems() == []
    out = StringIO()
    call_command("check_queue", stdout=out)
    assert "0 breaking the guarantee" in out.getvalue()
    assert "recount --check" in seeded and "All counters match their rows." in seeded


def test_seed_scale_thread_dates_follow_the_services(seeded):
    for thread in Thread.objects.select_related("category").prefetch_related("replies"):
        visible = [reply for reply in thread.replies.all() if reply.visibility == "visible"]
        first_official = min((r.created_at for r in visible if r.is_official), default=None)
        assert thread.first_official_reply_at == first_official
        if thread.visibility == Visibility.PENDING:
            assert thread.published_at is None
        else:
            assert thread.published_at == thread.created_at
        assert thread.response_due_at > thread.created_at
        public = [r.created_at for r in thread.replies.all() if r.visibility != "pending"]
        assert thread.last_activity_at == max([thread.created_at, *public])


def test_seed_scale_has_every_status(seeded):
    threads = Thread.objects.all()
    assert threads.filter(solution__isnull=False, solved_at__isnull=False).exists()
    assert threads.filter(visibility="visible", reply_count=0).exists()
    assert threads.filter(visibility="visible", first_official_reply_at__isnull=True).exists()
    assert threads.filter(first_official_reply_at__isnull=False).exists()
    assert threads.filter(visibility=Visibility.PENDING).exists()
    assert threads.filter(visibility=Visibility.HIDDEN).exclude(hidden_reason="").exists()
    assert threads.filter(is_locked=True).exists()
    assert threads.filter(is_pinned=True).exists()
    assert Reply.objects.filter(visibility=Visibility.HIDDEN).exclude(hidden_reason="").exists()
    assert Reply.objects.filter(visibility=Visibility.PENDING).exists()
    assert TaggedThread.objects.exists()
    # Every solution is a visible reply of its own thread.
    for thread in threads.filter(solution__isnull=False).select_related("solution"):
        assert thread.solution.thread_id == thread.pk
        assert thread.solution.visibility == Visibility.VISIBLE


def test_seed_scale_official_replies_come_from_moderators(seeded):
    official = Reply.objects.filter(is_official=True).select_related("author")
    assert official.exists()
    assert all(is_moderator(reply.author) for reply in official)
    assert not any(
        is_moderator(reply.author) for reply in Reply.objects.filter(is_official=False)[:50]
    )
    assert User.objects.filter(username__startswith="scale-member-").count() == 20


def test_seed_scale_search_finds_a_thread_by_its_title(seeded):
    thread = Thread.objects.filter(visibility="visible").order_by("pk").first()
    page = search_threads(query=thread.title)
    assert thread in page.object_list


def test_seed_scale_body_html_is_what_markdown_renders():
    plans = generate_threads(seed=3, threads=200, replies_per_thread=5, members=50, until=UNTIL)
    for plan in plans:
        for body in [plan.body, *(reply.body for reply in plan.replies)]:
            assert plain_html(body) == render_markdown(body)


def test_plain_html_escapes_markup():
    assert plain_html("<b>a & b</b>") == "<p>&lt;b&gt;a &amp; b&lt;/b&gt;</p>\n"


def test_seed_scale_refuses_to_run_twice(seeded):
    with pytest.raises(CommandError, match="fresh database"):
        _seed()


@pytest.mark.parametrize(
    "arguments",
    [
        {"threads": -1},
        {"replies_per_thread": -2},
        {"members": -5},
        {"batch_size": 0},
        {"members": 1},
    ],
)
def test_seed_scale_bad_arguments(db, arguments):
    with pytest.raises(CommandError):
        _seed(**arguments)
    assert not User.objects.filter(username__startswith="scale-").exists()


def test_seed_scale_without_replies(db):
    _seed(threads=10, replies_per_thread=0)
    assert not Reply.objects.exists()
    assert Thread.objects.filter(reply_count=0).count() == 10
    assert queue_problems() == []
