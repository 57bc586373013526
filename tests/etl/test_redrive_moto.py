"""``silolake redrive --day`` against moto (in process): the command starts the flow's synthesized state
machine, which moto's Step Functions executes, and the Glue job run it starts carries the redrive's days.

The definition is the product's, in the request-response form of ``test_pipeline_moto`` (moto cannot run
``.sync``). The job run's arguments are read back from moto's Glue and parsed by the conform job's own
``conform_redrive.parse_days``: the name and shape of the argument agree end to end. A warehouse flow's
redrive replaces the redriven day in Redshift (``DELETE`` of the day, then ``INSERT``), through the
test-only Redshift Data API adapter of ``test_warehouse_moto``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from silolake import pipeline_input
from silolake.aws import name_rules, names
from silolake.catalog import load_catalog
from silolake.cli import main
from silolake.constructs.etl import asl
from silolake.runtime import runtime_path
from tests.conftest import EXAMPLE
from tests.etl import moto_redshift_data
from tests.etl.test_asl import machines
from tests.etl.test_pipeline_moto import entered
from tests.etl.test_warehouse_moto import conform_state, processed_bucket

pytestmark = pytest.mark.slow

DAYS = ["2026-11-20", "2026-11-21"]


@pytest.fixture(scope="module")
def definitions(example_synth):
    return example_synth.catalog, machines(example_synth)


def _flow(catalog, silo_name: str, flow_name: str):
    silo = next(s for s in catalog.deployable_silos if s.name == silo_name)
    return silo, next(f for f in silo.flows if f.name == flow_name)


def _env(monkeypatch, silo) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", silo.account_id)
    monkeypatch.setenv("AWS_DEFAULT_REGION", silo.region)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _deploy(silo, flow, definition: dict) -> None:
    """The flow's job (with its default ``--flow_spec``), topic, workgroup and state machine, as deployed."""
    boto3.client("sns").create_topic(Name=names.etl_silo_name(silo.name, "etl-alerts"))
    boto3.client("athena").create_work_group(Name=names.etl_silo_name(silo.name, "athena"))
    boto3.client("glue").create_job(
        Name=names.etl_name(silo.name, flow.storage_name),
        Role=f"arn:aws:iam::{silo.account_id}:role/glue",
        Command={"Name": "glueetl", "ScriptLocation": "s3://code/job.py"},
        DefaultArguments={"--flow_spec": json.dumps({"flow": flow.name})},
    )
    boto3.client("stepfunctions").create_state_machine(
        name=names.etl_name(silo.name, flow.storage_name),
        definition=json.dumps(asl.request_response_form(definition)),
        roleArn=f"arn:aws:iam::{silo.account_id}:role/pipeline",
    )


@contextmanager
def _deployed(definitions, monkeypatch, silo_name: str, flow_name: str) -> Iterator[tuple[Any, Any]]:
    """Inside moto (Step Functions executing), with the flow's pipeline deployed: (silo, flow)."""
    catalog, found = definitions
    silo, flow = _flow(catalog, silo_name, flow_name)
    _env(monkeypatch, silo)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        _deploy(silo, flow, found[names.etl_name(silo.name, flow.storage_name)])
        yield silo, flow


def _finished(execution_arn: str) -> tuple[dict, list[dict]]:
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + 60
    while (execution := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "execution did not finish"
        time.sleep(0.1)
    return execution, sfn.get_execution_history(executionArn=execution_arn)["events"]


def _redrive(*args: str):
    return CliRunner().invoke(main, ["redrive", str(EXAMPLE), *args], catch_exceptions=False)


def _job_runs(silo, flow) -> list[dict]:
    return boto3.client("glue").get_job_runs(JobName=names.etl_name(silo.name, flow.storage_name))["JobRuns"]


def test_the_command_starts_a_redrive_that_reaches_the_job_with_its_days(definitions, monkeypatch):
    with _deployed(definitions, monkeypatch, "sales", "reseller_reports") as (silo, flow):
        result = _redrive("--silo", silo.name, "--flow", flow.name, "--day", DAYS[1], "--day", DAYS[0])
        assert result.exit_code == 0, result.output
        arn = result.output.splitlines()[-1].strip()
        assert re.fullmatch(r"redrive-20261120-20261121-\d{8}T\d{6}Z", arn.rsplit(":", 1)[1])
        assert name_rules.STEP_FUNCTIONS.accepts(arn.rsplit(":", 1)[1])
        assert result.output.startswith(f"Started the redrive of sales/reseller_reports, days {DAYS[0]}, {DAYS[1]}:")
        execution, events = _finished(arn)
        assert execution["status"] == "SUCCEEDED", execution
        assert json.loads(execution["input"]) == pipeline_input.redrive_input(flow.name, DAYS)
        assert entered(events) == [
            "RegisterRawPartitions",
            "RunKind",
            "CheckRedrive",
            "ConformRedrive",
            "RefreshProcessedPartitions",
            "Succeeded",
        ]
        [run] = _job_runs(silo, flow)
    assert run["Arguments"]["--flow_spec"] == '{"flow": "reseller_reports"}'  # the job's own spec stays
    sys.path.insert(0, str(runtime_path("glue", "conform")))
    try:
        from conform_redrive import ARGUMENT, parse_days
    finally:
        sys.path.remove(str(runtime_path("glue", "conform")))
    assert f"--{ARGUMENT}" == pipeline_input.REDRIVE_ARGUMENT
    assert parse_days(run["Arguments"][pipeline_input.REDRIVE_ARGUMENT]) == tuple(DAYS)


def test_a_dry_run_names_the_machine_and_days_and_starts_nothing(definitions, monkeypatch):
    with _deployed(definitions, monkeypatch, "sales", "reseller_reports") as (silo, flow):
        result = _redrive("--silo", silo.name, "--flow", flow.name, "--day", DAYS[0], "--dry-run")
        assert result.exit_code == 0, result.output
        assert f"Would start the redrive of sales/reseller_reports, days {DAYS[0]}:" in result.output
        machine = names.state_machine_arn(silo.region, silo.account_id, silo.name, flow.storage_name)
        assert f"{machine} (dry run: nothing started)" in result.output
        assert boto3.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"] == []
        assert _job_runs(silo, flow) == []


def test_a_scheduled_run_passes_no_redrive_and_another_flows_redrive_is_refused(definitions, monkeypatch):
    with _deployed(definitions, monkeypatch, "sales", "reseller_reports") as (silo, flow):
        sfn = boto3.client("stepfunctions")
        machine = names.state_machine_arn(silo.region, silo.account_id, silo.name, flow.storage_name)
        scheduled = sfn.start_execution(
            stateMachineArn=machine, name="scheduled", input=json.dumps({"flow": flow.name})
        )
        execution, events = _finished(scheduled["executionArn"])
        assert execution["status"] == "SUCCEEDED" and "ConformRedrive" not in entered(events)
        assert [r["Arguments"] for r in _job_runs(silo, flow)] == [{"--flow_spec": '{"flow": "reseller_reports"}'}]

        other = pipeline_input.redrive_input("orders", DAYS)  # another flow's redrive sent here by mistake
        refused = sfn.start_execution(stateMachineArn=machine, name="mistaken", input=json.dumps(other))
        execution, events = _finished(refused["executionArn"])
        assert execution["status"] == "FAILED" and execution["error"] == asl.REDRIVE_REFUSED_ERROR
        assert entered(events)[-2:] == ["CheckRedrive", "RedriveRefused"]
        assert len(_job_runs(silo, flow)) == 1  # no job started


def test_a_warehouse_redrive_replaces_the_day_in_redshift(definitions, monkeypatch):
    record = moto_redshift_data.install(monkeypatch)
    partitions = [{"ingest_date": DAYS[0]}]  # what the conform job's state says the redrive wrote
    with _deployed(definitions, monkeypatch, "sales", "orders") as (silo, flow):
        conform_state(silo, flow, partitions)()
        result = _redrive("--silo", silo.name, "--flow", flow.name, "--day", DAYS[0])
        assert result.exit_code == 0, result.output
        execution, events = _finished(result.output.splitlines()[-1].strip())
        assert execution["status"] == "SUCCEEDED", execution
        assert "ConformRedrive" in entered(events) and "Loaded" in entered(events)
    [batch] = record.batches
    table = f'public."{flow.storage_name}"'
    delete = [s for s in batch.sqls if s.startswith("DELETE")]
    assert delete == [f"DELETE FROM {table} WHERE \"ingest_date\" = '{DAYS[0]}'::DATE"]
    assert batch.sqls.index(delete[0]) < next(i for i, s in enumerate(batch.sqls) if s.startswith("INSERT INTO"))
    copy = [s for s in batch.sqls if s.startswith("COPY ")]  # the staging COPY reads the redriven day only
    assert len(copy) == 1 and f"s3://{processed_bucket(silo)}/{flow.storage_name}/ingest_date={DAYS[0]}/" in copy[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--silo", "nope", "--flow", "orders", "--day", "2026-11-20"], "no silo named 'nope' (silos: sales,"),
        (["--silo", "sales", "--flow", "nope", "--day", "2026-11-20"], "silo 'sales' has no flow named 'nope'"),
        (["--silo", "sales", "--flow", "orders", "--day", "2026-11-31"], "'2026-11-31' is not a day"),
        (
            ["--silo", "sales", "--flow", "orders"],
            "say what to redrive: --day YYYY-MM-DD (repeatable) or --quarantined",
        ),
        (["--silo", "sales", "--flow", "orders", "--day", "2026-11-20", "--quarantined"], "not both"),
        (["--silo", "sales", "--flow", "orders", "--day", "2999-01-01"], "2999-01-01 is in the future (UTC)"),
        (["--silo", "sales", "--flow", "orders", "--partner", "acme", "--day", "2026-11-20"], "--partner goes"),
        (["--silo", "sales", "--flow", "orders", "--quarantined"], "receives records by API"),
    ],
)
def test_bad_options_exit_2_with_what_exists(args, message, monkeypatch):
    silo, _ = _flow(load_catalog(EXAMPLE), "sales", "orders")
    _env(monkeypatch, silo)
    with mock_aws():
        result = CliRunner().invoke(main, ["redrive", str(EXAMPLE), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partner", "../other"], "'../other': expected a partner name as the credential admin issues it"),
        (["--partner", "Acme"], "3-32 lowercase letters"),
        (["--region", "us-east-1"], "silo 'sales' is in eu-west-1, not us-east-1"),
    ],
)
def test_a_partner_name_no_credential_has_or_another_region_exits_2_before_any_aws_call(args, message, monkeypatch):
    """No credentials at all: the refusal cannot come from AWS."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    base = ["redrive", str(EXAMPLE), "--silo", "sales", "--flow", "reseller_reports", "--quarantined"]
    result = CliRunner().invoke(main, [*base, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_help_says_what_replay_deletes_what_path_is_and_whose_credentials():
    text = " ".join(CliRunner().invoke(main, ["redrive", "--help"]).output.split())
    assert "PATH is the catalog" in text
    assert "deletes the quarantined version once the copy exists" in text
    assert "credentials of another account are refused" in text
    assert "--dry-run" in text and "exit 3" in text


def test_an_api_flow_has_no_quarantine_whatever_the_credentials(monkeypatch):
    """Refused before any AWS call: without credentials too, exit 2 naming the reason (not an AWS error)."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    result = CliRunner().invoke(main, ["redrive", str(EXAMPLE), "--silo", "sales", "--flow", "orders", "--quarantined"])
    assert result.exit_code == 2, result.output
    assert "receives records by API" in result.output


def test_credentials_of_another_account_exit_2(monkeypatch):
    silo, _ = _flow(load_catalog(EXAMPLE), "sales", "orders")
    _env(monkeypatch, silo)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    with mock_aws():
        result = CliRunner().invoke(
            main, ["redrive", str(EXAMPLE), "--silo", "sales", "--flow", "orders", "--day", "2026-11-20"]
        )
    assert result.exit_code == 2
    assert "the credentials are for account 999999999999, silo 'sales' is account 444444444444" in result.output
