"""The team's business hours: when the brand's clock runs.

Targets are in business hours. With a team working 9:00 to 17:00 on weekdays, a
question asked on Friday at 16:00 with an 8-hour target is due on Monday at 16:00.
The calendar is the team's time zone, its opening periods per weekday in local
wall-clock time (so a change of daylight saving time moves no opening hour, and a
business hour is always sixty real minutes) and its closed days. A calendar with no
opening period counts every hour of every day that is not closed; with no closed
day either, it is the plain clock, as before editors set any hours.

Pure functions of their arguments: nothing here reads the database.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead a due time is looked for. Past a year of closed days in a row the
# calendar counts around the clock, so a mistaken holiday list cannot push a promise
# out of sight.
HORIZON_DAYS = 400

MIDNIGHT = time(0)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class OpeningPeriod:
    """The team works from `opens` to `closes` on `weekday` (0 is Monday, as
    date.weekday()); `closes` at midnight means the end of that day."""

    weekday: int
    opens: time
    closes: time

    def bounds_on(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        end_day = day + ONE_DAY if self.closes == MIDNIGHT else day
        start = datetime.combine(day, self.opens, tzinfo=tz)
        end = datetime.combine(end_day, self.closes, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: ZoneInfo
    periods: tuple[OpeningPeriod, ...] = ()
    closed_days: frozenset[date] = frozenset()

    @property
    def is_plain_clock(self) -> bool:
        return not self.periods and not self.closed_days

    def open_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open intervals in UTC, in order, overlapping periods merged."""
        if day in self.closed_days:
            return []
        if not self.periods:
            whole_day = OpeningPeriod(day.weekday(), MIDNIGHT, MIDNIGHT)
            return [whole_day.bounds_on(day, self.time_zone)]
        bounds = sorted(
            period.bounds_on(day, self.time_zone)
            for period in self.periods
            if period.weekday == day.weekday()
        )
        merged: list[tuple[datetime, datetime]] = []
        for start, end in bounds:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            elif start < end:
                merged.append((start, end))
        return merged

    def intervals(self, start: datetime, end: datetime | None = None):
        """The open intervals from `start` until `end` (or the horizon), clipped."""
        day = start.astimezone(self.time_zone).date()
        last = end.astimezone(self.time_zone).date() if end else day + timedelta(HORIZON_DAYS)
        while day <= last:
            for opens, closes in self.open_on(day):
                opens, closes = max(opens, start), min(closes, end) if end else closes
                if opens < closes:
                    yield opens, closes
            day += ONE_DAY

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of business time has passed since `start`."""
        if self.is_plain_clock:
            return start + duration
        left, cursor = duration, start
        for opens, closes in self.intervals(start):
            if closes - opens >= left:
                return opens + left
            left -= closes - opens
            cursor = closes
        return max(cursor, start + timedelta(HORIZON_DAYS)) + left

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The business time from `start` to `end` (nothing when end comes first)."""
        if end <= start:
            return timedelta(0)
        if self.is_plain_clock:
            return end - start
        return sum((b - a for a, b in self.intervals(start, end)), timedelta(0))

    def ruler(self, start: datetime, end: datetime) -> "BusinessRuler":
        """For measuring many spans between `start` and `end` at once (the metrics):
        each measure then costs a binary search, not a walk through the days."""
        return BusinessRuler(self, start, end)


class BusinessRuler:
    """Business seconds counted from `start`, read at any moment up to `end`."""

    def __init__(self, calendar: BusinessCalendar, start: datetime, end: datetime):
        self.plain = calendar.is_plain_clock
        self.start = start
        self.opens: list[datetime] = []
        self.closes: list[datetime] = []
        self.before: list[float] = []
        if self.plain:
            return
        counted = 0.0
        for opens, closes in calendar.intervals(start, max(start, end)):
            self.opens.append(opens)
            self.closes.append(closes)
            self.before.append(counted)
            counted += (closes - opens).total_seconds()

    def seconds_at(self, moment: datetime) -> float:
        if self.plain:
            return (moment - self.start).total_seconds()
        index = bisect_right(self.opens, moment) - 1
        if index < 0:
            return 0.0
        inside = min(moment, self.closes[index]) - self.opens[index]
        return self.before[index] + inside.total_seconds()

    def seconds_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, self.seconds_at(end) - self.seconds_at(start))
