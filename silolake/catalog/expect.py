"""Declared expectations of a flow (``silos[].flows[].expect``): model and validation.

``expect`` says how often data must arrive (``every``: ``<n>h`` or ``<n>d``, 1 h to 7 d),
optionally by when (``by``: ``"HH:MM <IANA zone>"``, only with whole days), or once a month by a
calendar deadline (``monthly: {day: 1..28, by: "HH:MM <zone>"}``, :func:`check_monthly`), how many rejected
rows a run may tolerate (``max_reject_ratio``, 0 < r < 1) and, for file flows, the same per
partner (keyed by the partner's dropzone folder, the username the credential admin issues).
The alarms, freshness checks and dashboards read :class:`FlowExpectations`
(:mod:`silolake.health.health_metrics`, docs/operations.md).

Validation here covers what JSON Schema cannot: the range of durations, a deadline only with
whole days, a time zone zoneinfo knows, the ratio's open interval, partners only where files
arrive from partners, and expectations the flow's own ETL schedule can answer: the pipeline must
start and finish a run (:data:`RUN_MARGIN`) inside every expectation window, or "nothing
conformed" races the run that was about to conform it.

Why ``monthly`` is a day and a time rather than a cron expression: a deadline is what owners and
partners agree on ("the 5th by 06:00 Rome time"); the framework derives the check's cron from it
and can then prove the properties a free cron would hide: the day exists in every month (29-31 do
not: Scheduler's cron skips the months without them) and the check time exists on that day in
the zone (daylight-saving gaps, as for daily deadlines).
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
from .schedule import check_schedule, cron_runs, longest_interval

#: ``every`` bounds, in hours: hourly is the finest the freshness check resolves; a week is
#: the longest a CloudWatch metric is kept at one-minute resolution with margin (15 days).
MIN_EVERY_HOURS, MAX_EVERY_HOURS = 1, 7 * 24
#: The check of a ``by`` deadline runs this many minutes after it (EMF data become readable).
CHECK_GRACE_MINUTES = 5
#: How long one pipeline run may take before its conformed rows are published: the conform
#: job's timeout (``constructs/etl/glue_job.py`` ``JOB_TIMEOUT_MINUTES``, 4 h; a test keeps them
#: equal). A window must contain a pipeline start at least this long before it ends.
RUN_MARGIN = dt.timedelta(hours=4)
#: Days of the month a monthly deadline may fall on: 29-31 are missing from some months, and
#: EventBridge Scheduler's cron skips a month without the day (no run, no verdict).
MONTHLY_DAYS = range(1, 29)
#: A monthly check reads five-minute sums (one-minute data are kept only 15 days, five-minute
#: data 63 days: CloudWatch User Guide, "Metrics concepts", metric retention), so its deadline is
#: on a five-minute mark and the window's edges fall on period boundaries.
MONTHLY_MINUTE_STEP = 5
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
    (``every_hours`` is then a whole number of days). A monthly expectation has ``day`` (1-28),
    ``by`` and ``every_hours`` 0: data is due once between consecutive monthly deadlines."""

    every_hours: int
    by: Deadline | None = None
    day: int | None = None

    @property
    def every_text(self) -> str:
        """``every`` as the catalog writes it (``1d``, ``6h``), or ``monthly on day <d>``."""
        if self.day is not None:
            return f"monthly on day {self.day}"
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


def skipped_day(
    deadline: Deadline, start: dt.date, days: int = 2 * 366, day_of_month: int | None = None
) -> tuple[dt.date, str] | None:
    """The first of ``days`` days from ``start`` (only those on ``day_of_month`` when given) on
    which the deadline's check time (the deadline plus :data:`CHECK_GRACE_MINUTES`) does not
    exist in its zone, with that time as ``HH:MM``: clocks jump forward over it. EventBridge
    Scheduler skips a cron run at such a time (EventBridge Scheduler User Guide, "Schedule
    types": daylight saving time), so that day's lateness would go unjudged. ``None`` when every
    day has it."""
    zone = zoneinfo.ZoneInfo(deadline.zone)
    hour, minute = divmod((deadline.hour * 60 + deadline.minute + CHECK_GRACE_MINUTES) % (24 * 60), 60)
    for n in range(days):
        day = start + dt.timedelta(days=n)
        if day_of_month is not None and day.day != day_of_month:
            continue
        local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        back = local.astimezone(dt.UTC).astimezone(zone)
        if (back.hour, back.minute) != (hour, minute):
            return day, f"{hour:02d}:{minute:02d}"
    return None


def _expectation(raw: dict[str, Any]) -> Expectation:
    if "monthly" in raw:
        monthly = raw["monthly"]
        return Expectation(0, parse_deadline(monthly["by"]), int(monthly["day"]))
    hours = parse_hours(raw["every"])
    assert hours is not None  # validated
    by = parse_deadline(raw["by"]) if "by" in raw else None
    return Expectation(hours, by)


def build_expectations(raw: dict[str, Any] | None) -> FlowExpectations | None:
    """The model of a validated ``expect`` mapping (``None`` when the flow has none)."""
    if not raw:
        return None
    return FlowExpectations(
        flow=_expectation(raw) if "every" in raw or "monthly" in raw else None,
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


def _check_gap(path: KeyPath, deadline: Deadline, add: Report, day_of_month: int | None = None) -> None:
    """Report a deadline whose check time falls in a daylight-saving gap (see :func:`skipped_day`)."""
    if skipped := skipped_day(deadline, dt.date.today(), day_of_month=day_of_month):
        day, at = skipped
        add(
            path,
            f"the check runs at {at} {deadline.zone} ({CHECK_GRACE_MINUTES} minutes after the deadline), "
            f"a time that does not exist on {day.isoformat()} (clocks jump forward): EventBridge Scheduler "
            "skips that run and the day's lateness would go unjudged; choose a deadline whose check "
            "falls outside the daylight-saving gap",
        )


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
        else:
            _check_gap(path + ("by",), deadline, add)
        if hours is not None and hours % 24:
            add(
                path + ("by",),
                f"a deadline by a time of day needs every in whole days, not '{every}'; "
                f"write every: {max(1, round(hours / 24))}d or remove by",
            )
    if "by" in raw and "every" not in raw:
        add(path + ("by",), "by needs every (how often data is due, e.g. every: 1d)")
    return hours


def check_monthly(path: KeyPath, monthly: dict[str, Any], add: Report) -> Expectation | None:
    """Every problem of a ``monthly: {day, by}`` mapping at ``path``; the expectation when it is usable.

    The day must exist in every month (1-28), the deadline be on a five-minute mark
    (:data:`MONTHLY_MINUTE_STEP`), its check (deadline + :data:`CHECK_GRACE_MINUTES`) stay on the
    same day (the check's cron names that day) and exist on it in the zone (no daylight-saving gap)."""
    day, by = monthly.get("day"), monthly.get("by")
    usable = isinstance(day, int) and not isinstance(day, bool) and day in MONTHLY_DAYS
    # Days outside 1..31 are the schema's to refuse ("must be at least 1"); 29-31 exist, not every month.
    if isinstance(day, int) and not isinstance(day, bool) and max(MONTHLY_DAYS) < day <= 31:
        add(
            path + ("day",),
            f"day {day} does not exist in every month (February has 28 days): EventBridge Scheduler's cron "
            "skips the months without it and their deliveries would go unjudged; choose a day from 1 to 28",
        )
    deadline = parse_deadline(by) if isinstance(by, str) else None
    if deadline is None:
        return None
    reason = zone_problem(deadline.zone)
    if reason:
        add(path + ("by",), reason)
        return None
    check_minute = deadline.hour * 60 + deadline.minute + CHECK_GRACE_MINUTES
    if deadline.minute % MONTHLY_MINUTE_STEP:
        add(
            path + ("by",),
            f"a monthly check reads five-minute sums (CloudWatch keeps one-minute data only 15 days), so its "
            f"deadline must be on a five-minute mark; write {deadline.hour:02d}:"
            f"{deadline.minute - deadline.minute % MONTHLY_MINUTE_STEP:02d} {deadline.zone}",
        )
        usable = False
    elif check_minute >= 24 * 60:
        add(
            path + ("by",),
            f"the check runs {CHECK_GRACE_MINUTES} minutes after the deadline, on the next day, which a monthly "
            "schedule cannot name for every month; choose a deadline no later than 23:50",
        )
        usable = False
    elif usable:
        _check_gap(path + ("by",), deadline, add, day_of_month=day)
    return Expectation(0, deadline, day) if usable else None


def _check_expectation(path: KeyPath, raw: dict[str, Any], add: Report, *, partner: bool) -> Expectation | None:
    """One expectation (a flow's own or a partner's): every/by or monthly; the usable model or None."""
    monthly = raw.get("monthly")
    if isinstance(monthly, dict):
        if "every" in raw or "by" in raw:
            add(path + ("monthly",), "write either every (with an optional by) or monthly (with its own by), not both")
            return None
        return check_monthly(path + ("monthly",), monthly, add)
    if partner and "every" not in raw:
        add(path, 'expect every (e.g. every: 1d) or monthly (e.g. monthly: {day: 5, by: "06:00 Europe/Rome"})')
        return None
    hours = _check_one(path, raw, add)
    if hours is None:
        return None
    by = raw.get("by")
    deadline = parse_deadline(by) if isinstance(by, str) else None
    return Expectation(hours, deadline)


def check_expect(path: KeyPath, flow: dict[str, Any], add: Report) -> None:
    """Every problem of ``flow['expect']`` (``path`` is the flow's), reported through ``add``.

    Shapes the schema refuses are skipped: each check guards its own assumptions."""
    expect = flow.get("expect")
    if not isinstance(expect, dict):
        return
    here = path + ("expect",)
    own = _check_expectation(here, expect, add, partner=False)
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
                _check_expectation(here + ("partners", name), sub, add, partner=True)
    if own is not None and default_job:
        _check_schedule_answers(path, flow, own, add)


def _check_schedule_answers(path: KeyPath, flow: dict[str, Any], own: Expectation, add: Report) -> None:
    """The flow's pipeline must start a run at least :data:`RUN_MARGIN` before the end of every
    expectation window, or "nothing conformed" cannot be told apart from "not run yet" (the
    freshness check sums the rows conformed within the window): a daily pipeline cannot answer
    ``every: 1d``, the check would race the run."""
    schedule = flow.get("schedule", "rate(1 day)")
    if not isinstance(schedule, str) or check_schedule(schedule):
        return  # the schedule's own problem is reported once, where it is
    if own.day is not None:
        _check_month_answers(path, schedule, own, add)
        return
    gap = longest_interval(schedule)
    every = dt.timedelta(hours=own.every_hours)
    if gap is not None and gap + RUN_MARGIN <= every:
        return
    written = flow["expect"].get("every")  # quoted as the user wrote it (24h, not 1d)
    if gap is None:
        add(
            path + ("expect", "every"),
            f"the flow's pipeline ({schedule}) runs for a limited time, so conformed data cannot be expected "
            f"every {written}; run the pipeline at least every {_human(every - RUN_MARGIN)} (schedule)",
        )
        return
    need = gap + RUN_MARGIN
    if own.by is not None:  # a deadline needs whole days
        need = dt.timedelta(days=-(-need // dt.timedelta(days=1)))
    if need <= dt.timedelta(hours=MAX_EVERY_HOURS):
        fixes = [f"make every at least {_human(need)}"]
    else:
        fixes = ["expect the flow monthly (monthly: {day, by})"]
    if every > RUN_MARGIN:
        fixes.append(f"run the pipeline at least every {_human(every - RUN_MARGIN)} (schedule)")
    add(
        path + ("expect", "every"),
        f"the flow's pipeline ({schedule}) starts a run only every {_human(gap)} at worst and a run may take "
        f"{_human(RUN_MARGIN)}, so conformed data cannot be expected every {written}: the check would race "
        f"the run; {' or '.join(fixes)}",
    )


def month_windows(own: Expectation, first: dt.date, months: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """The ``months`` windows (UTC) of a monthly expectation from the month of ``first``: from one
    monthly deadline to the next, in the deadline's zone (28 to 31 days, +-1 h across DST)."""
    day, by = own.day, own.by
    assert day is not None and by is not None
    zone = zoneinfo.ZoneInfo(by.zone)

    def deadline(index: int) -> dt.datetime:
        year, month = divmod(first.month - 1 + index, 12)
        return dt.datetime(first.year + year, month + 1, day, by.hour, by.minute, tzinfo=zone).astimezone(dt.UTC)

    return [(deadline(i), deadline(i + 1)) for i in range(months)]


def _check_month_answers(path: KeyPath, schedule: str, own: Expectation, add: Report) -> None:
    """Every monthly window of the next two years must hold a pipeline start :data:`RUN_MARGIN` before its end."""
    windows = month_windows(own, dt.date.today(), 24)
    start, end = windows[0][0], windows[-1][1]
    runs = cron_runs(schedule, start.date(), (end - start).days + 2)
    if runs is None:
        gap = longest_interval(schedule)
        shortest = min(b - a for a, b in windows)
        missed = None if gap is not None and gap + RUN_MARGIN <= shortest else windows[0]
    else:
        missed = next((w for w in windows if not any(w[0] <= r <= w[1] - RUN_MARGIN for r in runs)), None)
    if missed is None:
        return
    zone = zoneinfo.ZoneInfo(own.by.zone)  # type: ignore[union-attr]
    since, until = (t.astimezone(zone).strftime("%Y-%m-%d %H:%M") for t in missed)
    add(
        path + ("expect", "monthly"),
        f"the flow's pipeline ({schedule}) starts no run between the deadlines of {since} and {until} "
        f"{zone.key} at least {_human(RUN_MARGIN)} (a run's length) before the second, so conformed data "
        "cannot be expected monthly; schedule the pipeline at least once a month, a few hours before the deadline",
    )


def _human(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        return f"{int(hours // 24)}d"
    return f"{int(hours)}h" if hours == int(hours) else f"{int(delta.total_seconds() // 60)} min"
