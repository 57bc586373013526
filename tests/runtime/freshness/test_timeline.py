"""The freshness check on a simulated timeline, fed exactly what the framework synthesizes.

Each case takes a check's schedule input from :mod:`silolake.health.freshness` for the example
catalog (logistics ``shipments``: every 1d by 06:00 Europe/Rome; its partner ``dhl-express`` by
07:00 Europe/Berlin), records deliveries and conform runs in moto's CloudWatch as the emitters
would (EMF extraction stores each dimension set as its own metric), runs the handler at the time
Scheduler would (deadline + grace) and reads back the ``FlowLate`` datum it published.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from silolake.catalog import load_catalog
from silolake.health import freshness
from silolake.health import health_metrics as hm
from tests.conftest import EXAMPLE

ROME, BERLIN = ZoneInfo("Europe/Rome"), ZoneInfo("Europe/Berlin")
SILO, FLOW = "logistics", "shipments"


def scheduled_input(partner: str | None, at: dt.datetime, silo_name: str = SILO, flow: str = FLOW) -> dict[str, Any]:
    """The synthesized schedule input of the check, with Scheduler's time attribute filled in."""
    catalog = load_catalog(EXAMPLE)
    silo = catalog.silo(silo_name)
    (check,) = [c for c in freshness.checks(silo) if c.partner == partner and c.flow.name == flow]  # type: ignore[arg-type]
    text = freshness.check_input_json(catalog.organization.name, silo, check)  # type: ignore[arg-type]
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.loads(text.replace(freshness.SCHEDULED_TIME, stamp))


def scheduler_fires(local_deadline: dt.datetime) -> dt.datetime:
    """When Scheduler runs the check of a deadline (the schedule's cron is deadline + grace)."""
    return local_deadline + dt.timedelta(minutes=freshness.GRACE_MINUTES)


def put(
    cloudwatch,
    name: str,
    at: dt.datetime,
    value: float = 1,
    partner: str | None = None,
    where: tuple[str, str] = (SILO, FLOW),
) -> None:
    silo, flow = where
    sets = [[("Silo", silo), ("Flow", flow)]]
    if partner:
        sets.append([("Silo", silo), ("Flow", flow), ("Partner", partner)])
    for dims in sets:
        cloudwatch.put_metric_data(
            Namespace=hm.NAMESPACE,
            MetricData=[
                {
                    "MetricName": name,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                    "Timestamp": at,
                    "Value": value,
                    "Unit": "Count",
                }
            ],
        )


def delivered(
    cloudwatch,
    at: dt.datetime,
    partner: str = "carrier-a",
    *,
    quarantined: bool = False,
    where: tuple[str, str] = (SILO, FLOW),
) -> None:
    """A file decided by landing at ``at`` (both dimension sets, as its EMF line gives)."""
    put(cloudwatch, hm.FILES_RECEIVED, at, 1, partner, where)
    put(cloudwatch, hm.FILES_QUARANTINED, at, 1 if quarantined else 0, partner, where)


def conformed(cloudwatch, at: dt.datetime, rows: int = 120, where: tuple[str, str] = (SILO, FLOW)) -> None:
    """A successful conform run ending at ``at`` that accepted ``rows`` rows, published as the
    conform job's ``conform_metrics.metric_data`` does (a run publishes every count, 0 included)."""
    put(cloudwatch, hm.CONFORM_RUNS_SUCCEEDED, at, 1, None, where)
    put(cloudwatch, hm.ROWS_CONFORMED, at, rows, None, where)


def run(cloudwatch, partner: str | None, at: dt.datetime, where: tuple[str, str] = (SILO, FLOW)) -> dict[str, Any]:
    import handler

    verdict = handler.check(cloudwatch, scheduled_input(partner, at, *where))
    dims = [{"Name": "Silo", "Value": where[0]}, {"Name": "Flow", "Value": where[1]}]
    if partner:
        dims.append({"Name": "Partner", "Value": partner})
    data = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "late",
                "MetricStat": {
                    "Metric": {"Namespace": hm.NAMESPACE, "MetricName": hm.FLOW_LATE, "Dimensions": dims},
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=at - dt.timedelta(minutes=1),
        EndTime=at + dt.timedelta(minutes=1),
    )["MetricDataResults"][0]
    assert data["Values"] == [1.0 if verdict["late"] else 0.0], "one FlowLate datum, at the check's time"
    return verdict


def rome(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ROME)  # type: ignore[misc]


def test_a_day_with_a_delivery_and_a_conform_run_is_on_time(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 10, 22, 0))
    conformed(cloudwatch, rome(2026, 6, 10, 22, 15))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert verdict["late"] is False and verdict["evidence"] == {"received": 1, "conformed": 120}
    assert verdict["window_start"] == "2026-06-10T04:00:00+00:00"  # 06:00 CEST
    assert verdict["window_end"] == "2026-06-11T04:00:00+00:00"


def test_a_delivery_just_before_the_deadline_counts(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 11, 5, 59, 30))
    conformed(cloudwatch, rome(2026, 6, 11, 5, 0))
    assert run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))["late"] is False


def test_a_late_delivery_makes_that_day_late_and_counts_for_the_next(cloudwatch) -> None:
    conformed(cloudwatch, rome(2026, 6, 11, 3, 0))
    delivered(cloudwatch, rome(2026, 6, 11, 6, 1))  # one minute after the deadline
    conformed(cloudwatch, rome(2026, 6, 11, 6, 15))
    first = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert first["late"] is True and first["missing"] == ["received"]
    assert run(cloudwatch, None, scheduler_fires(rome(2026, 6, 12, 6, 0)))["late"] is False


def test_the_first_window_after_go_live_is_late_once_when_its_only_file_is_conformed_after_the_deadline(
    cloudwatch,
) -> None:
    """Trial finding 8 (issue 24): the first delivery after go-live lands at 05:55 and the next
    pipeline run conforms it at 06:05, after the deadline. The first window holds the file but no
    conformed rows (nothing was delivered before go-live), so its check is late once: a real
    false alarm, documented in docs/operations.md (late row). From the second day on, the same
    rhythm is on time: each window holds that day's file and the previous file's conform run."""
    delivered(cloudwatch, rome(2026, 6, 11, 5, 55))
    conformed(cloudwatch, rome(2026, 6, 11, 6, 5))
    first = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert first["late"] is True and first["missing"] == ["conformed"]
    delivered(cloudwatch, rome(2026, 6, 12, 5, 55))
    conformed(cloudwatch, rome(2026, 6, 12, 6, 5))
    second = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 12, 6, 0)))
    assert second["late"] is False and second["evidence"] == {"received": 1, "conformed": 120}


def test_quarantined_files_are_no_delivery(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 10, 20, 0), quarantined=True)
    conformed(cloudwatch, rome(2026, 6, 10, 22, 0))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert verdict["late"] is True and verdict["evidence"]["received"] == 0


def test_files_received_but_never_conformed_are_late(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 10, 20, 0))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert verdict["late"] is True and verdict["missing"] == ["conformed"]


def test_a_successful_run_that_conformed_nothing_is_late(cloudwatch) -> None:
    """The run succeeded (ConformRunsSucceeded 1) but every row was rejected or the files were
    empty: nothing reached processed, so the owners must hear the flow is late."""
    delivered(cloudwatch, rome(2026, 6, 10, 20, 0))
    conformed(cloudwatch, rome(2026, 6, 10, 22, 0), rows=0)
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert verdict["late"] is True and verdict["missing"] == ["conformed"]
    assert verdict["evidence"] == {"received": 1, "conformed": 0}


def test_autumn_dst_change_makes_the_window_25_hours(cloudwatch) -> None:
    """Europe/Rome leaves summer time on 2026-10-25 (03:00 CEST -> 02:00 CET): the day from
    06:00 to 06:00 has 25 hours. A file at 06:30 CEST on the 24th belongs to the 25th's window;
    a 24-hour window ending at 06:00 CET (05:00 UTC) would start at 05:00 UTC and miss it."""
    delivered(cloudwatch, rome(2026, 10, 24, 6, 30))  # 04:30 UTC
    conformed(cloudwatch, rome(2026, 10, 24, 12, 0))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 10, 25, 6, 0)))
    assert (verdict["window_start"], verdict["window_end"]) == (
        "2026-10-24T04:00:00+00:00",
        "2026-10-25T05:00:00+00:00",
    )
    assert verdict["late"] is False


def test_spring_dst_change_makes_the_window_23_hours(cloudwatch) -> None:
    """Europe/Rome enters summer time on 2026-03-29 (02:00 CET -> 03:00 CEST): 23 hours from 06:00
    to 06:00. A file at 05:30 CET on the 28th was due for the 28th; a 24-hour window ending at
    06:00 CEST (04:00 UTC) would start at 04:00 UTC on the 28th and count it for the 29th."""
    delivered(cloudwatch, rome(2026, 3, 28, 5, 30))  # 04:30 UTC, before the 28th's deadline
    conformed(cloudwatch, rome(2026, 3, 28, 12, 0))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 3, 29, 6, 0)))
    assert (verdict["window_start"], verdict["window_end"]) == (
        "2026-03-28T05:00:00+00:00",
        "2026-03-29T04:00:00+00:00",
    )
    assert verdict["late"] is True and verdict["missing"] == ["received"]


def test_a_partner_missing_its_deadline_is_late_while_others_deliver(cloudwatch) -> None:
    berlin = dt.datetime(2026, 6, 11, 7, 0, tzinfo=BERLIN)
    delivered(cloudwatch, rome(2026, 6, 10, 23, 0), partner="carrier-a")
    delivered(cloudwatch, rome(2026, 6, 11, 7, 30), partner="dhl-express")  # 07:30 Rome = Berlin: too late
    conformed(cloudwatch, rome(2026, 6, 11, 1, 0))
    partner = run(cloudwatch, "dhl-express", scheduler_fires(berlin))
    assert partner["late"] is True and partner["missing"] == ["received"] and partner["partner"] == "dhl-express"
    assert "conformed" not in partner["evidence"]  # a partner is judged on its deliveries only
    assert run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))["late"] is False
    # The next day dhl-express delivers on time (its late file of the 11th counts too).
    assert run(cloudwatch, "dhl-express", scheduler_fires(berlin + dt.timedelta(days=1)))["late"] is False


def test_the_schedules_fire_at_the_deadline_plus_grace_in_the_deadline_zone() -> None:
    catalog = load_catalog(EXAMPLE)
    checks = {c.partner: c for c in freshness.checks(catalog.silo(SILO))}  # type: ignore[arg-type]
    assert (checks[None].schedule_expression, checks[None].timezone) == ("cron(5 6 * * ? *)", "Europe/Rome")
    assert (checks["dhl-express"].schedule_expression, checks["dhl-express"].timezone) == (
        "cron(5 7 * * ? *)",
        "Europe/Berlin",
    )


@pytest.mark.parametrize(
    ("every", "at", "start"),
    [
        (6, "2026-06-11T12:00:00Z", "2026-06-11T06:00:00+00:00"),
        (48, "2026-06-11T12:00:30Z", "2026-06-09T12:00:00+00:00"),
    ],
)
def test_without_a_deadline_the_window_is_the_last_every_hours(every: int, at: str, start: str) -> None:
    from freshness.window import parse_time, window

    span = window(parse_time(at), every, None)
    assert span.start.isoformat() == start and span.hours == every


def test_a_malformed_input_is_refused() -> None:
    from freshness.verdict import parse_evidence

    with pytest.raises(ValueError, match="evidence\\[0\\] is malformed"):
        parse_evidence([{"name": "received"}])
    with pytest.raises(ValueError, match="at least one evidence"):
        parse_evidence([])


# Monthly: the example's reseller_reports (sales) are due by the 5th, 06:00 Europe/Rome; its
# pipeline runs on the 2nd. The check fires on the 5th at 06:05 and judges the month since the
# previous 5th, reading five-minute sums (one-minute data are gone after 15 days).
RESELLERS = ("sales", "reseller_reports")


def monthly_run(cloudwatch, at: dt.datetime) -> dict[str, Any]:
    return run(cloudwatch, None, scheduler_fires(at), RESELLERS)


def test_a_monthly_delivery_early_in_the_month_is_on_time(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 6, 9, 0), where=RESELLERS)  # 30 days before the check
    conformed(cloudwatch, rome(2026, 6, 6, 10, 0), rows=40, where=RESELLERS)
    verdict = monthly_run(cloudwatch, rome(2026, 7, 5, 6, 0))
    assert verdict["late"] is False and verdict["evidence"] == {"received": 1, "conformed": 40}
    assert (verdict["window_start"], verdict["window_end"]) == (
        "2026-06-05T04:00:00+00:00",
        "2026-07-05T04:00:00+00:00",
    )
    assert verdict["period"] == 300


def test_a_month_without_a_delivery_is_late_and_last_months_file_does_not_count(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 4, 9, 0), where=RESELLERS)  # before June's deadline: June's
    conformed(cloudwatch, rome(2026, 6, 4, 10, 0), where=RESELLERS)
    verdict = monthly_run(cloudwatch, rome(2026, 7, 5, 6, 0))
    assert verdict["late"] is True and verdict["missing"] == ["received", "conformed"]
    assert monthly_run(cloudwatch, rome(2026, 6, 5, 6, 0))["late"] is False


def test_a_monthly_run_that_conformed_nothing_is_late(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 7, 1, 9, 0), where=RESELLERS)
    conformed(cloudwatch, rome(2026, 7, 2, 8, 10), rows=0, where=RESELLERS)
    verdict = monthly_run(cloudwatch, rome(2026, 7, 5, 6, 0))
    assert verdict["late"] is True and verdict["missing"] == ["conformed"]


def test_the_monthly_window_spans_a_dst_change_and_february() -> None:
    """March 5 to April 5 in Rome crosses the spring change (06:00 CET, then 06:00 CEST); the
    February window has 28 days."""
    from freshness.window import Deadline, parse_time, window

    deadline = Deadline(6, 0, "Europe/Rome")
    march = window(parse_time("2027-04-05T04:05:00Z"), 0, deadline, 5)
    assert (march.start.isoformat(), march.end.isoformat()) == (
        "2027-03-05T05:00:00+00:00",
        "2027-04-05T04:00:00+00:00",
    )
    february = window(parse_time("2027-03-05T05:05:00Z"), 0, deadline, 5)
    assert february.hours == 28 * 24
    # A check running before the day's deadline (a retry, a late start) still judges the month before.
    assert window(parse_time("2027-04-04T12:00:00Z"), 0, deadline, 5) == february


def test_the_monthly_schedule_fires_on_the_deadline_day_in_its_zone() -> None:
    catalog = load_catalog(EXAMPLE)
    (check,) = [c for c in freshness.checks(catalog.silo("sales")) if c.flow.name == "reseller_reports"]  # type: ignore[arg-type]
    assert (check.schedule_expression, check.timezone) == ("cron(5 6 5 * ? *)", "Europe/Rome")
