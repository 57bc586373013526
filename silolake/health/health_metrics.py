"""Health metrics and the catalog-derived alarm table of a silo (issue 24, docs/operations.md).

The one place the health metric names live: runtime code restates the names it emits
(``landing/signals.py``, ``freshness/verdict.py``, the conform job's ``conform_metrics.py``) and
``tests/constructs/health/test_health_drift.py`` ties every alarm and dashboard metric to a runtime that emits it.
Constructs never type an alarm name, threshold or period: they render :func:`silo_alarms`.

Metrics of silolake itself are in the namespace ``Silolake/Flows`` with the dimensions
``Silo`` and ``Flow`` (the flow's catalog name), some also per ``Partner``; the SFTP
sign-in failures of a silo, counted by a log metric filter, are in ``Silolake/Silos``. AWS's
own metrics (Step Functions, Lambda, Firehose) are named as their services document them:
Step Functions ``AWS/States`` (``StateMachineArn``), Lambda ``AWS/Lambda`` (``FunctionName``),
Data Firehose ``AWS/Firehose`` (``DeliveryStreamName``; the ``DeliveryToS3.*`` and data format
conversion metrics of the Firehose developer guide, "Monitoring with CloudWatch metrics").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..aws import arns, health_names, names
from ..catalog.flow import Flow
from ..catalog.model import DeployedSilo
from ..channels import channel

NAMESPACE = "Silolake/Flows"
SILO_NAMESPACE = "Silolake/Silos"
FILES_RECEIVED = "FilesReceived"
FILES_QUARANTINED = "FilesQuarantined"
ROWS_READ = "RowsRead"
ROWS_CONFORMED = "RowsConformed"
ROWS_REJECTED = "RowsRejected"
FILES_REJECTED = "FilesRejected"
QUALITY_RULES_FAILED = "QualityRulesFailed"
QUALITY_RULES_WARNED = "QualityRulesWarned"
CONFORM_RUNS_SUCCEEDED = "ConformRunsSucceeded"
FLOW_LATE = "FlowLate"
#: SFTP sign-ins refused (``AUTH_FAILURE`` in the Transfer server's structured log), per silo account.
SFTP_AUTH_FAILURES = "SftpAuthFailures"

#: The Transfer server log events counted as :data:`SFTP_AUTH_FAILURES` (a term filter: the
#: structured log's ``activity-type`` value; Transfer User Guide, "CloudWatch log structure").
SFTP_AUTH_FAILURE_PATTERN = '"AUTH_FAILURE"'

#: Which runtime emits which silolake metric (``namespace/metric``): the drift test reads each
#: emitter's source and fails when an alarm or widget names a metric none of them emits.
EMITTERS: dict[str, tuple[str, ...]] = {
    "landing": (FILES_RECEIVED, FILES_QUARANTINED),
    "conform": (
        ROWS_READ,
        ROWS_CONFORMED,
        ROWS_REJECTED,
        FILES_REJECTED,
        QUALITY_RULES_FAILED,
        QUALITY_RULES_WARNED,
        CONFORM_RUNS_SUCCEEDED,
    ),
    "freshness": (FLOW_LATE,),
    "sftp-log-filter": (SFTP_AUTH_FAILURES,),
}

#: Alarm periods (seconds). Landing and freshness data arrive as they happen: five minutes.
#: The conform job publishes once per run: one hour sums every run that ended in it.
FAST_PERIOD = 300
RUN_PERIOD = 3600
#: Firehose buffers up to 900 s; data older than buffer + this margin is stuck (Firehose guide,
#: "Implement best practices with CloudWatch Alarms": alarm when freshness exceeds the buffer).
FIREHOSE_FRESHNESS_MARGIN = 900
#: SFTP sign-in failures per five minutes that alarm: a partner mistyping is normal, a burst is not.
SFTP_AUTH_FAILURE_THRESHOLD = 5


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric as an alarm or widget reads it: ``stat`` over ``period`` seconds."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = "Sum"
    period: int = FAST_PERIOD

    @property
    def dimension_map(self) -> dict[str, str]:
        return dict(self.dimensions)


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch alarm: ``metrics`` as ``(id, Metric)``; ``expression`` (metric math over the
    ids) when the alarm judges a formula, else the single metric. ``comparison`` is a
    PutMetricAlarm ``ComparisonOperator``; ``treat_missing`` its ``TreatMissingData``."""

    name: str
    description: str
    metrics: tuple[tuple[str, Metric], ...]
    threshold: float
    comparison: str = "GreaterThanThreshold"
    treat_missing: str = "notBreaching"
    evaluation_periods: int = 1
    expression: str | None = None
    flow: str | None = None


def alarm_arn(silo: DeployedSilo, name: str) -> str:
    """ARN of the silo's CloudWatch alarm ``name`` (the dashboard's alarm widget lists them)."""
    return arns.regional("cloudwatch", silo.region, silo.account_id, f"alarm:{name}")


def flow_dimensions(silo: DeployedSilo, flow: Flow, partner: str | None = None) -> tuple[tuple[str, str], ...]:
    """``{Silo, Flow}`` (``Flow`` the catalog name), or with ``Partner``."""
    base = (("Silo", silo.name), ("Flow", flow.name))
    return base + ((("Partner", partner),) if partner else ())


def flow_metric(silo: DeployedSilo, flow: Flow, name: str, *, partner: str | None = None, **kw: object) -> Metric:
    return Metric(NAMESPACE, name, flow_dimensions(silo, flow, partner), **kw)  # type: ignore[arg-type]


def _late(silo: DeployedSilo, flow: Flow, partner: str | None) -> Alarm:
    who = f"partner '{partner}' of flow '{flow.name}'" if partner else f"flow '{flow.name}'"
    return Alarm(
        name=health_names.partner_late_alarm(silo.name, flow.name, partner)
        if partner
        else health_names.health_alarm(silo.name, flow.name, "late"),
        description=f"silolake: {who} of silo '{silo.name}' missed its expectation (docs/operations.md#late)",
        metrics=(("late", flow_metric(silo, flow, FLOW_LATE, partner=partner, stat="Maximum")),),
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        # The check publishes once per deadline: between deadlines the alarm keeps its state,
        # so a late flow stays in ALARM until a check finds it on time.
        treat_missing="ignore",
        flow=flow.name,
    )


def flow_alarms(org: str, silo: DeployedSilo, flow: Flow) -> list[Alarm]:
    """The alarms of one flow: freshness (one per expectation), quarantine (file flows), reject
    ratio and files rejected (the default conform job), quality (the default conform job, when
    the flow has a ``fail`` rule: nothing else publishes ``QualityRulesFailed`` above 0),
    Firehose delivery and conversion (api flows)."""
    out: list[Alarm] = []
    expect = flow.expect
    if expect is not None:
        if expect.flow is not None:
            out.append(_late(silo, flow, None))
        out += [_late(silo, flow, partner) for partner, _ in expect.partners]
    if channel(flow.source).partner_files:
        out.append(
            Alarm(
                name=health_names.health_alarm(silo.name, flow.name, "quarantine"),
                description=f"silolake: files of flow '{flow.name}' were quarantined (docs/operations.md#quarantine)",
                metrics=(("quarantined", flow_metric(silo, flow, FILES_QUARANTINED)),),
                threshold=0,
                flow=flow.name,
            )
        )
    if not flow.custom_job:
        out += _conform_alarms(silo, flow)
    if channel(flow.source).landing == "firehose":
        out += _firehose_alarms(silo, flow, firehose_stream(org, silo, flow))
    return out


def _conform_alarms(silo: DeployedSilo, flow: Flow) -> list[Alarm]:
    ratio = flow.expect.max_reject_ratio if flow.expect and flow.expect.max_reject_ratio is not None else 0.0
    read = flow_metric(silo, flow, ROWS_READ, period=RUN_PERIOD)
    rejected = flow_metric(silo, flow, ROWS_REJECTED, period=RUN_PERIOD)
    out = [
        Alarm(
            name=health_names.health_alarm(silo.name, flow.name, "reject-ratio"),
            description=(
                f"silolake: flow '{flow.name}' rejected more than {ratio:g} of the rows it read "
                "(docs/operations.md#reject-ratio)"
            ),
            metrics=(("rejected", rejected), ("read", read)),
            # A run that read nothing rejected nothing: 0, not a division by zero.
            expression="IF(FILL(read, 0) > 0, FILL(rejected, 0) / read, 0)",
            threshold=ratio,
            flow=flow.name,
        ),
        Alarm(
            # Unreadable, undecodable or unmergeable files count no rows: without this alarm a flow
            # whose every file is rejected whole would look healthy (reject ratio 0, runs succeed).
            name=health_names.health_alarm(silo.name, flow.name, "files-rejected"),
            description=(
                f"silolake: the conform job rejected whole files of flow '{flow.name}' "
                "(docs/operations.md#files-rejected)"
            ),
            metrics=(("rejected", flow_metric(silo, flow, FILES_REJECTED, period=RUN_PERIOD)),),
            threshold=0,
            flow=flow.name,
        ),
    ]
    if any(rule.on_failure == "fail" for rule in flow.quality):
        # Warn rules alarm nobody by design: they are shown on the dashboard (dashboards.py).
        out.append(
            Alarm(
                name=health_names.health_alarm(silo.name, flow.name, "quality"),
                description=f"silolake: a fail rule of flow '{flow.name}' rejected files (docs/operations.md#quality)",
                metrics=(("failed", flow_metric(silo, flow, QUALITY_RULES_FAILED, period=RUN_PERIOD)),),
                threshold=0,
                flow=flow.name,
            )
        )
    return out


def firehose_stream(org: str, silo: DeployedSilo, flow: Flow) -> str:
    return names.firehose_stream(org, silo.name, flow.storage_name)


def _firehose_alarms(silo: DeployedSilo, flow: Flow, stream: str) -> list[Alarm]:
    dims = (("DeliveryStreamName", stream),)
    margin = flow.buffer_seconds + FIREHOSE_FRESHNESS_MARGIN
    return [
        Alarm(
            name=health_names.health_alarm(silo.name, flow.name, "firehose-delivery"),
            description=f"silolake: Firehose failed to deliver records of flow '{flow.name}' to S3",
            metrics=(("success", Metric("AWS/Firehose", "DeliveryToS3.Success", dims, "Minimum")),),
            threshold=1,
            comparison="LessThanThreshold",
            flow=flow.name,
        ),
        Alarm(
            name=health_names.health_alarm(silo.name, flow.name, "firehose-freshness"),
            description=f"silolake: records of flow '{flow.name}' wait in Firehose longer than {margin} s",
            metrics=(("age", Metric("AWS/Firehose", "DeliveryToS3.DataFreshness", dims, "Maximum")),),
            threshold=margin,
            flow=flow.name,
        ),
        Alarm(
            name=health_names.health_alarm(silo.name, flow.name, "firehose-conversion"),
            description=f"silolake: records of flow '{flow.name}' failed conversion to Parquet",
            metrics=(("failed", Metric("AWS/Firehose", "FailedConversion.Records", dims)),),
            threshold=0,
            flow=flow.name,
        ),
    ]


def sftp_auth_failures() -> Metric:
    """The silo's refused SFTP sign-ins. A log metric filter can take dimension values only from
    the log event's fields, not literals, so the metric has none: each silo is its own account,
    and the organization dashboard tells silos apart by account."""
    return Metric(SILO_NAMESPACE, SFTP_AUTH_FAILURES, ())


def state_machine_arn(silo: DeployedSilo, flow: Flow) -> str:
    """The pipeline of ``flow`` (:func:`silolake.aws.names.state_machine_arn`, the flow's storage name)."""
    return names.state_machine_arn(silo.region, silo.account_id, silo.name, flow.storage_name)


def silo_alarms(org: str, silo: DeployedSilo, *, functions: Sequence[str], sftp: bool) -> list[Alarm]:
    """Every alarm of ``silo``: each flow's (:func:`flow_alarms`), each pipeline's failed or timed
    out executions, errors of each silolake Lambda function in ``functions`` (names), and SFTP
    sign-in failures when the silo runs a Transfer server (``sftp``)."""
    out: list[Alarm] = []
    for flow in silo.flows:
        out += flow_alarms(org, silo, flow)
        arn = (("StateMachineArn", state_machine_arn(silo, flow)),)
        out.append(
            Alarm(
                name=health_names.health_alarm(silo.name, flow.name, "pipeline-failed"),
                description=f"silolake: the pipeline of flow '{flow.name}' failed or timed out",
                metrics=(
                    ("failed", Metric("AWS/States", "ExecutionsFailed", arn)),
                    ("timed_out", Metric("AWS/States", "ExecutionsTimedOut", arn)),
                ),
                expression="FILL(failed, 0) + FILL(timed_out, 0)",
                threshold=0,
                flow=flow.name,
            )
        )
    for function in sorted(functions):
        out.append(
            Alarm(
                name=health_names.lambda_alarm(silo.name, function),
                description=f"silolake: the function {function} of silo '{silo.name}' failed",
                metrics=(("errors", Metric("AWS/Lambda", "Errors", (("FunctionName", function),))),),
                threshold=0,
            )
        )
    if sftp:
        out.append(
            Alarm(
                name=health_names.health_alarm(silo.name, "silo", "sftp-auth-failures"),
                description=(
                    f"silolake: {SFTP_AUTH_FAILURE_THRESHOLD} or more SFTP sign-ins to silo '{silo.name}' "
                    "were refused within five minutes"
                ),
                metrics=(("refused", sftp_auth_failures()),),
                threshold=SFTP_AUTH_FAILURE_THRESHOLD,
                comparison="GreaterThanOrEqualToThreshold",
            )
        )
    return out
