"""The synthesized pipeline of a flow, executed by moto's Step Functions interpreter.

moto 5.2.5 runs ``glue:startJobRun``, ``athena:startQueryExecution`` and ``sns:publish``
tasks with their retries and catches, but fails any ``.sync`` task with
``States.Runtime``; the definition runs here in the request-response form of
:func:`silolake.constructs.etl.asl.request_response_form` (the one difference: a job run
that *starts* and fails later is not seen by this form; ``docs/etl.md``). Warehouse loads
run in ``test_warehouse_moto.py`` through a small test-only adapter for moto's Redshift
Data API (``moto_redshift_data.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import boto3
import pytest
from moto import mock_aws

from silolake.aws import names
from silolake.constructs.etl import asl
from tests.etl.test_asl import machines

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipeline(example_synth):
    """(silo, flow, product definition) of the first deployed flow without a warehouse load."""
    found = machines(example_synth)
    silo, flow = next((s, f) for s in example_synth.catalog.deployable_silos for f in s.flows if not f.warehouse)
    return silo, flow, found[names.etl_name(silo.name, flow.name)]


def run(
    silo, flow, definition: dict, *, job_exists: bool, monkeypatch, setup: Callable[[], None] | None = None
) -> tuple[dict, list[dict], list[str]]:
    """Execute ``definition`` in moto; return (execution, history events, messages on the topic).

    ``setup`` runs inside the moto session before the execution starts (more resources)."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", silo.account_id)
    monkeypatch.setenv("AWS_DEFAULT_REGION", silo.region)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        topic = sns.create_topic(Name=names.etl_silo_name(silo.name, "etl-alerts"))["TopicArn"]
        assert topic == definition["States"]["Notify"]["Parameters"]["TopicArn"]
        queue = sqs.create_queue(QueueName="owners")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        boto3.client("athena").create_work_group(Name=names.etl_silo_name(silo.name, "athena"))
        if job_exists:
            boto3.client("glue").create_job(
                Name=names.etl_name(silo.name, flow.name),
                Role=f"arn:aws:iam::{silo.account_id}:role/glue",
                Command={"Name": "glueetl", "ScriptLocation": "s3://code/job.py"},
            )
        if setup:
            setup()
        sfn = boto3.client("stepfunctions")
        machine = sfn.create_state_machine(
            name=names.etl_name(silo.name, flow.name),
            definition=json.dumps(asl.request_response_form(definition)),
            roleArn=f"arn:aws:iam::{silo.account_id}:role/pipeline",
        )["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"flow": flow.name}))["executionArn"]
        deadline = time.monotonic() + 60
        while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "execution did not finish"
            time.sleep(0.1)
        events = sfn.get_execution_history(executionArn=arn)["events"]
        messages = [json.loads(m["Body"])["Message"] for m in sqs.receive_message(QueueUrl=queue).get("Messages", [])]
    return execution, events, messages


def entered(events: list[dict]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def test_happy_path_runs_every_step_and_notifies_nobody(pipeline, monkeypatch):
    silo, flow, definition = pipeline
    execution, events, messages = run(silo, flow, definition, job_exists=True, monkeypatch=monkeypatch)
    assert execution["status"] == "SUCCEEDED", execution
    assert entered(events) == ["RegisterRawPartitions", "RunKind", "Conform", "RefreshProcessedPartitions", "Succeeded"]
    assert messages == []


def test_failing_glue_task_ends_in_the_sns_notification(pipeline, monkeypatch):
    silo, flow, definition = pipeline
    execution, events, messages = run(silo, flow, definition, job_exists=False, monkeypatch=monkeypatch)
    assert execution["status"] == "FAILED"
    assert execution["error"] == asl.FAILED_ERROR
    assert entered(events) == ["RegisterRawPartitions", "RunKind", "Conform", "Notify", "Failed"]
    [message] = messages
    assert f"flow {flow.name} of silo {silo.name} failed" in message
    assert "Glue.EntityNotFoundException" in message
    assert ":execution:" in message
