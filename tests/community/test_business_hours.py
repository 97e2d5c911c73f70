"""Business hours: the targets count the team's working time, in its time zone,
leaving out nights, weekends and closed days, and a change of daylight saving time
moves no opening hour (community.business_hours, read from CommunitySettings)."""

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from community import services
from community.business_hours import BusinessCalendar, OpeningPeriod
from community.models import CommunitySettings, Thread
from community.models.site_settings import ClosedPeriodBlock, OpeningPeriodBlock
from tests.factories import CategoryFactory, ModeratorFactory

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_TO_17 = tuple(OpeningPeriod(day, time(9), time(17)) for day in range(5))
# 2026-12-25 is a Friday; the team is closed on Christmas Day.
CHRISTMAS = date(2026, 12, 25)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def office(**kwargs) -> BusinessCalendar:
    return BusinessCalendar(time_zone=PARIS, periods=WEEKDAYS_9_TO_17, **kwargs)


# The calendar itself -------------------------------------------------------------------


def test_with_no_hours_every_hour_counts():
    calendar = BusinessCalendar(time_zone=PARIS)
    start = paris(2026, 12, 4, 16)

    assert calendar.add(start, timedelta(hours=8)) == start + timedelta(hours=8)
    assert calendar.between(start, start + timedelta(days=3)) == timedelta(days=3)


def test_a_target_runs_over_the_weekend_to_monday():
    # Friday 16:00 with 8 business hours: one hour on Friday, seven on Monday.
    due = office().add(paris(2026, 12, 4, 16), timedelta(hours=8))

    assert due == paris(2026, 12, 7, 16)


def test_a_question_asked_on_saturday_counts_from_monday_morning():
    due = office().add(paris(2026, 12, 5, 11), timedelta(hours=2))

    assert due == paris(2026, 12, 7, 11)


def test_a_closed_day_does_not_count():
    # Thursday 24 December 15:00 with 4 hours: two on Thursday, none on Christmas Day
    # (Friday) nor the weekend, two on Monday.
    due = office(closed_days=frozenset({CHRISTMAS})).add(
        paris(2026, 12, 24, 15), timedelta(hours=4)
    )

    assert due == paris(2026, 12, 28, 11)


def test_the_end_of_daylight_saving_time_moves_no_opening_hour():
    # Summer time ends on Sunday 25 October 2026 in Paris. Friday 16:00 (UTC+2) with
    # 4 hours is due Monday 12:00 (UTC+1): 69 hours of wall-clock time later, not 68.
    start = paris(2026, 10, 23, 16)
    due = office().add(start, timedelta(hours=4))

    assert due == paris(2026, 10, 26, 12)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 11, tzinfo=UTC)
    assert due - start == timedelta(hours=69)


def test_the_start_of_daylight_saving_time_moves_no_opening_hour():
    # Summer time starts on Sunday 29 March 2026: Friday 16:00 (UTC+1) plus 4 hours is
    # Monday 12:00 (UTC+2), 67 hours later.
    start = paris(2026, 3, 27, 16)
    due = office().add(start, timedelta(hours=4))

    assert due == paris(2026, 3, 30, 12)
    assert due - start == timedelta(hours=67)


def test_a_day_around_the_clock_and_split_shifts():
    calendar = BusinessCalendar(
        time_zone=PARIS,
        periods=(
            OpeningPeriod(0, time(9), time(12)),
            OpeningPeriod(0, time(14), time(18)),
            OpeningPeriod(0, time(11), time(12, 30)),  # overlaps the morning: merged
            OpeningPeriod(5, time(0), time(0)),  # Saturday, the whole day
        ),
    )
    monday = date(2026, 12, 7)

    assert calendar.between(paris(2026, 12, 7), paris(2026, 12, 8)) == timedelta(hours=7.5)
    assert calendar.open_on(monday)[0][1] == paris(2026, 12, 7, 12, 30)
    assert calendar.between(paris(2026, 12, 5), paris(2026, 12, 6)) == timedelta(hours=24)


def test_business_time_between_two_moments_skips_nights_and_weekends():
    calendar = office(closed_days=frozenset({CHRISTMAS}))

    # Thursday 16:00 to the following Tuesday 10:00: 1 + 0 (Christmas) + 8 + 1.
    assert calendar.between(paris(2026, 12, 24, 16), paris(2026, 12, 29, 10)) == timedelta(hours=10)
    assert calendar.between(paris(2026, 12, 29, 10), paris(2026, 12, 24, 16)) == timedelta(0)


def test_a_calendar_with_a_year_of_closed_days_still_gives_a_due_time():
    closed = frozenset(date(2027, 1, 1) + timedelta(days=n) for n in range(500))
    start = paris(2026, 12, 31, 16)

    due = office(closed_days=closed).add(start, timedelta(hours=4))

    assert due > start + timedelta(days=365)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=200 * 60).map(
    lambda minutes: timedelta(minutes=minutes)
)


@settings(max_examples=60, deadline=None)
@given(start=moments, duration=durations)
def test_the_due_time_is_exactly_the_target_in_business_time(start, duration):
    calendar = office(closed_days=frozenset({CHRISTMAS, date(2027, 1, 1)}))

    due = calendar.add(start, duration)

    assert calendar.between(start, due) == duration
    # No earlier moment would do: the due time is the first one that reaches it.
    if duration:
        assert calendar.between(start, due - timedelta(minutes=1)) < duration


@settings(max_examples=60, deadline=None)
@given(first=moments, second=moments)
def test_the_ruler_measures_as_the_calendar_does(first, second):
    calendar = office(closed_days=frozenset({CHRISTMAS}))
    start, end = sorted([first, second])
    ruler = calendar.ruler(datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))

    expected = calendar.between(start, end).total_seconds()
    assert ruler.seconds_between(start, end) == pytest.approx(expected, abs=0.001)


# The settings editors change ---------------------------------------------------------


def test_editors_cannot_close_before_they_open():
    block = OpeningPeriodBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"weekday": "0", "opens": "17:00", "closes": "09:00"}))
    # Closing at 00:00 is midnight, at the end of the day.
    assert block.clean(block.to_python({"weekday": "0", "opens": "17:00", "closes": "00:00"}))


def test_a_closed_period_ends_after_it_starts_and_stays_short():
    block = ClosedPeriodBlock()
    backwards = {"name": "Oops", "first_day": "2026-12-31", "last_day": "2026-12-24"}
    endless = {"name": "Oops", "first_day": "2026-01-01", "last_day": "2026-12-31"}
    for value in (backwards, endless):
        with pytest.raises(ValidationError):
            block.clean(block.to_python(value))


@pytest.fixture
def team_hours(db):
    """Paris office hours, Monday to Friday 9:00 to 17:00, closed from 24 to 26 December."""
    rules = CommunitySettings.load()
    rules.time_zone = "Europe/Paris"
    rules.opening_hours = [
        ("period", {"weekday": str(day), "opens": time(9), "closes": time(17)}) for day in range(5)
    ]
    rules.closed_days = [
        (
            "closed",
            {"name": "Christmas", "first_day": date(2026, 12, 24), "last_day": date(2026, 12, 26)},
        )
    ]
    rules.save()
    return CommunitySettings.load()


def test_the_settings_make_the_calendar(team_hours):
    calendar = team_hours.business_calendar

    assert calendar.time_zone == PARIS
    assert len(calendar.periods) == 5
    assert calendar.closed_days == {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}


# Due times on the site ---------------------------------------------------------------


@pytest.fixture
def at(monkeypatch):
    """Sets the site's clock (timezone.now) to a moment."""

    def set_to(moment: datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


@pytest.mark.django_db
def test_a_question_asked_on_friday_evening_is_due_on_monday(team_hours, at, member):
    category = CategoryFactory(first_response_hours=8)
    at(paris(2026, 12, 4, 16))

    thread = services.thread_create(author=member, category=category, title="No steam", body="…")

    assert thread.response_due_at == paris(2026, 12, 7, 16)
    # On Saturday it is not late, whatever the wall clock says.
    saturday = paris(2026, 12, 5, 20)
    assert not Thread.objects.overdue(saturday).filter(pk=thread.pk).exists()
    assert Thread.objects.overdue(paris(2026, 12, 7, 16, 1)).filter(pk=thread.pk).exists()


@pytest.fixture
def came_back(team_hours, at, member) -> Thread:
    """The brand replied on Tuesday 22 December; the customer wrote back on Wednesday
    23 at 15:00, in a category whose follow-up target is 4 hours."""
    at(paris(2026, 12, 22, 10))
    thread = services.thread_create(
        author=member, category=CategoryFactory(follow_up_hours=4), title="Leaks", body="…"
    )
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Change the seal.")
    at(paris(2026, 12, 23, 15))
    services.reply_create(author=member, thread=thread, body="Still leaking.")
    thread.refresh_from_db()
    return thread


def test_a_follow_up_is_due_in_business_hours_across_the_holiday(came_back):
    # Two hours on the 23rd, none from the 24th to the 27th, two on Monday 28.
    assert came_back.follow_up_since == paris(2026, 12, 23, 15)
    assert came_back.follow_up_due_at == paris(2026, 12, 28, 11)


def test_recounting_gives_the_same_follow_up_due_time(came_back):
    threads = Thread.objects.filter(pk=came_back.pk)
    threads.update(follow_up_since=None, follow_up_due_at=None)

    services.threads_refresh_conversation(threads)

    assert threads.get().follow_up_due_at == paris(2026, 12, 28, 11)
    call_command("check_queue")


def test_a_countrys_holidays_are_added_once(team_hours):
    call_command("import_holidays", "FR", "2027", stdout=io.StringIO())
    calendar = CommunitySettings.load().business_calendar
    assert date(2027, 7, 14) in calendar.closed_days  # Bastille Day
    assert date(2027, 12, 25) in calendar.closed_days
    count = len(CommunitySettings.load().closed_days)

    out = io.StringIO()
    call_command("import_holidays", "FR", "2027", stdout=out)

    assert "0 closed days added" in out.getvalue()
    assert len(CommunitySettings.load().closed_days) == count
    # The team's own Christmas period stays as the editors wrote it.
    assert CommunitySettings.load().closed_days[0].value["name"] == "Christmas"


def test_an_unknown_country_is_a_clear_error(team_hours):
    with pytest.raises(CommandError, match="No holidays are known"):
        call_command("import_holidays", "XX", "2027")


@pytest.mark.django_db
def test_the_asker_reads_by_when_the_team_replies(team_hours, at, member, member_client):
    at(paris(2026, 12, 4, 16))
    thread = services.thread_create(
        author=member, category=CategoryFactory(first_response_hours=8), title="No steam", body="…"
    )

    page = member_client.get(thread.get_absolute_url()).content.decode()

    # In the team's time zone, which it names.
    expected = "within 8 business hours, by Monday 7 December, 16:00 (Europe/Paris time)."
    assert expected in page
