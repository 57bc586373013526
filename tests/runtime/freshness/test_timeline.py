"""The freshness check on a simulated timeline, fed exactly what the framework synthesizes.

Each case takes a check's schedule input from :mod:`silolake.policy.freshness` for the example
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
from silolake.policy import freshness
from silolake.policy import health_metrics as hm
from tests.conftest import EXAMPLE

ROME, BERLIN = ZoneInfo("Europe/Rome"), ZoneInfo("Europe/Berlin")
SILO, FLOW = "logistics", "shipments"


def scheduled_input(partner: str | None, at: dt.datetime) -> dict[str, Any]:
    """The synthesized schedule input of the check, with Scheduler's time attribute filled in."""
    catalog = load_catalog(EXAMPLE)
    silo = catalog.silo(SILO)
    (check,) = [c for c in freshness.checks(silo) if c.partner == partner]  # type: ignore[arg-type]
    text = freshness.check_input_json(catalog.organization.name, silo, check)  # type: ignore[arg-type]
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.loads(text.replace(freshness.SCHEDULED_TIME, stamp))


def scheduler_fires(local_deadline: dt.datetime) -> dt.datetime:
    """When Scheduler runs the check of a deadline (the schedule's cron is deadline + grace)."""
    return local_deadline + dt.timedelta(minutes=freshness.GRACE_MINUTES)


def put(cloudwatch, name: str, at: dt.datetime, value: float = 1, partner: str | None = None) -> None:
    sets = [[("Silo", SILO), ("Flow", FLOW)]]
    if partner:
        sets.append([("Silo", SILO), ("Flow", FLOW), ("Partner", partner)])
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


def delivered(cloudwatch, at: dt.datetime, partner: str = "carrier-a", *, quarantined: bool = False) -> None:
    """A file decided by landing at ``at`` (both dimension sets, as its EMF line gives)."""
    put(cloudwatch, hm.FILES_RECEIVED, at, 1, partner)
    put(cloudwatch, hm.FILES_QUARANTINED, at, 1 if quarantined else 0, partner)


def conformed(cloudwatch, at: dt.datetime) -> None:
    put(cloudwatch, hm.CONFORM_RUNS_SUCCEEDED, at)


def run(cloudwatch, partner: str | None, at: dt.datetime) -> dict[str, Any]:
    import handler

    verdict = handler.check(cloudwatch, scheduled_input(partner, at))
    dims = [{"Name": "Silo", "Value": SILO}, {"Name": "Flow", "Value": FLOW}]
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
    assert verdict["late"] is False and verdict["evidence"] == {"received": 1, "conformed": 1}
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


def test_quarantined_files_are_no_delivery(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 10, 20, 0), quarantined=True)
    conformed(cloudwatch, rome(2026, 6, 10, 22, 0))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert verdict["late"] is True and verdict["evidence"]["received"] == 0


def test_files_received_but_never_conformed_are_late(cloudwatch) -> None:
    delivered(cloudwatch, rome(2026, 6, 10, 20, 0))
    verdict = run(cloudwatch, None, scheduler_fires(rome(2026, 6, 11, 6, 0)))
    assert verdict["late"] is True and verdict["missing"] == ["conformed"]


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
