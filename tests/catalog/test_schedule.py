"""EventBridge schedule expressions (silolake.catalog.schedule.check_schedule).

EventBridge only rejects a bad expression at apply time; these cases pin what the
validator accepts so the failure moves into the pull request instead.
"""

from __future__ import annotations

import pytest

from silolake.catalog.schedule import check_schedule

GOOD = [
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(1 day)",
    "rate(30 days)",
    "cron(0 12 * * ? *)",  # every day at noon
    "cron(15 10 ? * 6L 2030-2035)",  # last Friday of the month, years 2030-2035
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(*/5 8-17 ? * MON-FRI *)",
    "cron(0 6 2 * ? *)",
    "cron(0 9 ? * 2#1 *)",  # first Monday
    "cron(0 9 ? * MON#3 *)",
    "cron(0 0 L * ? *)",  # last day of the month
    "cron(0 0 LW * ? *)",
    "cron(0 0 15W * ? *)",  # weekday nearest the 15th
    "cron(0 0 1,15 * ? *)",
    "cron(0 0 ? JAN,JUL SUN *)",
    "cron(0 0 ? jan-mar * *)",  # names are case-insensitive
    "cron(0 0 ? * FRI-MON *)",  # day-of-week ranges may wrap
    "cron(59 23 31 12 ? 2199)",
    "cron(0 0 ? * L *)",
]


@pytest.mark.parametrize("expression", GOOD)
def test_valid_expressions(expression: str) -> None:
    assert check_schedule(expression) is None


BAD = [
    # rate(): value, unit and EventBridge's singular/plural rule
    ("rate(0 minutes)", "rate value must be a positive whole number"),
    ("rate(2 hour)", "write rate(2 hours): EventBridge wants the singular unit only for 1"),
    ("rate(1 hours)", "write rate(1 hour): EventBridge wants the singular unit only for 1"),
    ("rate(5 weeks)", "rate unit 'weeks' must be minute(s), hour(s) or day(s)"),
    ("rate(5 seconds)", "rate unit 'seconds' must be minute(s), hour(s) or day(s)"),
    ("rate(-1 minutes)", None),
    ("rate(1.5 hours)", None),
    ("rate(5)", None),
    ("rate(5 Minutes)", None),
    ("rate(\u0665 minutes)", None),  # ARABIC-INDIC DIGIT FIVE is not a number to EventBridge
    ("rate(1 hour)\n", None),  # a YAML block scalar's trailing newline
    ("every hour", None),
    ("", None),
    ("0 12 * * ? *", None),  # cron fields without cron(...)
    # cron(): field count and the day-of-month / day-of-week rule
    ("cron(0 12 * * ?)", "cron needs 6 fields (minutes hours day-of-month month day-of-week year), got 5"),
    ("cron(0 0 12 * * ? *)", "cron needs 6 fields (minutes hours day-of-month month day-of-week year), got 7"),
    ("cron(0 12 * * * *)", "cron: exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 12 ? * ? *)", "cron: exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 12 1 * MON *)", "cron: exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(? 12 * * ? *)", "cron minutes: '?' is only allowed in day-of-month or day-of-week"),
    ("cron(0 12 * ? ? *)", "cron month: '?' is only allowed in day-of-month or day-of-week"),
    ("cron(0 12 * * ? ?)", "cron year: '?' is only allowed in day-of-month or day-of-week"),
    # ranges of each field
    ("cron(60 12 * * ? *)", "cron minutes: 60 is outside 0-59"),
    ("cron(0 24 * * ? *)", "cron hours: 24 is outside 0-23"),
    ("cron(0 0 0 * ? *)", "cron day-of-month: 0 is outside 1-31"),
    ("cron(0 0 32 * ? *)", "cron day-of-month: 32 is outside 1-31"),
    ("cron(0 0 1 13 ? *)", "cron month: 13 is outside 1-12"),
    ("cron(0 0 ? * 8 *)", "cron day-of-week: 8 is outside 1-7"),
    ("cron(0 0 * * ? 1969)", "cron year: 1969 is outside 1970-2199"),
    ("cron(0 0 * * ? 2200)", "cron year: 2200 is outside 1970-2199"),
    # names, steps, ranges, special characters
    (
        "cron(0 0 * FOO ? *)",
        "cron month: 'FOO' is not a number or one of JAN/FEB/MAR/APR/MAY/JUN/JUL/AUG/SEP/OCT/NOV/DEC",
    ),
    ("cron(0 0 ? * MONDAY *)", "cron day-of-week: 'MONDAY' is not a number or one of SUN/MON/TUE/WED/THU/FRI/SAT"),
    (
        "cron(0 0 * JAN-FOO ? *)",
        "cron month: 'FOO' is not a number or one of JAN/FEB/MAR/APR/MAY/JUN/JUL/AUG/SEP/OCT/NOV/DEC",
    ),
    ("cron(x 0 * * ? *)", "cron minutes: 'x' is not a number"),
    ("cron(0/0 * * * ? *)", "cron minutes: step '/0' must be a positive number"),
    ("cron(*/x * * * ? *)", "cron minutes: step '/x' must be a positive number"),
    ("cron(0 17-9 * * ? *)", "cron hours: range 17-9 runs backwards"),
    ("cron(0 0 1,,2 * ? *)", "cron day-of-month: '' is not a number"),
    ("cron(0 0 ? * 2#6 *)", "cron day-of-week: '#6' must be #1 to #5"),
    ("cron(0 0 40W * ? *)", "cron day-of-month: 40 is outside 1-31"),
    ("cron(0 0 ? * 9L *)", "cron day-of-week: 9 is outside 1-7"),
    ("cron(0 0 L * ? *", None),
]


@pytest.mark.parametrize("expression, reason", BAD)
def test_invalid_expressions(expression: str, reason: str | None) -> None:
    got = check_schedule(expression)
    assert got is not None
    if reason is None:  # not recognisable as either form: the message shows both forms
        assert got == ("must be rate(<n> <unit>) or cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)")
    else:
        assert got == reason
