"""One run of the conform job as Glue starts it, minus ``awsglue``: parse, conform, report, publish.

``job.py`` (the Glue entry point) calls :func:`run_job` between ``Job.init`` and ``Job.commit``;
tests call it with local PySpark and moto's CloudWatch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from conform import ConformResult, conform
from conform_metrics import publish_run_metrics
from conform_spec import parse_spec
from pyspark.sql import SparkSession

__all__ = ["run_job"]


def run_job(
    spark: SparkSession, flow_spec: str, redrive_days: Sequence[str] = (), *, cloudwatch: Any = None
) -> ConformResult:
    """Conform the flow of ``flow_spec`` (JSON), with the raw days ``redrive_days`` names reprocessed,
    print the run summary (one JSON line), then publish the run's metrics (:mod:`conform_metrics`; a
    failure there is logged, never raised). Raises what :func:`conform.conform` raises, before anything
    is published."""
    spec = parse_spec(flow_spec)
    result = conform(spark, spec, redrive_days)
    summary = {
        "conform": result.flow,
        "redrive_days": list(redrive_days),
        "raw_partitions": result.raw_partitions,
        "rows_read": result.rows_read,
        "rows_rejected": result.rows_rejected,
        "files_rejected": result.files_rejected,
        "quality_failed": result.quality_failed,
        "quality_warned": result.quality_warned,
        "processed_partitions": result.processed_partitions,
    }
    print(json.dumps(summary))
    publish_run_metrics(spec, result, cloudwatch)
    return result
