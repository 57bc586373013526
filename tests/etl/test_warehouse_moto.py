"""The warehouse branch of a synthesized pipeline, executed by moto's Step Functions interpreter.

The definition is the product's (in the request-response form of ``test_pipeline_moto``);
the Redshift Data API answers through the test-only adapter :mod:`tests.etl.moto_redshift_data`
(moto 5.2.5 has no ``BatchExecuteStatement``). What is proven: the load reads the conform
job's state, sends one batch per processed partition whose SQL is exactly
:func:`~silolake.constructs.etl.warehouse_sql.load_statements` filled with that partition,
polls ``DescribeStatement`` after the documented wait, then refreshes the processed
partitions; a failed (rolled back) batch ends in the silo's SNS notification.
"""

from __future__ import annotations

import json

import boto3
import pytest

from silolake.aws import names
from silolake.constructs.etl import asl, warehouse_sql
from silolake.constructs.etl.flow_spec import CONFORM_STATE
from tests.etl import moto_redshift_data
from tests.etl.test_asl import machines
from tests.etl.test_pipeline_moto import entered, run

pytestmark = pytest.mark.slow

PARTITIONS = [{"ingest_date": "2026-11-27"}, {"ingest_date": "2026-11-28"}]


@pytest.fixture(scope="module")
def warehouse_pipeline(example_synth):
    """(silo, flow, product definition) of the first deployed flow with a warehouse load."""
    found = machines(example_synth)
    silo, flow = next((s, f) for s in example_synth.catalog.deployable_silos for f in s.flows if f.warehouse)
    return silo, flow, found[names.etl_name(silo.name, flow.name)]


def processed_bucket(silo) -> str:
    return names.silo_bucket("acme", silo.name, "processed", silo.account_id, silo.region)


def conform_state(silo, flow, partitions):
    """Write the conform job's state (``processed_partitions``) where the job writes it."""

    def setup() -> None:
        s3, bucket = boto3.client("s3"), processed_bucket(silo)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": silo.region})
        body = json.dumps({"processed_partitions": partitions, "rows_written": 3})
        s3.put_object(Bucket=bucket, Key=f"{flow.storage_name}/{CONFORM_STATE}", Body=body.encode())

    return setup


def expected_sqls(silo, flow, partition: dict[str, str]) -> tuple[str, ...]:
    target = warehouse_sql.LoadTarget(
        f"s3://{processed_bucket(silo)}/{flow.storage_name}/",
        f"arn:aws:iam::{silo.account_id}:role/{names.silo_role(silo.name, f'{flow.name}-load')}",
    )
    return tuple(warehouse_sql.render(s, partition, flow) for s in warehouse_sql.load_statements(flow, target))


def test_every_new_partition_is_loaded_then_partitions_refreshed(warehouse_pipeline, monkeypatch):
    silo, flow, definition = warehouse_pipeline
    record = moto_redshift_data.install(monkeypatch)
    execution, events, messages = run(
        silo, flow, definition, job_exists=True, monkeypatch=monkeypatch, setup=conform_state(silo, flow, PARTITIONS)
    )
    assert execution["status"] == "SUCCEEDED", execution
    per_partition = ["Load", "WaitForLoad", "CheckLoad", "LoadStatus", "Loaded"]
    assert entered(events) == [
        "RegisterRawPartitions",
        "RunKind",
        "Conform",
        "ReadConformState",
        "LoadWarehouse",
        *per_partition * len(PARTITIONS),
        "RefreshProcessedPartitions",
        "Succeeded",
    ]
    assert messages == []
    load = definition["States"]["LoadWarehouse"]["ItemProcessor"]["States"]["Load"]["Parameters"]
    assert [(b.workgroup, b.database) for b in record.batches] == [(load["WorkgroupName"], load["Database"])] * 2
    assert [b.sqls for b in record.batches] == [expected_sqls(silo, flow, p) for p in PARTITIONS]
    # One transaction per partition: DDL, columns the table lacks, stage, COPY from that partition's
    # prefix, replace, drop stage.
    first = record.batches[0].sqls
    assert first[0].startswith("CREATE TABLE IF NOT EXISTS") and first[2].startswith("CALL ")
    assert "FORMAT AS PARQUET" in first[4] and f"/{flow.storage_name}/ingest_date=2026-11-27/'" in first[4]
    assert record.waits == [asl.LOAD_POLL_SECONDS] * len(PARTITIONS)


def test_a_failed_load_ends_in_the_sns_notification(warehouse_pipeline, monkeypatch):
    silo, flow, definition = warehouse_pipeline
    record = moto_redshift_data.install(monkeypatch, status="FAILED")
    execution, events, messages = run(
        silo, flow, definition, job_exists=True, monkeypatch=monkeypatch, setup=conform_state(silo, flow, PARTITIONS)
    )
    assert execution["status"] == "FAILED" and execution["error"] == asl.FAILED_ERROR
    states = entered(events)
    assert states[-3:] == ["LoadFailed", "Notify", "Failed"]
    assert "RefreshProcessedPartitions" not in states
    assert len(record.batches) == 1  # the Map stops at the first failed partition
    [message] = messages
    assert f"flow {flow.name} of silo {silo.name} failed" in message
    assert asl.LOAD_FAILED_ERROR in message


def test_before_the_first_conform_state_the_load_is_skipped(warehouse_pipeline, monkeypatch):
    silo, flow, definition = warehouse_pipeline
    record = moto_redshift_data.install(monkeypatch)

    def no_state() -> None:
        boto3.client("s3").create_bucket(
            Bucket=processed_bucket(silo), CreateBucketConfiguration={"LocationConstraint": silo.region}
        )

    execution, events, _ = run(silo, flow, definition, job_exists=True, monkeypatch=monkeypatch, setup=no_state)
    assert execution["status"] == "SUCCEEDED", execution
    assert "LoadWarehouse" not in entered(events) and record.batches == []
