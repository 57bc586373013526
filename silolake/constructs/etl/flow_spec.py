"""The job spec of one flow: the single argument (``--flow_spec``) of the conform job.

Pure data (never imports cdktf). Shape, consumed by ``silolake/runtime/glue/conform/job.py``::

    {"flow": "orders", "format": "json" | "csv" | "parquet",
     "csv": {"delimiter": ";", "header": true},
     "columns": [{"name": "order_id", "type": "string"}, ...],   # canonical Glue types
     "keys": ["order_id"], "partition_by": ["ingest_date"],
     "raw_path": "s3://<raw bucket>/<flow>/",
     "processed_path": "s3://<processed bucket>/<flow>/",
     "rejects_path": "s3://<processed bucket>/_rejects/<flow>/",
     "warehouse": false,   # the job rejects values over Redshift's byte limits when true
     "silo": "sales",      # the Silo dimension of the job's metrics
     # with quality rules only (silolake.catalog.quality.QualityRule.spec):
     "quality": [{"check": "not_null", "on_failure": "fail", "columns": ["order_id"]}, ...],
     "quality_path": "s3://<processed bucket>/_quality/flow=<flow>/"}

``format`` is the format of the *raw* data: api flows land as Parquet (Firehose converts
them), file flows in the format the partner sends. Paths always end with ``/``.
"""

from __future__ import annotations

import json
from typing import Any

from ...aws import names
from ...catalog.flow import Flow
from ...partner_runtime import landing_flows  # noqa: F401 - where the constructs and tests read it

#: Conform job's own state (watermark and the processed partitions of its last run), relative
#: to the flow's processed path; the warehouse load reads ``processed_partitions`` from it.
CONFORM_STATE = "_silolake/conform_state.json"


def raw_format(flow: Flow) -> str:
    """Format of a flow's raw data: api records arrive as Parquet (Firehose converts them).

    The rule is the channel's (:attr:`Flow.raw_format`, :mod:`silolake.channels`); the raw
    Glue table reads it too (``storage.glue_tables.raw_format``)."""
    return flow.raw_format


def zone_path(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix}"


def flow_spec(flow: Flow, *, raw_bucket: str, processed_bucket: str, silo: str = "") -> dict[str, Any]:
    """The flow spec (shape in the module docstring) of ``flow`` with the silo's name and bucket names."""
    spec = {
        "flow": flow.name,
        "format": raw_format(flow),
        "csv": {"delimiter": flow.csv_delimiter, "header": flow.csv_header},
        "columns": [{"name": c.name, "type": c.type} for c in flow.columns],
        "keys": list(flow.keys),
        "partition_by": list(flow.partition_by),
        "raw_path": zone_path(raw_bucket, f"{flow.data_name}/"),
        "processed_path": zone_path(processed_bucket, f"{flow.data_name}/"),
        "rejects_path": zone_path(processed_bucket, f"{names.REJECTS_PREFIX}{flow.data_name}/"),
        "warehouse": flow.warehouse,
        "silo": silo,
    }
    if flow.quality:
        spec["quality"] = [rule.spec() for rule in flow.quality]
        spec["quality_path"] = zone_path(processed_bucket, names.quality_prefix(flow.storage_name))
    return spec


def render_spec(spec: dict[str, Any]) -> str:
    """Compact, key-sorted JSON: a stable job argument, so an unchanged flow plans no change."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))
