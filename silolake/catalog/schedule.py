"""Validation of EventBridge schedule expressions (``rate(...)`` and ``cron(...)``).

EventBridge rejects a bad expression only at apply time, after the plan was approved;
checking it while validating the catalog moves that failure into the pull request.
The rules follow the EventBridge Scheduler documentation: six cron fields
(minutes hours day-of-month month day-of-week year), exactly one of the two day fields
is ``?``, and rate units are singular for a value of 1 and plural otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

_RATE = re.compile(r"rate\(\s*([0-9]+)\s+([a-z]+)\s*\)")  # used with fullmatch: no trailing newline
_CRON = re.compile(r"cron\((.*)\)")
_UNITS = ("minute", "hour", "day")
_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() would also accept non-ASCII digits
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

# (name, low, high, names usable instead of numbers, extra single-token forms allowed)
_FIELDS = (
    ("minutes", 0, 59, (), ()),
    ("hours", 0, 23, (), ()),
    ("day-of-month", 1, 31, (), ("L", "LW")),
    ("month", 1, 12, _MONTHS, ()),
    ("day-of-week", 1, 7, _DAYS, ("L",)),
    ("year", 1970, 2199, (), ()),
)


def _value(token: str, low: int, high: int, names: Sequence[str], field: str) -> int:
    upper = token.upper()
    if upper in names:
        return names.index(upper) + low
    if not _DIGITS.fullmatch(token):
        raise ValueError(f"{field}: '{token}' is not a number" + (f" or one of {'/'.join(names)}" if names else ""))
    value = int(token)
    if not low <= value <= high:
        raise ValueError(f"{field}: {value} is outside {low}-{high}")
    return value


def _check_field(text: str, index: int) -> None:
    field, low, high, names, extras = _FIELDS[index]
    if text == "?" and index not in (2, 4):
        raise ValueError(f"{field}: '?' is only allowed in day-of-month or day-of-week")
    if text in ("*", "?") or text.upper() in extras:
        return
    for part in text.split(","):
        if index == 2 and re.fullmatch(r"[0-9]{1,2}W", part):  # nearest weekday, e.g. 15W
            _value(part[:-1], low, high, names, field)
            continue
        if index == 4 and "#" in part:  # nth weekday of month, e.g. 3#2
            day, _, nth = part.partition("#")
            _value(day, low, high, names, field)
            if nth not in {"1", "2", "3", "4", "5"}:
                raise ValueError(f"{field}: '#{nth}' must be #1 to #5")
            continue
        if index == 4 and re.fullmatch(r"\w+L", part):  # last given weekday, e.g. 6L
            _value(part[:-1], low, high, names, field)
            continue
        base, slash, step = part.partition("/")
        if slash and (not _DIGITS.fullmatch(step) or int(step) == 0):
            raise ValueError(f"{field}: step '/{step}' must be a positive number")
        if base == "*" and slash:
            continue
        start, dash, end = base.partition("-")
        first = _value(start, low, high, names, field)
        if dash:
            last = _value(end, low, high, names, field)
            if last < first and index != 4:
                raise ValueError(f"{field}: range {base} runs backwards")


def check_schedule(expression: str) -> str | None:
    """Return ``None`` when ``expression`` is valid, else a short reason with a fix."""
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            return "rate value must be a positive whole number"
        singular = unit.rstrip("s")
        if singular not in _UNITS:
            return f"rate unit '{unit}' must be minute(s), hour(s) or day(s)"
        expected = singular if value == 1 else singular + "s"
        if unit != expected:
            return f"write rate({value} {expected}): EventBridge wants the singular unit only for 1"
        return None
    cron = _CRON.fullmatch(expression)
    if not cron:
        return "must be rate(<n> <unit>) or cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)"
    fields = cron.group(1).split()
    if len(fields) != 6:
        return f"cron needs 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}"
    if (fields[2] == "?") == (fields[4] == "?"):
        return "cron: exactly one of day-of-month and day-of-week must be '?'"
    try:
        for index, text in enumerate(fields):
            _check_field(text, index)
    except ValueError as exc:
        return f"cron {exc}"
    return None


#: Cron fields the longest-interval walk cannot expand exactly (last day, nearest weekday,
#: nth weekday): such schedules fire about monthly, so they are judged as firing every 35 days.
_MONTHLY_TOKENS = re.compile(r"[LW#]")
#: How long the walk looks ahead for cron schedules (two years covers leap years and 5-week months).
_WALK_DAYS = 2 * 366


def _expand(text: str, index: int) -> set[int]:
    """The values a valid cron field (:func:`check_schedule` accepted it) stands for."""
    _field, low, high, names, _extras = _FIELDS[index]
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        start, dash, end = base.partition("-")
        first = low if start == "*" else _value(start, low, high, names, _field)
        last = (high if (start == "*" or step) else first) if not dash else _value(end, low, high, names, _field)
        span = range(first, last + 1) if last >= first else [*range(first, high + 1), *range(low, last + 1)]
        values.update(list(span)[:: int(step) if step else 1])
    return values


def longest_interval(expression: str) -> dt.timedelta | None:
    """The longest time between two consecutive runs of a valid ``expression``, or ``None``
    when a ``cron`` restricts its year field (a schedule that eventually stops has no period).

    ``rate(n unit)`` is exact; a ``cron`` is walked day by day over two years from
    2026-01-01 (UTC, EventBridge's day-of-week 1 = Sunday). Used to refuse expectations no
    pipeline can meet: a flow cannot be expected conformed every 6 h when it runs daily.
    """
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        return dt.timedelta(**{unit + "s": value})
    fields = _CRON.fullmatch(expression).group(1).split()  # type: ignore[union-attr]
    if fields[5] != "*":
        return None
    if _MONTHLY_TOKENS.search(fields[2] + fields[4]):
        return dt.timedelta(days=35)
    minutes = _minutes(fields)
    within_day = max((b - a for a, b in zip(minutes, minutes[1:], strict=False)), default=0)
    days = _days(fields, dt.date(2026, 1, 1), _WALK_DAYS)
    if not days:
        return None
    between = max(
        ((b - a).days * 1440 + minutes[0] - minutes[-1] for a, b in zip(days, days[1:], strict=False)),
        default=0,
    )
    return dt.timedelta(minutes=max(within_day, between, 1))


def _minutes(fields: list[str]) -> list[int]:
    """Minutes after midnight at which a valid cron fires on a day it runs, ascending."""
    return sorted(h * 60 + m for h in _expand(fields[1], 1) for m in _expand(fields[0], 0))


def _days(fields: list[str], start: dt.date, count: int) -> list[dt.date]:
    """The days among ``count`` days from ``start`` on which a valid cron (no L/W/#) runs."""
    months, doms, dows = _expand(fields[3], 3), _expand(fields[2], 2), _expand(fields[4], 4)
    return [
        day
        for day in (start + dt.timedelta(days=n) for n in range(count))
        if day.month in months and (day.day in doms if fields[4] == "?" else (day.weekday() + 1) % 7 + 1 in dows)
    ]


def cron_runs(expression: str, start: dt.date, days: int) -> list[dt.datetime] | None:
    """Every run (UTC, aware) of a valid ``cron(...)`` over ``days`` days from ``start``; ``None``
    for a ``rate()``, a restricted year or a field the walk cannot expand exactly (L, W, #)."""
    cron = _CRON.fullmatch(expression)
    if not cron:
        return None
    fields = cron.group(1).split()
    if fields[5] != "*" or _MONTHLY_TOKENS.search(fields[2] + fields[4]):
        return None
    minutes = _minutes(fields)
    return [
        dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(minutes=m)
        for day in _days(fields, start, days)
        for m in minutes
    ]
