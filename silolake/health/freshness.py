"""Freshness checks of a silo: one EventBridge Scheduler schedule per expectation (docs/operations.md).

Why a schedule and a function rather than a plain alarm: a CloudWatch alarm evaluates fixed
periods counted from the epoch in UTC, so it cannot say "by 06:00 Europe/Rome" (a wall-clock
time that moves against UTC twice a year), and it can judge one metric expression, not "files
arrived *and* the pipeline conformed them". Scheduler's ``schedule_expression_timezone`` fires
at the wall-clock deadline; the check (``silolake/runtime/lambda/freshness``) reads the evidence
over the window with GetMetricData and publishes ``FlowLate``; the ``late`` alarm of
:mod:`.health_metrics` notifies. Expectations without ``by`` use the same check on a
``rate()`` schedule, so one logic, proven on one simulated timeline, serves both.

Evidence, per check (the check is late when any of it sums to 0 or less over the window):

- ``received``: accepted files, ``FilesReceived`` - ``FilesQuarantined`` (``{Silo, Flow}``, or
  ``{Silo, Flow, Partner}`` for a partner's expectation); for an api flow, the records Firehose
  delivered to S3 (``AWS/Firehose`` ``DeliveryToS3.Records``);
- ``conformed`` (a flow's own expectation with the default conform job): ``RowsConformed``, the
  rows the conform job accepted for the flow (a run that succeeded but conformed nothing counts
  0: the flow is late). Validation refuses an ``every`` that the flow's pipeline schedule cannot
  answer with a finished run inside every window (``catalog/expect.py``, ``RUN_MARGIN``).

A monthly expectation (``monthly: {day, by}``) is checked on the deadline's day each month
(``cron(M H D * ? *)`` in the deadline's zone) over the month since the previous deadline;
the check reads five-minute sums then, as one-minute data are kept only 15 days.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..aws import health_names
from ..catalog.expect import CHECK_GRACE_MINUTES, Expectation
from ..catalog.flow import Flow
from ..catalog.model import DeployedSilo
from ..channels import channel
from . import health_metrics as hm

#: Minutes after a deadline the check runs: EMF metrics take a few minutes to become readable.
#: The window still ends at the deadline; only data timestamped before it counts.
GRACE_MINUTES = CHECK_GRACE_MINUTES
#: Scheduler's context attribute replaced by the time the invocation was scheduled for.
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


@dataclass(frozen=True)
class FreshnessCheck:
    """One expectation's check: ``flow`` (catalog name), ``partner`` (or None for the flow's own),
    ``expectation``, and the schedule's ``name`` inside the silo's schedule group."""

    flow: Flow
    partner: str | None
    expectation: Expectation

    @property
    def name(self) -> str:
        return health_names.freshness_schedule(self.flow.name, self.partner)

    @property
    def schedule_expression(self) -> str:
        """``cron(M H * * ? *)`` at the deadline + :data:`GRACE_MINUTES` (daily: with ``every`` of
        several days the window is that many days, checked every day), or ``rate(...)``."""
        by = self.expectation.by
        day = self.expectation.day
        if by is None:
            hours = self.expectation.every_hours
            days, rest = divmod(hours, 24)
            if days and not rest:
                return f"rate({days} day{'s' if days > 1 else ''})"
            return f"rate({hours} hour{'s' if hours > 1 else ''})"
        minutes = (by.hour * 60 + by.minute + GRACE_MINUTES) % (24 * 60)
        # Monthly: validation keeps the check on the deadline's day (no midnight crossing).
        return f"cron({minutes % 60} {minutes // 60} {day if day is not None else '*'} * ? *)"

    @property
    def timezone(self) -> str:
        by = self.expectation.by
        return by.zone if by else "UTC"


def checks(silo: DeployedSilo) -> list[FreshnessCheck]:
    """Every freshness check of ``silo``, in catalog order (a flow's own first, then its partners')."""
    out: list[FreshnessCheck] = []
    for flow in silo.flows:
        if flow.expect is None:
            continue
        if flow.expect.flow is not None:
            out.append(FreshnessCheck(flow, None, flow.expect.flow))
        out += [FreshnessCheck(flow, partner, e) for partner, e in flow.expect.partners]
    return out


def _term(metric: hm.Metric, weight: int = 1) -> dict[str, Any]:
    # Dimensions as [name, value] pairs in the emitters' order (a JSON object would be key-sorted).
    dims = [list(d) for d in metric.dimensions]
    return {"namespace": metric.namespace, "metric": metric.name, "dimensions": dims, "weight": weight}


def evidence(org: str, silo: DeployedSilo, check: FreshnessCheck) -> list[dict[str, Any]]:
    """The check's evidence as the runtime reads it (``freshness/verdict.py``)."""
    flow = check.flow
    if channel(flow.source).landing == "firehose":
        stream = hm.firehose_stream(org, silo, flow)
        delivered = hm.Metric("AWS/Firehose", "DeliveryToS3.Records", (("DeliveryStreamName", stream),))
        received = [_term(delivered)]
    else:
        received = [
            _term(hm.flow_metric(silo, flow, hm.FILES_RECEIVED, partner=check.partner)),
            _term(hm.flow_metric(silo, flow, hm.FILES_QUARANTINED, partner=check.partner), -1),
        ]
    out = [{"name": "received", "terms": received}]
    if check.partner is None and not flow.custom_job:
        out.append({"name": "conformed", "terms": [_term(hm.flow_metric(silo, flow, hm.ROWS_CONFORMED))]})
    return out


def check_input(org: str, silo: DeployedSilo, check: FreshnessCheck) -> dict[str, Any]:
    """The schedule target's input: what ``silolake/runtime/lambda/freshness/handler.py`` reads."""
    by = check.expectation.by
    return {
        "scheduled_time": SCHEDULED_TIME,
        "silo": silo.name,
        "flow": check.flow.name,
        "partner": check.partner,
        "every_hours": check.expectation.every_hours,
        "day": check.expectation.day,
        "by": {"hour": by.hour, "minute": by.minute, "zone": by.zone} if by else None,
        "evidence": evidence(org, silo, check),
    }


def check_input_json(org: str, silo: DeployedSilo, check: FreshnessCheck) -> str:
    return json.dumps(check_input(org, silo, check), sort_keys=True, separators=(",", ":"))


def freshness_statements() -> list[dict[str, Any]]:
    """The check function's permissions: read metrics (CloudWatch has no resource-level permission
    for GetMetricData, so ``*``) and publish only into ``Silolake/Flows``."""
    return [
        {"Sid": "ReadEvidence", "Effect": "Allow", "Action": "cloudwatch:GetMetricData", "Resource": "*"},
        {
            "Sid": "PublishVerdict",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": hm.NAMESPACE}},
        },
    ]
