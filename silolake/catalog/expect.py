"""Declared expectations of a flow (``silos[].flows[].expect``): model and validation.

``expect`` says how often data must arrive (``every``: ``<n>h`` or ``<n>d``, 1 h to 7 d),
optionally by when (``by``: ``"HH:MM <IANA zone>"``, only with whole days), how many rejected
rows a run may tolerate (``max_reject_ratio``, 0 < r < 1) and, for file flows, the same per
partner (keyed by the partner's dropzone folder, the username the credential admin issues).
The alarms, freshness checks and dashboards read :class:`FlowExpectations`
(:mod:`silolake.policy.health_metrics`, docs/operations.md).

Validation here covers what JSON Schema cannot: the range of durations, a deadline only with
whole days, a time zone zoneinfo knows, the ratio's open interval, partners only where files
arrive from partners, and expectations the flow's own ETL schedule can answer.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..channels import FILE_SOURCES
from .errors import Path as KeyPath
from .schedule import check_schedule, longest_interval

#: ``every`` bounds, in hours: hourly is the finest the freshness check resolves; a week is
#: the longest a CloudWatch metric is kept at one-minute resolution with margin (15 days).
MIN_EVERY_HOURS, MAX_EVERY_HOURS = 1, 7 * 24
#: The check of a ``by`` deadline runs this many minutes after it (EMF data become readable).
CHECK_GRACE_MINUTES = 5
_DURATION = re.compile(r"([1-9][0-9]*)([hd])")
_DEADLINE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9]) (\S+)")
#: Flow sources whose files come from named partners (the dropzone's ``<partner>/`` folders).
PARTNER_SOURCES = FILE_SOURCES


@dataclass(frozen=True)
class Deadline:
    """A time of day in an IANA time zone: ``hour`` (0-23), ``minute`` (0-59), ``zone`` (e.g. Europe/Rome)."""

    hour: int
    minute: int
    zone: str

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d} {self.zone}"


@dataclass(frozen=True)
class Expectation:
    """Data is expected at least every ``every_hours`` hours; with ``by``, by that time of day
    (``every_hours`` is then a whole number of days)."""

    every_hours: int
    by: Deadline | None = None

    @property
    def every_text(self) -> str:
        """``every`` as the catalog writes it (``1d``, ``6h``)."""
        days, hours = divmod(self.every_hours, 24)
        return f"{days}d" if days and not hours else f"{self.every_hours}h"


@dataclass(frozen=True)
class FlowExpectations:
    """``flows[].expect``: the flow's own expectation (``None`` when only partners are expected),
    the largest tolerated share of rejected rows (``None``: any rejected row alarms) and the
    per-partner expectations as ``(partner, Expectation)`` pairs in catalog order."""

    flow: Expectation | None
    max_reject_ratio: float | None
    partners: tuple[tuple[str, Expectation], ...] = ()


def parse_hours(text: str) -> int | None:
    """Hours of a ``<n>h``/``<n>d`` duration, ``None`` when it is not one."""
    match = _DURATION.fullmatch(text)
    if not match:
        return None
    return int(match.group(1)) * (24 if match.group(2) == "d" else 1)


def parse_deadline(text: str) -> Deadline | None:
    """``"06:00 Europe/Rome"`` -> :class:`Deadline` (the zone is not checked here)."""
    match = _DEADLINE.fullmatch(text)
    return Deadline(int(match.group(1)), int(match.group(2)), match.group(3)) if match else None


def skipped_day(deadline: Deadline, start: dt.date, days: int = 2 * 366) -> tuple[dt.date, str] | None:
    """The first of ``days`` days from ``start`` on which the deadline's check time (the deadline
    plus :data:`CHECK_GRACE_MINUTES`) does not exist in its zone, with that time as ``HH:MM``:
    clocks jump forward over it. EventBridge Scheduler skips a cron run at such a time
    (EventBridge Scheduler User Guide, "Schedule types": daylight saving time), so that day's
    lateness would go unjudged. ``None`` when every day has it."""
    zone = zoneinfo.ZoneInfo(deadline.zone)
    hour, minute = divmod((deadline.hour * 60 + deadline.minute + CHECK_GRACE_MINUTES) % (24 * 60), 60)
    for n in range(days):
        day = start + dt.timedelta(days=n)
        local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        back = local.astimezone(dt.UTC).astimezone(zone)
        if (back.hour, back.minute) != (hour, minute):
            return day, f"{hour:02d}:{minute:02d}"
    return None


def _expectation(raw: dict[str, Any]) -> Expectation:
    hours = parse_hours(raw["every"])
    assert hours is not None  # validated
    by = parse_deadline(raw["by"]) if "by" in raw else None
    return Expectation(hours, by)


def build_expectations(raw: dict[str, Any] | None) -> FlowExpectations | None:
    """The model of a validated ``expect`` mapping (``None`` when the flow has none)."""
    if not raw:
        return None
    return FlowExpectations(
        flow=_expectation(raw) if "every" in raw else None,
        max_reject_ratio=float(raw["max_reject_ratio"]) if "max_reject_ratio" in raw else None,
        partners=tuple((name, _expectation(p)) for name, p in raw.get("partners", {}).items()),
    )


@cache
def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def zone_problem(zone: str) -> str | None:
    """Why ``zone`` is no IANA time zone zoneinfo (and EventBridge Scheduler) knows, with the closest names."""
    try:
        zoneinfo.ZoneInfo(zone)
        return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(zone, _zones(), n=2)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        return f"unknown time zone '{zone}'{hint}; write an IANA zone such as Europe/Rome or UTC"


Report = Callable[[KeyPath, str], None]


def _check_one(path: KeyPath, raw: dict[str, Any], add: Report) -> int | None:
    """Check ``every`` and ``by`` of one expectation; return its hours when ``every`` is usable."""
    every = raw.get("every")
    hours = parse_hours(every) if isinstance(every, str) else None
    if hours is not None and not MIN_EVERY_HOURS <= hours <= MAX_EVERY_HOURS:
        add(path + ("every",), f"every '{every}' is outside 1h..7d; expect data at least weekly and at most hourly")
        hours = None
    by = raw.get("by")
    deadline = parse_deadline(by) if isinstance(by, str) else None
    if deadline is not None:
        reason = zone_problem(deadline.zone)
        if reason:
            add(path + ("by",), reason)
        elif skipped := skipped_day(deadline, dt.date.today()):
            day, at = skipped
            add(
                path + ("by",),
                f"the check runs at {at} {deadline.zone} ({CHECK_GRACE_MINUTES} minutes after the deadline), "
                f"a time that does not exist on {day.isoformat()} (clocks jump forward): EventBridge Scheduler "
                "skips that run and the day's lateness would go unjudged; choose a deadline whose check "
                "falls outside the daylight-saving gap",
            )
        if hours is not None and hours % 24:
            add(
                path + ("by",),
                f"a deadline by a time of day needs every in whole days, not '{every}'; "
                f"write every: {max(1, round(hours / 24))}d or remove by",
            )
    return hours


def check_expect(path: KeyPath, flow: dict[str, Any], add: Report) -> None:
    """Every problem of ``flow['expect']`` (``path`` is the flow's), reported through ``add``.

    Shapes the schema refuses are skipped: each check guards its own assumptions."""
    expect = flow.get("expect")
    if not isinstance(expect, dict):
        return
    here = path + ("expect",)
    hours = _check_one(here, expect, add)
    if "by" in expect and "every" not in expect:
        add(here + ("by",), "by needs every (how often data is due, e.g. every: 1d)")
    default_job = flow.get("job", "default") == "default"
    ratio = expect.get("max_reject_ratio")
    if isinstance(ratio, int | float) and not isinstance(ratio, bool):
        if not 0 < ratio < 1:
            add(
                here + ("max_reject_ratio",),
                f"max_reject_ratio {ratio} must be between 0 and 1 (exclusive), e.g. 0.05 for 5% of the rows",
            )
        elif not default_job:
            add(
                here + ("max_reject_ratio",),
                "a custom job counts no rejected rows: max_reject_ratio needs the default conform job (job: default)",
            )
    elif ratio is not None:
        add(here + ("max_reject_ratio",), f"expected a number between 0 and 1, got {ratio!r}")
    partners = expect.get("partners")
    if isinstance(partners, dict) and partners and flow.get("source") not in PARTNER_SOURCES:
        add(
            here + ("partners",),
            f"only {' and '.join(PARTNER_SOURCES)} flows receive files from named partners; "
            "remove partners or expect the whole flow",
        )
    elif isinstance(partners, dict):
        for name, sub in partners.items():
            if isinstance(sub, dict):
                _check_one(here + ("partners", name), sub, add)
    if hours is not None and default_job:
        _check_schedule_answers(path, flow, hours, add)


def _check_schedule_answers(path: KeyPath, flow: dict[str, Any], hours: int, add: Report) -> None:
    """The flow's pipeline must run at least once per ``every``, or "nothing conformed" cannot be told apart
    from "not run yet" (the freshness check counts successful conform runs within the window)."""
    schedule = flow.get("schedule", "rate(1 day)")
    if not isinstance(schedule, str) or check_schedule(schedule):
        return  # the schedule's own problem is reported once, where it is
    gap = longest_interval(schedule)
    every = dt.timedelta(hours=hours)
    if gap is None or gap > every:
        runs = "runs for a limited time" if gap is None else f"runs only every {_human(gap)} at worst"
        fix = f"make every at least {_human(gap)} or " if gap and gap <= dt.timedelta(hours=MAX_EVERY_HOURS) else ""
        add(
            path + ("expect", "every"),
            f"the flow's pipeline ({schedule}) {runs}, so conformed data cannot be expected every "
            f"{_human(every)}; {fix}run the pipeline at least every {_human(every)} (schedule)",
        )


def _human(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        return f"{int(hours // 24)}d"
    return f"{int(hours)}h" if hours == int(hours) else f"{int(delta.total_seconds() // 60)} min"
