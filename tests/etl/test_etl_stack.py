"""The ETL resources of the synthesized example: what each flow and silo gets, and how it is locked down."""

from __future__ import annotations

import json

import pytest

from silolake.aws import health_names, names
from silolake.constructs.blocks.lambda_function import powertools_layer
from silolake.constructs.etl import flow_spec
from silolake.constructs.etl.artifacts import FRAMEWORK_ORIGIN
from silolake.constructs.etl.landing import SOURCE
from silolake.constructs.storage.glue_tables import raw_format
from tests.stackjson import in_group, points_to, policy_json, ref_name

pytestmark = pytest.mark.slow


def by_name(synth, stack: str, rtype: str, attr: str = "name") -> dict[str, dict]:
    return {r[attr]: r for r in synth.resources(stack, rtype).values()}


def role_policy(synth, stack: str, role_name: str) -> list[dict]:
    roles = synth.resources(stack, "aws_iam_role")
    [logical] = [k for k, r in roles.items() if r["name"] == role_name]
    [pol] = [
        p for p in synth.resources(stack, "aws_iam_role_policy").values() if points_to(p["role"], logical, role_name)
    ]
    return policy_json(pol["policy"])["Statement"]


def silos(synth):
    return synth.catalog.deployable_silos


def test_every_flow_gets_job_pipeline_and_schedule(example_synth):
    for silo in silos(example_synth):
        stack = silo.stack_name
        jobs = by_name(example_synth, stack, "aws_glue_job")
        machines = by_name(example_synth, stack, "aws_sfn_state_machine")
        # Pipelines' schedules are in the silo's pipeline group; freshness checks in its health
        # group (tests/constructs/health/test_health.py).
        schedules = {
            s["name"]: s for s in in_group(example_synth.stack(stack), health_names.pipeline_schedule_group(silo.name))
        }
        expected = {names.etl_name(silo.name, f.name): f for f in silo.flows}
        assert set(jobs) == set(machines) == set(schedules) == set(expected)
        for name, flow in expected.items():
            job = jobs[name]
            assert job["glue_version"] == "5.0"
            assert job["default_arguments"]["--job-bookmark-option"] == "job-bookmark-enable"
            assert job["execution_property"] == {"max_concurrent_runs": 1}
            assert job["worker_type"] == "G.1X" and job["number_of_workers"] == 2
            spec = json.loads(job["default_arguments"]["--flow_spec"])
            assert spec["flow"] == flow.name and spec["format"] == raw_format(flow)
            assert spec["rejects_path"].endswith(f"/_rejects/{flow.name}/")
            assert spec["columns"] == [{"name": c.name, "type": c.type} for c in flow.columns]
            # The framework's code lives under a key no glue_src/ path can produce.
            assert f"/{names.ARTIFACTS_PREFIX}{FRAMEWORK_ORIGIN}/" in job["command"]["script_location"]
            assert schedules[name]["schedule_expression"] == flow.schedule
            assert schedules[name]["state"] == "ENABLED"
            assert schedules[name]["target"]["arn"].startswith("${aws_sfn_state_machine.")
            logging = machines[name]["logging_configuration"]
            assert logging["level"] == "ALL" and logging["include_execution_data"] is True
            group = ref_name(logging["log_destination"].removesuffix(":*"))
            log_group = example_synth.resources(stack, "aws_cloudwatch_log_group")[group]
            assert log_group["kms_key_id"].startswith("${aws_kms_key.")
            assert log_group["lifecycle"]["prevent_destroy"] is True


def test_flow_spec_is_the_documented_shape(example_synth):
    silo = silos(example_synth)[0]
    flow = silo.flows[0]
    spec = flow_spec.flow_spec(flow, raw_bucket="r", processed_bucket="p", silo=silo.name)
    quality = {"quality", "quality_path"} if flow.quality else set()
    assert set(spec) - quality == {
        "flow",
        "format",
        "csv",
        "columns",
        "keys",
        "partition_by",
        "raw_path",
        "processed_path",
        "rejects_path",
        "warehouse",
        "silo",
    }
    assert spec["silo"] == silo.name  # the Silo dimension of the job's metrics
    if flow.quality:
        assert spec["quality_path"] == f"s3://p/_quality/flow={flow.storage_name}/"
    assert spec["warehouse"] is flow.warehouse  # the job checks Redshift's byte limits for warehouse flows
    assert spec["raw_path"] == f"s3://r/{flow.name}/" and spec["processed_path"] == f"s3://p/{flow.name}/"
    for f in silo.flows:
        assert flow_spec.raw_format(f) == raw_format(f)


def test_framework_code_is_uploaded_once_per_silo_encrypted(example_synth):
    for silo in silos(example_synth):
        # the ETL's objects (partner pages are objects of the partner capability)
        objects = [
            o for k, o in example_synth.resources(silo.stack_name, "aws_s3_object").items() if k.startswith("etl")
        ]
        keys = [o["key"] for o in objects]
        assert len(keys) == len(set(keys)), "two resources would manage one object"
        assert all(k.startswith(names.ARTIFACTS_PREFIX) for k in keys)
        assert all(o["server_side_encryption"] == "aws:kms" and o["kms_key_id"] for o in objects)


def test_glue_security_configuration_encrypts_everything_with_the_silo_key(example_synth):
    for silo in silos(example_synth):
        [config] = example_synth.resources(silo.stack_name, "aws_glue_security_configuration").values()
        enc = config["encryption_configuration"]
        assert enc["cloudwatch_encryption"]["cloudwatch_encryption_mode"] == "SSE-KMS"
        assert enc["job_bookmarks_encryption"]["job_bookmarks_encryption_mode"] == "CSE-KMS"
        assert enc["s3_encryption"]["s3_encryption_mode"] == "SSE-KMS"
        keys = {enc[k]["kms_key_arn"] for k in enc}
        # The silo's data key: the one in the silo's own region (a silo outside the artifacts
        # bucket's region also has its pipeline's key there, under an aliased provider).
        [silo_key] = [
            logical
            for logical, key in example_synth.resources(silo.stack_name, "aws_kms_key").items()
            if "provider" not in key
        ]
        assert keys == {f"${{aws_kms_key.{silo_key}.arn}}"}
        for job in example_synth.resources(silo.stack_name, "aws_glue_job").values():
            assert job["security_configuration"].startswith("${aws_glue_security_configuration.")


def test_glue_role_reads_only_its_flow(example_synth):
    silo = next(s for s in silos(example_synth) if len(s.flows) > 1)
    flow, other = silo.flows[0], silo.flows[1]
    statements = role_policy(example_synth, silo.stack_name, names.silo_role(silo.name, f"{flow.name}-glue"))
    text = json.dumps(statements)
    assert f"/{flow.name}/*" in text and f"/{other.name}/" not in text
    assert f"table/{silo.glue_database}/{flow.name}_raw" in text
    assert f"{other.name}_raw" not in text
    assert all(s["Effect"] == "Allow" for s in statements)
    # Only PutMetricData has no resource-level permissions; it is pinned to the flows' namespace.
    unscoped = [s for s in statements if s["Resource"] == "*"]
    assert unscoped == [
        {
            "Sid": "PublishFlowMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "Silolake/Flows"}},
        }
    ]


def test_pipeline_roles_are_pinned_to_their_machine(example_synth):
    for silo in silos(example_synth):
        roles = by_name(example_synth, silo.stack_name, "aws_iam_role")
        for flow in silo.flows:
            trust = json.loads(roles[names.silo_role(silo.name, f"{flow.name}-sfn")]["assume_role_policy"])
            [statement] = trust["Statement"]
            assert statement["Principal"] == {"Service": "states.amazonaws.com"}
            assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": silo.account_id}


def test_alert_topic_is_encrypted_and_owners_subscribed(example_synth):
    for silo in silos(example_synth):
        [topic] = example_synth.resources(silo.stack_name, "aws_sns_topic").values()
        assert topic["kms_master_key_id"].startswith("${aws_kms_key.")
        subs = example_synth.resources(silo.stack_name, "aws_sns_topic_subscription").values()
        assert sorted(s["endpoint"] for s in subs if s["protocol"] == "email") == sorted(silo.owners)
        # Besides e-mail, only the chat forwarder, for a silo that names a webhook (docs/operations.md).
        others = [s for s in subs if s["protocol"] != "email"]
        assert [s["protocol"] for s in others] == (["lambda"] if silo.alerts_webhook_secret else [])


def test_athena_workgroup_is_enforced_and_encrypted(example_synth):
    for silo in silos(example_synth):
        [wg] = example_synth.resources(silo.stack_name, "aws_athena_workgroup").values()
        conf = wg["configuration"]
        assert conf["enforce_workgroup_configuration"] is True
        assert conf["bytes_scanned_cutoff_per_query"] > 0
        result = conf["result_configuration"]
        assert result["output_location"].startswith(
            f"s3://{names.silo_bucket('acme', silo.name, 'athena', silo.account_id, silo.region)}/"
        )
        assert result["encryption_configuration"]["encryption_option"] == "SSE_KMS"


def test_warehouse_only_where_asked_private_and_protected(example_synth):
    for silo in silos(example_synth):
        stack = silo.stack_name
        namespaces = list(example_synth.resources(stack, "aws_redshiftserverless_namespace").values())
        workgroups = list(example_synth.resources(stack, "aws_redshiftserverless_workgroup").values())
        if not any(f.warehouse for f in silo.flows):
            assert namespaces == [] and workgroups == []
            assert example_synth.resources(stack, "aws_vpc") == {}
            continue
        [ns], [wg] = namespaces, workgroups
        assert ns["manage_admin_password"] is True and "admin_user_password" not in ns
        assert ns["kms_key_id"].startswith("${aws_kms_key.") and ns["admin_password_secret_kms_key_id"]
        assert set(ns["log_exports"]) == {"connectionlog", "useractivitylog", "userlog"}
        assert wg["publicly_accessible"] is False and wg["enhanced_vpc_routing"] is True
        assert len(wg["subnet_ids"]) == 3
        assert ns["lifecycle"]["prevent_destroy"] is True and wg["lifecycle"]["prevent_destroy"] is True
        [endpoint] = example_synth.resources(stack, "aws_vpc_endpoint").values()
        assert endpoint["vpc_endpoint_type"] == "Gateway" and endpoint["service_name"].endswith(".s3")
        assert example_synth.resources(stack, "aws_internet_gateway") == {}
        assert all(s["map_public_ip_on_launch"] is False for s in example_synth.resources(stack, "aws_subnet").values())
        for flow in silo.flows:
            machine = by_name(example_synth, stack, "aws_sfn_state_machine")[names.etl_name(silo.name, flow.name)]
            assert ("LoadWarehouse" in machine["definition"]) is flow.warehouse


def test_quicksight_only_where_asked(example_synth):
    for silo in silos(example_synth):
        sources = list(example_synth.resources(silo.stack_name, "aws_quicksight_data_source").values())
        assert len(sources) == int(any(f.quicksight for f in silo.flows))
        for source in sources:
            assert source["type"] == "ATHENA"


def test_landing_for_file_flows(example_synth):
    for silo in silos(example_synth):
        stack = silo.stack_name
        functions = by_name(example_synth, stack, "aws_lambda_function", "function_name")
        files = silo.flows_from("sftp", "upload")
        name = names.etl_silo_name(silo.name, "landing")
        assert (name in functions) is bool(files)
        if not files:
            continue
        function = functions[name]
        assert function["layers"] == [powertools_layer(silo.region)]
        env = function["environment"]["variables"]
        assert set(json.loads(env["FLOWS"])) == {f.name for f in files}
        assert env["RAW_BUCKET"] == names.silo_bucket("acme", silo.name, "raw", silo.account_id, silo.region)
        [rule] = [
            r for k, r in example_synth.resources(stack, "aws_cloudwatch_event_rule").items() if k.startswith("etl")
        ]
        pattern = json.loads(rule["event_pattern"])
        dropzone = names.silo_bucket("acme", silo.name, "dropzone", silo.account_id, silo.region)
        if silo.malware_protection:  # scan results instead: tests/etl/test_malware.py
            assert pattern["detail"]["s3ObjectDetails"]["bucketName"] == [dropzone]
        else:
            assert pattern["detail-type"] == ["Object Created"]
            assert pattern["detail"]["bucket"]["name"] == [dropzone]
        assert rule["state"] == "ENABLED"
        assert SOURCE.name == "landing"


def test_decommissioned_silo_keeps_everything_with_schedules_disabled(example_synth, decommissioned_synth):
    target = next(s for s in decommissioned_synth.catalog.deployable_silos if s.decommission)
    stack = target.stack_name
    for rtype in (
        "aws_glue_job",
        "aws_sfn_state_machine",
        "aws_scheduler_schedule",
        "aws_redshiftserverless_namespace",
    ):
        assert set(decommissioned_synth.resources(stack, rtype)) == set(example_synth.resources(stack, rtype)), rtype
    schedules = decommissioned_synth.resources(stack, "aws_scheduler_schedule").values()
    assert schedules and {s["state"] for s in schedules} == {"DISABLED"}
    # the ETL's rules (the partner sweeper keeps deleting expired credentials after decommission)
    rules = [
        r for k, r in decommissioned_synth.resources(stack, "aws_cloudwatch_event_rule").items() if k.startswith("etl")
    ]
    assert {r["state"] for r in rules} <= {"DISABLED"}
