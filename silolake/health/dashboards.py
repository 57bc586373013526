"""CloudWatch dashboard bodies generated from the catalog: one per silo, one for the organization.

Pure: each function returns the dashboard body as a dict (CloudWatch's "Dashboard Body
Structure and Syntax"): metric widgets list metrics as ``[namespace, name, dim, value, ...,
{options}]``. Every metric comes from :mod:`.health_metrics`, so the drift test proves each is
one a runtime or AWS service emits.

- :func:`silo_dashboard`, in the silo's account: its alarms' states, then one row per flow:
  files received and quarantined (api flows: records Firehose delivered), rows conformed and
  rejected, the quality rules broken (fail and warn, when the flow has rules), successful
  conform runs and pipeline executions, the hours since rows were last conformed and since a
  pipeline run (conform and load) last succeeded (:func:`since_last`), and ``FlowLate`` of
  each expectation.
  A flow expected monthly, or whose pipeline may go more than a week without a run, would show
  no data in the dashboard's week for most of a month: its widgets carry their own range
  (metric widget properties ``start`` and ``period``, :func:`flow_range`).
- :func:`organization_dashboard`, in the datalake account: one row per silo with every flow's
  deliveries, conformed rows and lateness, read from the silo accounts through CloudWatch's
  cross-account console (metric options ``accountId``/``region``; each silo account's
  ``CloudWatch-CrossAccountSharingRole``, :mod:`.health_sharing`). Metrics only, never data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..catalog.flow import Flow
from ..catalog.model import Catalog, DeployedSilo
from ..catalog.schedule import longest_interval
from ..channels import channel
from . import health_metrics as hm
from .freshness import checks

if TYPE_CHECKING:
    from ..catalog.expect import Expectation

#: Widgets per row (CloudWatch's grid is 24 units wide).
WIDTH, HEIGHT = 6, 6
#: An alarm status widget shows at most 100 alarms.
ALARMS_PER_WIDGET = 100
#: Default time range shown: a week, so a weekly expectation is visible once.
RANGE = "-P7D"
#: The range of a monthly flow's widgets: a monthly window (28-31 days, +1 h across DST) and
#: the check's grace, so the last month's delivery and verdict are always in view.
MONTHLY_DAYS = 35
#: Periods a widget may use, finest first: CloudWatch draws at most 1,440 data points per metric
#: (User Guide, "Graphing metrics"), so a longer range takes a coarser period.
PERIODS = (300, 3600, 6 * 3600, 24 * 3600)
MAX_POINTS = 1440


def flow_range(flow: Flow, expectations: list[Expectation]) -> int | None:
    """Days a widget of ``flow`` must show so that its last delivery and verdict are in view, or
    ``None`` when the dashboard's week (:data:`RANGE`) does: ``expectations`` monthly give
    :data:`MONTHLY_DAYS`; a pipeline whose longest gap between runs exceeds 7 days gives that
    gap plus a day (whichever is longer)."""
    days = MONTHLY_DAYS if any(e.day is not None for e in expectations) else 0
    gap = longest_interval(flow.schedule)
    if gap is not None and gap > dt.timedelta(days=7):
        days = max(days, -(-gap // dt.timedelta(days=1)) + 1)
    return days or None


def period_for(days: int, finest: int) -> int:
    """The finest period of :data:`PERIODS`, at least ``finest`` seconds, that draws ``days`` in
    at most :data:`MAX_POINTS` points."""
    return next(p for p in PERIODS if p >= finest and days * 86400 // p <= MAX_POINTS)


def _line(metric: hm.Metric, label: str, **extra: Any) -> list[Any]:
    dims = [part for pair in metric.dimensions for part in pair]
    return [metric.namespace, metric.name, *dims, {"stat": metric.stat, "label": label, **extra}]


def _widget(title: str, lines: list[list[Any]], region: str, *, period: int = 3600, **props: Any) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stacked": False,
            "period": period,
            "metrics": lines,
            **props,
        },
    }


def arrivals(org: str, silo: DeployedSilo, flow: Flow) -> list[tuple[hm.Metric, str]]:
    """What shows data arriving for ``flow``: landing's counts, or Firehose's deliveries for api flows."""
    if channel(flow.source).landing == "firehose":
        stream = hm.firehose_stream(org, silo, flow)
        return [(hm.Metric("AWS/Firehose", "DeliveryToS3.Records", (("DeliveryStreamName", stream),)), "records")]
    return [
        (hm.flow_metric(silo, flow, hm.FILES_RECEIVED), "files received"),
        (hm.flow_metric(silo, flow, hm.FILES_QUARANTINED), "files quarantined"),
    ]


def lateness(silo: DeployedSilo, flow: Flow) -> list[tuple[hm.Metric, str]]:
    """``FlowLate`` of each expectation of ``flow`` (1 = the last deadline was missed)."""
    return [
        (hm.flow_metric(silo, flow, hm.FLOW_LATE, partner=c.partner, stat="Maximum"), c.partner or "flow")
        for c in checks(silo)
        if c.flow is flow
    ]


def flow_widgets(org: str, silo: DeployedSilo, flow: Flow, *, cross_account: bool = False) -> list[dict[str, Any]]:
    """The widgets of one flow's row; ``cross_account`` adds the silo's account and region to each metric."""
    where = {"accountId": silo.account_id, "region": silo.region} if cross_account else {}
    title = f"{silo.name}/{flow.name}" if cross_account else flow.name

    def lines(pairs: list[tuple[hm.Metric, str]]) -> list[list[Any]]:
        return [_line(m, label, **where) for m, label in pairs]

    days = flow_range(flow, [c.expectation for c in checks(silo) if c.flow is flow])

    def widget(name: str, body: list[list[Any]], *, period: int = 3600, **props: Any) -> dict[str, Any]:
        if days is None:
            return _widget(name, body, silo.region, period=period, **props)
        return _widget(name, body, silo.region, period=period_for(days, period), start=f"-P{days}D", **props)

    out = [widget(f"{title}: arrivals", lines(arrivals(org, silo, flow)))]
    if not flow.custom_job:
        rows = [
            (hm.flow_metric(silo, flow, hm.ROWS_CONFORMED), "rows conformed"),
            (hm.flow_metric(silo, flow, hm.ROWS_REJECTED), "rows rejected"),
            (hm.flow_metric(silo, flow, hm.FILES_REJECTED), "files rejected whole"),
        ]
        out.append(widget(f"{title}: rows", lines(rows)))
        if flow.quality:  # warn rules exist to be seen: here, next to the fail rules that alarm
            rules = [
                (hm.flow_metric(silo, flow, hm.QUALITY_RULES_FAILED), "fail rules broken (file rejected)"),
                (hm.flow_metric(silo, flow, hm.QUALITY_RULES_WARNED), "warn rules broken (recorded)"),
            ]
            out.append(widget(f"{title}: quality rules", lines(rules), view="bar"))
        runs = [
            (hm.flow_metric(silo, flow, hm.CONFORM_RUNS_SUCCEEDED), "conform runs succeeded"),
            (
                hm.Metric(
                    "AWS/States", "ExecutionsSucceeded", (("StateMachineArn", hm.state_machine_arn(silo, flow)),)
                ),
                "pipeline runs succeeded (conform and load)",
            ),
        ]
        out.append(widget(f"{title}: last successful runs", lines(runs), view="bar"))
        every = 300 if days is None else period_for(days, 300)
        ages = [
            *since_last(rows[0][0], "conformed", "hours since rows were conformed", every, **where),
            *since_last(
                runs[1][0], "pipeline", "hours since a pipeline run (conform and load) succeeded", every, **where
            ),
        ]
        out.append(widget(f"{title}: since last success", ages, period=300, view="singleValue"))
    late = lateness(silo, flow)
    if late:
        axis = {"left": {"min": 0, "max": 1}}
        out.append(widget(f"{title}: late (1 = missed)", lines(late), period=300, yAxis=axis))
    return out


def since_last(metric: hm.Metric, ident: str, label: str, period: int = 300, **where: Any) -> list[list[Any]]:
    """Dashboard lines computing the hours since ``metric`` last had a datum above 0, by metric math
    (CloudWatch User Guide, "Metric math syntax and functions"): ``EPOCH`` gives each datum's
    time in seconds, ``IF`` without a false value keeps only the data above 0, ``FILL(..., REPEAT)``
    carries the last such time forward, and ``FILL(m, 0)`` provides a datum for every period up to
    now. A single-value widget shows the latest value; within the dashboard's range only (no
    success in it: no value). ``metric`` is read at ``period`` seconds (five minutes, coarser
    for a long range: :func:`period_for`), hidden."""
    dims = [part for pair in metric.dimensions for part in pair]
    hidden = {"stat": "Sum", "period": period, "id": ident, "visible": False, **where}
    expression = f"(EPOCH(FILL({ident}, 0)) - FILL(IF({ident} > 0, EPOCH({ident})), REPEAT)) / 3600"
    return [
        [metric.namespace, metric.name, *dims, hidden],
        [{"expression": expression, "label": label, "id": f"{ident}_age", **where}],
    ]


def _rows(widgets: list[dict[str, Any]], top: int) -> tuple[list[dict[str, Any]], int]:
    """Place ``widgets`` left to right from row ``top``, :data:`WIDTH` each; return them and the next free row."""
    placed = []
    per_row = 24 // WIDTH
    for i, w in enumerate(widgets):
        placed.append({**w, "x": (i % per_row) * WIDTH, "y": top + (i // per_row) * HEIGHT})
    rows = -(-len(widgets) // per_row)
    return placed, top + rows * HEIGHT


def _text(markdown: str, top: int) -> dict[str, Any]:
    return {"type": "text", "x": 0, "y": top, "width": 24, "height": 2, "properties": {"markdown": markdown}}


def silo_dashboard(org: str, silo: DeployedSilo, alarm_arns: list[str]) -> dict[str, Any]:
    """The body of the silo's dashboard (``alarm_arns``: the silo's alarms, shown by state)."""
    widgets: list[dict[str, Any]] = [
        _text(f"# silo {silo.name}\nFlow health; what each alarm means: docs/operations.md", 0)
    ]
    top = 2
    for start in range(0, len(alarm_arns), ALARMS_PER_WIDGET):
        chunk = alarm_arns[start : start + ALARMS_PER_WIDGET]
        height = 2 + len(chunk) // 4
        widgets.append(
            {
                "type": "alarm",
                "x": 0,
                "y": top,
                "width": 24,
                "height": height,
                "properties": {"title": "Alarms", "alarms": chunk, "sortBy": "stateUpdatedTimestamp"},
            }
        )
        top += height
    for flow in silo.flows:
        widgets.append(_text(f"## {flow.name} ({flow.source})", top))
        placed, top = _rows(flow_widgets(org, silo, flow), top + 2)
        widgets += placed
    return {"start": RANGE, "widgets": widgets}


def organization_dashboard(catalog: Catalog) -> dict[str, Any]:
    """The body of the organization's dashboard: every deployed silo's flows, across accounts."""
    org = catalog.organization.name
    widgets: list[dict[str, Any]] = [
        _text(f"# {org}: every silo's flows\nPer silo dashboards and alarms live in each silo's account", 0)
    ]
    top = 2
    for silo in catalog.deployable_silos:
        widgets.append(_text(f"## silo {silo.name} ({silo.account_id}, {silo.region})", top))
        row: list[dict[str, Any]] = []
        for flow in silo.flows:
            flow_row = flow_widgets(org, silo, flow, cross_account=True)
            row += [w for w in flow_row if w["properties"]["title"].endswith((": arrivals", ": late (1 = missed)"))]
        placed, top = _rows(row, top + 2)
        widgets += placed
    return {"start": RANGE, "widgets": widgets}
