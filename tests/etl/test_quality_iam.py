"""The conform job's quality results and metrics, proven with the offline IAM engine on the
policies as Terraform delivers them (:mod:`tests.delivered`): a flow with rules writes its own
results folder only, and every Glue role publishes metrics into ``Silolake/Flows`` only."""

from __future__ import annotations

import pytest

from silolake.aws import names
from tests.iam.iam_sim import simulate
from tests.stackjson import bucket_policy

from .test_etl_iam import case
from .test_etl_stack import role_policy

pytestmark = pytest.mark.slow


def test_quality_results_and_metrics_are_least_privilege(example_delivery):
    silo = next(s for s in example_delivery.catalog.deployable_silos if any(f.quality for f in s.flows))
    stack, account = silo.stack_name, silo.account_id
    ruled = next(f for f in silo.flows if f.quality)
    plain = next(f for f in silo.flows if not f.quality)
    processed = names.silo_bucket("acme", silo.name, "processed", account, silo.region)
    policy = bucket_policy(example_delivery.stack(stack), processed)
    [deny] = [st for st in policy["Statement"] if st.get("Sid") == "DenyForeignKmsKey"]
    key_id = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    sse = {"s3:x-amz-server-side-encryption": "aws:kms", key_id: deny["Condition"]["StringNotEquals"][key_id]}
    roles = {}
    for flow in (ruled, plain):
        role = names.silo_role(silo.name, f"{flow.storage_name}-glue")
        roles[flow.name] = (f"arn:aws:iam::{account}:role/{role}", role_policy(example_delivery, stack, role))

    def put(name: str, flow: str, key: str) -> dict:
        arn, identity = roles[flow]
        resource = f"arn:aws:s3:::{processed}/{key}"
        return case(name, arn, identity, "s3:PutObject", resource, account, policy, sse)

    def metrics(name: str, flow: str, namespace: str | None) -> dict:
        arn, identity = roles[flow]
        context = {"cloudwatch:namespace": namespace} if namespace else None
        return case(name, arn, identity, "cloudwatch:PutMetricData", "*", account, None, context)

    results_of = f"{names.quality_prefix(ruled.storage_name)}ingest_date=2026-01-01/part-0.snappy.parquet"
    cases = [
        put("job writes its quality results", ruled.name, results_of),
        put("job cannot write another flow's results", ruled.name, f"{names.quality_prefix(plain.storage_name)}x"),
        put("a flow without rules writes no results", plain.name, f"{names.quality_prefix(plain.storage_name)}x"),
        put("nor another flow's", plain.name, results_of),
        metrics("job publishes flow metrics", ruled.name, "Silolake/Flows"),
        metrics("a flow without rules publishes its run metrics too", plain.name, "Silolake/Flows"),
        metrics("not into AWS namespaces", ruled.name, "AWS/Glue"),
        metrics("not into another namespace", ruled.name, "Silolake/Other"),
        metrics("not without a namespace", ruled.name, None),
    ]
    expected = {
        "job writes its quality results": True,
        "job cannot write another flow's results": False,
        "a flow without rules writes no results": False,
        "nor another flow's": False,
        "job publishes flow metrics": True,
        "a flow without rules publishes its run metrics too": True,
        "not into AWS namespaces": False,
        "not into another namespace": False,
        "not without a namespace": False,
    }
    assert {r["name"]: r["decision"] == "Allowed" for r in simulate(cases)} == expected
