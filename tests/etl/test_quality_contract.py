"""What the framework and the conform job must agree on for quality rules and metrics.

Runtime code never imports the framework, so the names both sides use are restated; these
tests keep each pair equal: the results table's columns, the metrics namespace the Glue role
may publish into, the metric names of the health metrics contract, and every example rule as
the job parses it.
"""

from __future__ import annotations

import json
import sys

import pytest

from silolake.constructs.etl import flow_spec
from silolake.constructs.storage.glue_tables import QUALITY_COLUMNS
from silolake.policy.glue_metrics import FLOW_METRICS_NAMESPACE
from silolake.runtime import runtime_path

#: The conform job's metrics in the health metrics contract (issue 24).
CONTRACT = {
    "RowsRead",
    "RowsConformed",
    "RowsRejected",
    "FilesRejected",
    "QualityRulesFailed",
    "QualityRulesWarned",
    "ConformRunsSucceeded",
}


@pytest.fixture(scope="module")
def job():
    folder = str(runtime_path("glue", "conform"))
    sys.path.insert(0, folder)
    try:
        import conform
        import conform_metrics
        import conform_quality
        import conform_spec

        yield conform, conform_metrics, conform_quality, conform_spec
    finally:
        sys.path.remove(folder)


def test_results_table_columns_are_what_the_job_writes(job):
    _, _, conform_quality, _ = job
    assert [(n, t) for n, t, _ in QUALITY_COLUMNS] == list(conform_quality.RESULT_COLUMNS)


def test_metrics_are_the_contract_in_the_namespace_the_role_may_publish(job):
    conform, conform_metrics, _, conform_spec = job
    assert conform_metrics.NAMESPACE == FLOW_METRICS_NAMESPACE == "Silolake/Flows"
    assert set(conform_metrics.METRIC_NAMES) == CONTRACT
    spec = conform_spec.FlowSpec("orders", "json", (), (), (), "s3://r/", "s3://p/", "s3://p/x/", silo="sales")
    result = conform.ConformResult("orders", rows_read=10, rows_rejected=3, files_rejected=1)
    result.quality_failed, result.quality_warned = 1, 2
    data = conform_metrics.metric_data(spec, result)
    assert {d["MetricName"]: d["Value"] for d in data} == {
        "RowsRead": 10,
        "RowsConformed": 7,
        "RowsRejected": 3,
        "FilesRejected": 1,
        "QualityRulesFailed": 1,
        "QualityRulesWarned": 2,
        "ConformRunsSucceeded": 1,
    }
    for datum in data:
        assert datum["Unit"] == "Count"
        assert datum["Dimensions"] == [{"Name": "Silo", "Value": "sales"}, {"Name": "Flow", "Value": "orders"}]


def test_every_example_rule_is_parsed_by_the_job(example_catalog, job):
    *_, conform_spec = job
    ruled = [(s, f) for s in example_catalog.silos for f in s.flows if f.quality]
    assert ruled, "the example catalog shows quality rules on a flow"
    for silo, flow in ruled:
        spec = flow_spec.flow_spec(flow, raw_bucket="r", processed_bucket="p", silo=silo.name)
        parsed = conform_spec.parse_spec(json.loads(flow_spec.render_spec(spec)))
        assert [q.name for q in parsed.quality] == [r.name for r in flow.quality]
        assert [q.on_failure for q in parsed.quality] == [r.on_failure for r in flow.quality]
        assert parsed.silo == silo.name and parsed.quality_path.startswith("s3://p/_quality/flow=")


def test_a_spec_with_rules_but_no_results_folder_is_refused(job):
    *_, conform_spec = job
    spec = {
        "flow": "f",
        "format": "json",
        "columns": [{"name": "a", "type": "string"}],
        "raw_path": "s3://r/f/",
        "processed_path": "s3://p/f/",
        "rejects_path": "s3://p/_rejects/f/",
        "quality": [{"check": "not_null", "on_failure": "fail", "columns": ["a"]}],
    }
    with pytest.raises(conform_spec.SpecError, match="quality_path"):
        conform_spec.parse_spec(spec)
    with pytest.raises(conform_spec.SpecError, match="undeclared column"):
        conform_spec.parse_spec(
            spec | {"quality_path": "s3://p/q/", "quality": [{**spec["quality"][0], "columns": ["b"]}]}
        )
