"""Following the conversation, measured: the time to each follow-up, the wait on the
customer and the time to resolution, in business hours; satisfaction per category
and per moderator. Each figure is recomputed from its scenario."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest

from community.models import CommunitySettings, MeToo, ResolutionCheck, SatisfactionRating, Thread
from moderation import metrics
from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A Wednesday, so a scenario of a few hours stays inside the week.
NOW = datetime(2026, 12, 9, 18, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def asked(at, category=None, **extra) -> Thread:
    return ThreadFactory(
        category=category or CategoryFactory(),
        created_at=at,
        published_at=at,
        response_due_at=at + 24 * HOUR,
        **extra,
    )


def official(thread, at, moderator=None):
    reply = ReplyFactory(
        thread=thread, author=moderator or ModeratorFactory(), is_official=True, created_at=at
    )
    if thread.first_official_reply_at is None or at < thread.first_official_reply_at:
        Thread.objects.filter(pk=thread.pk).update(first_official_reply_at=at)
        thread.first_official_reply_at = at
    return reply


def solved(thread, reply, at):
    Thread.objects.filter(pk=thread.pk).update(
        solution=reply, solution_marked_by=thread.author, solved_at=at
    )


@pytest.fixture
def conversation():
    """Thread A, solved: asked at 0; the brand at +2 h; the asker back at +5 h; the
    brand at +6 h; solved at +10 h. Waits: 3 h and 4 h; one follow-up of 1 h;
    resolution 10 - 7 = 3 h.

    Thread B, still open: asked at 0; the brand at +1 h; a "me too" member back at
    +2 h; the brand again at +3 h and +3.5 h (no new follow-up); "Not yet" at +4 h;
    the brand at +7 h. Waits: 1 h, 1 h (from the first of the two replies in a row),
    then from +7 h until now; follow-ups 1 h and 3 h. A peer's reply changes nothing."""
    start_a = NOW - 30 * HOUR
    a = asked(start_a)
    official(a, start_a + 2 * HOUR)
    ReplyFactory(thread=a, author=a.author, created_at=start_a + 5 * HOUR)
    solution = official(a, start_a + 6 * HOUR)
    ReplyFactory(thread=a, created_at=start_a + 7 * HOUR)  # a peer
    solved(a, solution, start_a + 10 * HOUR)

    start_b = NOW - 20 * HOUR
    b = asked(start_b)
    first = official(b, start_b + HOUR)
    also = UserFactory()
    MeToo.objects.create(thread=b, user=also)
    ReplyFactory(thread=b, author=also, created_at=start_b + 2 * HOUR)
    official(b, start_b + 3 * HOUR)
    official(b, start_b + 3.5 * HOUR)
    ReplyFactory(thread=b, created_at=start_b + 3.75 * HOUR)  # a peer
    ResolutionCheck.objects.create(
        thread=b,
        asker=b.author,
        reply=first,
        answer=ResolutionCheck.Answer.NOT_YET,
        answered_at=start_b + 4 * HOUR,
    )
    official(b, start_b + 7 * HOUR)
    return a, b


def hours(values):
    return sorted(round(value / 3600, 3) for value in values)


def test_each_timing_of_the_scenario(conversation):
    report = metrics.support_metrics(now=NOW, period_days=7)

    assert hours(report.times.follow_up) == [1, 1, 3]
    # A: 3 + 4; B: 1 + 1 + the 13 hours since its last official reply.
    assert hours(report.times.waiting) == [7, 15]
    assert hours(report.times.resolution) == [3]
    assert report.follow_up_median == 3600
    assert report.follow_up_p90 == 3 * 3600
    assert report.resolution_median == report.resolution_p90 == 3 * 3600
    assert report.waiting_median == pytest.approx((7 + 15) / 2 * 3600)


def test_a_thread_the_brand_never_answered_has_no_timing():
    asked(NOW - 5 * HOUR)

    report = metrics.support_metrics(now=NOW, period_days=7)

    assert report.times == metrics.ConversationTimes()
    assert report.follow_up_median is None
    assert report.resolution_median is None


@pytest.fixture
def office_hours():
    """The team works 9:00 to 17:00 UTC on weekdays; closed on Monday 7 December."""
    rules = CommunitySettings.load()
    rules.time_zone = "UTC"
    rules.opening_hours = [
        ("period", {"weekday": str(day), "opens": time(9), "closes": time(17)}) for day in range(5)
    ]
    rules.closed_days = [("closed", {"name": "Team day", "first_day": date(2026, 12, 7)})]
    rules.save()


def test_the_timings_count_business_hours_only(office_hours):
    # Asked on Friday 4 December at 16:00; the brand replies on Tuesday at 10:00 (one
    # hour on Friday, none on the weekend or the closed Monday, one on Tuesday); the
    # asker comes back at Tuesday 20:00 and the brand answers on Wednesday at 9:30.
    thread = asked(datetime(2026, 12, 4, 16, tzinfo=UTC))
    official(thread, datetime(2026, 12, 8, 10, tzinfo=UTC))
    ReplyFactory(
        thread=thread, author=thread.author, created_at=datetime(2026, 12, 8, 20, tzinfo=UTC)
    )
    answer = official(thread, datetime(2026, 12, 9, 9, 30, tzinfo=UTC))
    solved(thread, answer, datetime(2026, 12, 9, 11, tzinfo=UTC))

    report = metrics.support_metrics(now=NOW, period_days=7)

    assert report.first_response_median == 2 * 3600
    assert hours(report.times.follow_up) == [0.5]
    # Waits: Tuesday 10:00 to 17:00, then Wednesday 9:30 to 11:00.
    assert hours(report.times.waiting) == [8.5]
    # Friday 1 h + Tuesday 8 h + Wednesday 2 h, less 8.5 h waiting.
    assert hours(report.times.resolution) == [2.5]
    # The solution time counts business hours, the wait included.
    assert report.solution_median == 11 * 3600


@pytest.fixture
def rated():
    """Kettles: three asked, two answered (5 and 3); toasters: one asked, answered 4.
    Sam replied officially on both kettles threads he answered and the toaster one;
    Alex on one kettles thread only (twice: it counts once)."""
    kettles, toasters = CategoryFactory(slug="kettles"), CategoryFactory(slug="toasters")
    sam = ModeratorFactory(username="sam", display_name="Sam")
    alex = ModeratorFactory(username="alex", display_name="")
    k1, k2, k3 = (asked(NOW - (n + 2) * HOUR, kettles) for n in range(3))
    t1 = asked(NOW - 3 * HOUR, toasters)
    for thread in (k1, k2, t1):
        official(thread, thread.created_at + HOUR / 2, sam)
    official(k3, k3.created_at + HOUR / 2, alex)
    official(k3, k3.created_at + HOUR, alex)
    for thread, score in ((k1, 5), (k2, None), (k3, 3), (t1, 4)):
        SatisfactionRating.objects.create(
            thread=thread, member=thread.author, score=score, answered_at=NOW if score else None
        )
    return kettles, toasters


def test_satisfaction_per_category_and_per_moderator(rated):
    report = metrics.support_metrics(now=NOW, period_days=7)

    by_category = {group.handle: group for group in report.satisfaction_by_category}
    assert (by_category["kettles"].asked, by_category["kettles"].answered) == (3, 2)
    assert by_category["kettles"].score == 50
    assert by_category["kettles"].response_rate == pytest.approx(100 * 2 / 3)
    assert (by_category["toasters"].score, by_category["toasters"].response_rate) == (100, 100)

    by_moderator = {group.handle: group for group in report.satisfaction_by_moderator}
    assert set(by_moderator) == {"sam", "alex"}
    # Sam: k1 (5), k2 (unanswered), t1 (4); Alex: k3 (3), counted once.
    assert (by_moderator["sam"].asked, by_moderator["sam"].answered) == (3, 2)
    assert by_moderator["sam"].score == 100
    assert (by_moderator["alex"].asked, by_moderator["alex"].score) == (1, 0)
    assert by_moderator["alex"].name == "alex"


def test_the_page_and_the_csv_show_the_groups(rated, moderator_client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    page = moderator_client.get("/moderation/metrics/?period=7").content.decode()
    assert "Satisfaction by category" in page
    assert "Satisfaction by moderator" in page
    assert '<th scope="row">Sam</th>' in page

    response = moderator_client.get("/moderation/metrics.csv?period=7")
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode()))}
    assert rows["satisfaction_score:category:kettles"] == "50.0"
    assert rows["satisfaction_asked:moderator:sam"] == "3"
    assert rows["satisfaction_score:moderator:alex"] == "0.0"
    assert "follow_up_median" in rows
    assert "waiting_on_customer_median" in rows
