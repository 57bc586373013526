"""Validation of EventBridge schedule expressions (``rate(...)`` and ``cron(...)``).

EventBridge rejects a bad expression only at apply time, after the plan was approved;
checking it while validating the catalog moves that failure into the pull request.
The rules follow the EventBridge Scheduler documentation: six cron fields
(minutes hours day-of-month month day-of-week year), exactly one of the two day fields
is ``?``, and rate units are singular for a value of 1 and plural otherwise.
"""

from __future__ import annotations

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
