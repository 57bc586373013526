"""Every metric an alarm, a dashboard widget or a freshness check reads is one something emits.

Read from the synthesized example (what Terraform receives): each alarm's metrics, each
dashboard widget's metrics and each freshness schedule's evidence. A silolake metric must be
named by the emitter :data:`silolake.health.health_metrics.EMITTERS` assigns it to, and that
emitter's source must spell it (landing's EMF module, the freshness check, the conform job's
``conform_metrics.py``, the Transfer log metric filter in the same stack). An AWS metric must be
one of the metrics its service documents with those dimensions (:data:`AWS_METRICS`).

An emitter whose source is not on this branch yet (the conform job's metrics module arrives
with the quality work) cannot be checked: the test checks every other metric first, then skips
naming the missing emitters. A metric no emitter is assigned fails at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from silolake.health import health_metrics as hm
from silolake.runtime import runtime_path
from tests.conftest import Synth

#: AWS metrics silolake reads, with the dimension names their services document:
#: Step Functions "Monitoring Step Functions metrics using CloudWatch" (execution metrics by
#: StateMachineArn); Lambda "Viewing metrics for Lambda functions" (Errors by FunctionName);
#: Data Firehose "Monitoring Amazon Data Firehose with CloudWatch metrics" (delivery to S3 and
#: data format conversion metrics by DeliveryStreamName).
AWS_METRICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("AWS/States", "ExecutionsFailed"): ("StateMachineArn",),
    ("AWS/States", "ExecutionsTimedOut"): ("StateMachineArn",),
    ("AWS/States", "ExecutionsSucceeded"): ("StateMachineArn",),
    ("AWS/Lambda", "Errors"): ("FunctionName",),
    ("AWS/Firehose", "DeliveryToS3.Success"): ("DeliveryStreamName",),
    ("AWS/Firehose", "DeliveryToS3.DataFreshness"): ("DeliveryStreamName",),
    ("AWS/Firehose", "DeliveryToS3.Records"): ("DeliveryStreamName",),
    ("AWS/Firehose", "FailedConversion.Records"): ("DeliveryStreamName",),
    # SQS Developer Guide, "Available CloudWatch metrics for Amazon SQS" (by QueueName);
    # EventBridge Scheduler User Guide, "Monitoring EventBridge Scheduler with Amazon CloudWatch"
    # (invocation metrics per schedule group).
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible"): ("QueueName",),
    ("AWS/Scheduler", "TargetErrorCount"): ("ScheduleGroup",),
    ("AWS/Scheduler", "InvocationDroppedCount"): ("ScheduleGroup",),
    ("AWS/Scheduler", "InvocationsFailedToBeSentToDeadLetterCount"): ("ScheduleGroup",),
}
#: The dimension sets each silolake emitter writes.
EMITTED_DIMENSIONS = {
    frozenset({"Silo", "Flow"}),
    frozenset({"Silo", "Flow", "Partner"}),
    frozenset(),  # the log metric filter's (it cannot set literal dimensions)
}
RUNTIME = runtime_path()


def emitter_sources(synth: Synth) -> dict[str, str | None]:
    """Emitter -> the text that must spell its metrics (None: not on this branch)."""
    conform = sorted(Path(RUNTIME, "glue").rglob("conform_metrics.py"))
    filters = [
        json.dumps(f["metric_transformation"])
        for stack in synth.stack_names
        for f in synth.resources(stack, "aws_cloudwatch_log_metric_filter").values()
    ]
    return {
        "landing": runtime_path("lambda", "landing", "landing", "signals.py").read_text(),
        "freshness": runtime_path("lambda", "freshness", "freshness", "verdict.py").read_text(),
        "conform": conform[0].read_text() if conform else None,
        "sftp-log-filter": "\n".join(filters) or None,
    }


Read = tuple[str, str, tuple[str, ...], str]  # namespace, metric, dimension names, where


def _widget_metrics(body: dict, where: str) -> Iterator[Read]:
    for widget in body["widgets"]:
        lines = widget["properties"].get("metrics", [])
        ids = {line[-1].get("id") for line in lines if isinstance(line[-1], dict)}
        for line in lines:
            parts = [p for p in line if not isinstance(p, dict)]
            if not parts:  # a metric math expression: it may read only this widget's metric lines
                expression = line[0]["expression"]
                used = set(re.findall(r"\b([a-z][a-z0-9_]*)\b(?!\()", expression)) - {"REPEAT"}
                assert used and used <= ids, f"{where} widget {widget['properties']['title']!r}: {expression}"
                continue
            namespace, name, dims = parts[0], parts[1], tuple(parts[2::2])
            yield namespace, name, dims, f"{where} widget {widget['properties']['title']!r}"


def reads(synth: Synth) -> Iterator[Read]:
    """Every metric the synthesized example reads, with where it is read."""
    for stack in synth.stack_names:
        for alarm in synth.resources(stack, "aws_cloudwatch_metric_alarm").values():
            where = f"{stack} alarm {alarm['alarm_name']}"
            if "metric_name" in alarm:
                yield alarm["namespace"], alarm["metric_name"], tuple(alarm.get("dimensions") or {}), where
            for query in alarm.get("metric_query", []):
                if "metric" in query:
                    m = query["metric"]
                    yield m["namespace"], m["metric_name"], tuple(m.get("dimensions") or {}), where
        for board in synth.resources(stack, "aws_cloudwatch_dashboard").values():
            yield from _widget_metrics(json.loads(board["dashboard_body"]), f"{stack} dashboard")
        for schedule in synth.resources(stack, "aws_scheduler_schedule").values():
            check = json.loads(schedule["target"]["input"])
            for evidence in check.get("evidence", []):
                for t in evidence["terms"]:
                    dims = tuple(k for k, _ in t["dimensions"])
                    yield t["namespace"], t["metric"], dims, f"{stack} freshness check {schedule['name']}"


def drift(found: list[Read], sources: dict[str, str | None]) -> tuple[list[str], set[str]]:
    """(failures, emitters whose source is missing) of the reads ``found``."""
    owner = {name: emitter for emitter, metrics in hm.EMITTERS.items() for name in metrics}
    failures, pending = [], set()
    for namespace, name, dims, where in found:
        if namespace.startswith("AWS/"):
            if set(AWS_METRICS.get((namespace, name), ("?",))) != set(dims):
                failures.append(f"{where}: {namespace} {name} {dims} is no documented AWS metric")
            continue
        if namespace not in (hm.NAMESPACE, hm.SILO_NAMESPACE) or name not in owner:
            failures.append(f"{where}: {namespace} {name} has no emitter")
            continue
        if frozenset(dims) not in EMITTED_DIMENSIONS:
            failures.append(f"{where}: {name} read with dimensions {dims} no emitter writes")
        text = sources[owner[name]]
        if text is None:
            pending.add(owner[name])
        elif not re.search(rf"[\"']{re.escape(name)}[\"']", text) or namespace not in text:
            failures.append(f"{where}: {owner[name]} does not emit {namespace} {name}")
    return failures, pending


def test_every_read_metric_has_an_emitter(example_synth: Synth) -> None:
    found = list(reads(example_synth))
    assert {r[0] for r in found} >= {hm.NAMESPACE, hm.SILO_NAMESPACE, "AWS/States", "AWS/Lambda", "AWS/Firehose"}
    failures, pending = drift(found, emitter_sources(example_synth))
    assert failures == []
    if pending:
        pytest.skip(f"emitters not on this branch, their metrics unchecked: {', '.join(sorted(pending))}")


def test_the_check_fails_on_a_metric_nobody_emits(example_synth: Synth) -> None:
    sources = emitter_sources(example_synth)
    forged: list[Read] = [
        (hm.NAMESPACE, "FilesRecieved", ("Silo", "Flow"), "typo widget"),
        (hm.NAMESPACE, hm.FLOW_LATE, ("Silo",), "wrong dimensions"),
        ("AWS/Lambda", "Errors", ("FunctionArn",), "wrong AWS dimension"),
    ]
    failures, _ = drift(forged, {**sources, "freshness": "no names here"})
    assert failures == [
        "typo widget: Silolake/Flows FilesRecieved has no emitter",
        "wrong dimensions: FlowLate read with dimensions ('Silo',) no emitter writes",
        "wrong dimensions: freshness does not emit Silolake/Flows FlowLate",
        "wrong AWS dimension: AWS/Lambda Errors ('FunctionArn',) is no documented AWS metric",
    ]


def test_the_runtimes_restate_the_framework_names() -> None:
    """The landing EMF module and the freshness check spell namespace, names and dimensions as
    :mod:`silolake.health.health_metrics` does."""
    import importlib
    import sys

    for folder in ("landing", "freshness"):
        path = str(runtime_path("lambda", folder))
        if path not in sys.path:
            sys.path.append(path)
    signals = importlib.import_module("landing.signals")
    verdict = importlib.import_module("freshness.verdict")
    assert signals.NAMESPACE == verdict.NAMESPACE == hm.NAMESPACE
    assert hm.EMITTERS["landing"] == (signals.FILES_RECEIVED, signals.FILES_QUARANTINED)
    assert hm.EMITTERS["freshness"] == (verdict.FLOW_LATE,)
    assert {frozenset(d) for d in signals.DIMENSION_SETS} <= EMITTED_DIMENSIONS
