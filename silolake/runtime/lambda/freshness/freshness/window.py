"""The expectation window a freshness check judges: pure date arithmetic, no AWS calls.

A check runs on an EventBridge Scheduler schedule and knows the time it was scheduled for
(``<aws.scheduler.scheduled-time>``, UTC). Two kinds of expectation:

- ``every`` only: the window is the ``every`` hours before the scheduled time (whole minutes);
- ``every`` with ``by`` (``HH:MM`` in an IANA zone, ``every`` in whole days): the window ends at
  the latest deadline at or before the scheduled time, in the zone's wall-clock time, and starts
  at the same wall-clock time ``every`` days earlier. Across a daylight-saving change the window
  is 23 or 25 hours long, as the people who set the deadline count days. A deadline that does
  not exist that day (02:30 when clocks jump from 02:00 to 03:00) is read with the offset before
  the change (Python's ``fold=0``), i.e. one hour later in wall-clock terms;
- monthly (``day`` of the month and ``by``): the window ends at the latest monthly deadline at
  or before the scheduled time and starts at the previous month's (28 to 31 days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass(frozen=True)
class Deadline:
    """A time of day (``hour`` 0-23, ``minute`` 0-59) in the IANA ``zone``."""

    hour: int
    minute: int
    zone: str


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in UTC: data timestamped in it counts for the check."""

    start: dt.datetime
    end: dt.datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 UTC time as Scheduler writes it (``2026-10-25T05:05:00Z``), as an aware datetime."""
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"scheduled time {text!r} has no time zone")
    return parsed.astimezone(UTC)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, day.day)


def monthly_window(at: dt.datetime, day: int, by: Deadline) -> Window:
    """The month judged at ``at`` (UTC): previous monthly deadline to the latest one at or before ``at``."""
    zone = ZoneInfo(by.zone)
    local = at.astimezone(zone)
    end_day = dt.date(local.year, local.month, day)
    if (local.day, local.hour, local.minute) < (day, by.hour, by.minute):
        end_day = _months_before(end_day, 1)
    start_day = _months_before(end_day, 1)
    at_time = dt.time(by.hour, by.minute)
    end = dt.datetime.combine(end_day, at_time, tzinfo=zone)
    start = dt.datetime.combine(start_day, at_time, tzinfo=zone)
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def window(scheduled: dt.datetime, every_hours: int, by: Deadline | None, month_day: int | None = None) -> Window:
    """The window judged by a check scheduled at ``scheduled`` (aware, any zone); ``month_day``: a
    monthly expectation's day of the month (``by`` required)."""
    at = scheduled.astimezone(UTC).replace(second=0, microsecond=0)
    if month_day is not None:
        if by is None:
            raise ValueError("a monthly expectation needs its deadline (by)")
        return monthly_window(at, month_day, by)
    if by is None:
        return Window(at - dt.timedelta(hours=every_hours), at)
    if every_hours % 24:
        raise ValueError(f"a deadline needs whole days, got every {every_hours}h")
    zone = ZoneInfo(by.zone)
    local = at.astimezone(zone)
    day = local.date()
    if (local.hour, local.minute) < (by.hour, by.minute):
        day -= dt.timedelta(days=1)
    end = dt.datetime.combine(day, dt.time(by.hour, by.minute), tzinfo=zone)
    start = dt.datetime.combine(day - dt.timedelta(days=every_hours // 24), dt.time(by.hour, by.minute), tzinfo=zone)
    return Window(start.astimezone(UTC), end.astimezone(UTC))
