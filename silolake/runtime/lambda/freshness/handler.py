"""Lambda entry point of the freshness check: one Scheduler invocation -> one ``FlowLate`` datum.

Input (the schedule's target input, written by the framework): ``scheduled_time`` (Scheduler's
``<aws.scheduler.scheduled-time>``), ``silo``, ``flow``, optional ``partner``, ``every_hours``,
optional ``by`` ``{"hour", "minute", "zone"}`` and ``evidence`` (:mod:`freshness.verdict`).

Reads the evidence's ``Sum`` over the window with one ``GetMetricData`` call (paginated; one-minute
periods, or five-minute ones when the window reaches past the 15 days CloudWatch keeps one-minute
data, :func:`period_for`), publishes ``FlowLate`` = 1 or 0 in ``Silolake/Flows`` with dimensions ``{Silo, Flow}``
or ``{Silo, Flow, Partner}``, and returns the verdict (logged). See README.md.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from freshness.verdict import FLOW_LATE, NAMESPACE, Term, late, parse_evidence, values
from freshness.window import Deadline, Window, parse_time, window

logger = Logger(service="silolake-freshness")
#: GetMetricData periods (seconds). CloudWatch keeps one-minute data points 15 days, five-minute
#: ones 63 days and one-hour ones 455 days (CloudWatch User Guide, "Metrics concepts": metrics
#: retention); a monthly window (at most 31 days) is read at five minutes, every other at one.
PERIOD = 60
COARSE_PERIOD = 300
FINE_RETENTION = dt.timedelta(days=15)


def period_for(span: Window, now: dt.datetime) -> int:
    """:data:`PERIOD`, or :data:`COARSE_PERIOD` when ``span`` starts more than 15 days before ``now``."""
    return PERIOD if now - span.start < FINE_RETENTION else COARSE_PERIOD


@lru_cache(maxsize=1)
def _cloudwatch() -> Any:
    return boto3.client("cloudwatch")


def metric_sums(cloudwatch: Any, terms: list[Term], span: Window, period: int = PERIOD) -> dict[Term, float]:
    """``Sum`` of each term's metric over ``span`` in ``period``-second buckets (0 for a metric with no data)."""
    queries = [
        {
            "Id": f"m{i}",
            "MetricStat": {
                "Metric": {
                    "Namespace": t.namespace,
                    "MetricName": t.metric,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in t.dimensions],
                },
                "Period": period,
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        for i, t in enumerate(terms)
    ]
    sums = dict.fromkeys(terms, 0.0)
    args: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": span.start, "EndTime": span.end}
    while True:
        page = cloudwatch.get_metric_data(**args)
        for result in page["MetricDataResults"]:
            term = terms[int(result["Id"][1:])]
            sums[term] += sum(
                v for ts, v in zip(result["Timestamps"], result["Values"], strict=True) if span.start <= ts < span.end
            )
        if not page.get("NextToken"):
            return sums
        args["NextToken"] = page["NextToken"]


def check(cloudwatch: Any, event: dict[str, Any]) -> dict[str, Any]:
    """Judge one expectation and publish its ``FlowLate`` datum; returns the verdict."""
    scheduled = parse_time(event["scheduled_time"])
    by = Deadline(**event["by"]) if event.get("by") else None
    day = int(event["day"]) if event.get("day") else None
    span = window(scheduled, int(event["every_hours"]), by, day)
    evidence = parse_evidence(event["evidence"])
    terms = sorted({t for e in evidence for t in e.terms}, key=repr)
    period = period_for(span, scheduled)
    sums = metric_sums(cloudwatch, terms, span, period)
    missing = late(evidence, sums)
    dimensions = [{"Name": "Silo", "Value": event["silo"]}, {"Name": "Flow", "Value": event["flow"]}]
    if event.get("partner"):
        dimensions.append({"Name": "Partner", "Value": event["partner"]})
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": FLOW_LATE,
                "Dimensions": dimensions,
                "Timestamp": scheduled,
                "Value": 1.0 if missing else 0.0,
                "Unit": "Count",
            }
        ],
    )
    return {
        "silo": event["silo"],
        "flow": event["flow"],
        "partner": event.get("partner") or "",
        "window_start": span.start.isoformat(),
        "window_end": span.end.isoformat(),
        "period": period,
        "evidence": values(evidence, sums),
        "late": bool(missing),
        "missing": missing,
    }


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    verdict = check(_cloudwatch(), event)
    if verdict["late"]:
        logger.warning("expectation missed", extra=verdict)
    else:
        logger.info("expectation met", extra=verdict)
    return verdict
