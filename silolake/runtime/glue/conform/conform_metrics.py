"""The conform job's CloudWatch metrics: one ``PutMetricData`` call per run, never failing the run.

Namespace ``Silolake/Flows``, unit Count, dimensions ``Silo`` and ``Flow`` (the flow's catalog
name), as the health metrics contract of issue 24 fixes them; the framework's alarms and
dashboards read these names (``tests/etl/test_quality_contract.py`` keeps the names, the namespace
and the Glue role's condition equal).
The Glue role may call ``cloudwatch:PutMetricData`` only for this namespace
(``cloudwatch:namespace`` condition; ``silolake/policy/glue_metrics.py``). AWS reference:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
(up to 1,000 metrics per call, so one call carries them all).

Published at the end of every *successful* run, even when every count is 0; a failed run
publishes nothing (its Step Functions execution fails and alerts). Publishing happens after the
run's state is written, and any failure to publish is logged and swallowed: metrics are a
signal about the data, never a reason to lose or repeat the work.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from conform import ConformResult
from conform_spec import FlowSpec

__all__ = ["METRIC_NAMES", "NAMESPACE", "metric_data", "publish_run_metrics"]

NAMESPACE = "Silolake/Flows"
ROWS_READ = "RowsRead"
ROWS_CONFORMED = "RowsConformed"
ROWS_REJECTED = "RowsRejected"
FILES_REJECTED = "FilesRejected"
QUALITY_RULES_FAILED = "QualityRulesFailed"
QUALITY_RULES_WARNED = "QualityRulesWarned"
CONFORM_RUNS_SUCCEEDED = "ConformRunsSucceeded"
#: Every metric the job emits (a drift test reads this tuple).
METRIC_NAMES = (
    ROWS_READ,
    ROWS_CONFORMED,
    ROWS_REJECTED,
    FILES_REJECTED,
    QUALITY_RULES_FAILED,
    QUALITY_RULES_WARNED,
    CONFORM_RUNS_SUCCEEDED,
)


def metric_data(spec: FlowSpec, result: ConformResult) -> list[dict[str, Any]]:
    """The ``MetricData`` of one successful run: ``RowsConformed`` = rows read minus rows rejected
    (rows of files a ``fail`` rule rejected included), before deduplication."""
    values = {
        ROWS_READ: result.rows_read,
        ROWS_CONFORMED: result.rows_accepted,
        ROWS_REJECTED: result.rows_rejected,
        FILES_REJECTED: result.files_rejected,
        QUALITY_RULES_FAILED: result.quality_failed,
        QUALITY_RULES_WARNED: result.quality_warned,
        CONFORM_RUNS_SUCCEEDED: 1,
    }
    dimensions = [{"Name": "Silo", "Value": spec.silo}, {"Name": "Flow", "Value": spec.flow}]
    return [{"MetricName": n, "Dimensions": dimensions, "Value": float(v), "Unit": "Count"} for n, v in values.items()]


def publish_run_metrics(spec: FlowSpec, result: ConformResult, client: Any = None) -> bool:
    """One ``PutMetricData`` call with :func:`metric_data`; True when CloudWatch accepted it.

    ``client`` is a boto3 CloudWatch client (made here when None). Never raises: a failure is
    logged as one JSON line on stderr. A spec without ``silo`` (a hand-made spec) publishes nothing."""
    if not spec.silo:
        print(json.dumps({"metrics": "skipped", "reason": "the flow spec names no silo"}), file=sys.stderr)
        return False
    try:
        if client is None:
            import boto3

            client = boto3.client("cloudwatch")
        client.put_metric_data(Namespace=NAMESPACE, MetricData=metric_data(spec, result))
        return True
    except Exception as exc:  # noqa: BLE001 - metrics must never fail a finished run
        print(json.dumps({"metrics": "not published", "error": f"{type(exc).__name__}: {exc}"}), file=sys.stderr)
        return False
