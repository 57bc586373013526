"""Streaming ingestion in the synthesized example: API Gateway -> Firehose -> Parquet.

Structural checks read the session's example synth; role scoping is also evaluated
with the offline IAM simulator against the policies exactly as synthesized.
"""

from __future__ import annotations

import json
import re

import pytest

from silolake.aws import names
from silolake.constructs.ingestion import templates as tpl

pytestmark = pytest.mark.slow

#: A reference as synthesized (``${type.id.attr}``) or as delivered when known only after apply
#: (``tfref:type.id.attr``, :mod:`tests.delivered`).
_REF = re.compile(r"^(?:\$\{|tfref:)(\w+)\.([^.}]+)\.(\w+)\}?$")
FAKE_KEY = "arn:aws:kms:{region}:{account}:key/11111111-2222-3333-4444-555555555555"


def ref(token: str) -> tuple[str, str, str]:
    """``${type.id.attr}`` -> (type, id, attr)."""
    match = _REF.match(token)
    assert match, f"not a single resource reference: {token!r}"
    return match.groups()


def target(synth, stack: str, token: str) -> dict:
    rtype, rid, _ = ref(token)
    return synth.resources(stack, rtype)[rid]


def api_silos(synth):
    return [s for s in synth.catalog.deployable_silos if s.flows_from("api")]


def streams_by_name(synth, stack: str) -> dict[str, dict]:
    return {s["name"]: s for s in synth.resources(stack, "aws_kinesis_firehose_delivery_stream").values()}


def role_policy(synth, stack: str, role_token: str) -> tuple[dict, list[dict]]:
    """(trust policy, inline policy statements) of the role a token points at."""
    _, role_id, _ = ref(role_token)
    role = synth.resources(stack, "aws_iam_role")[role_id]
    inline = [
        p
        for p in synth.resources(stack, "aws_iam_role_policy").values()
        if p["role"] in (f"${{aws_iam_role.{role_id}.id}}", role["name"])  # synthesized, delivered
    ]
    assert len(inline) == 1, "each service role carries exactly one inline policy"
    return json.loads(role["assume_role_policy"]), json.loads(inline[0]["policy"])["Statement"]


def resource_paths(synth, stack: str) -> dict[str, str]:
    """API Gateway resource id -> full path, rebuilt from the parent references."""
    resources = synth.resources(stack, "aws_api_gateway_resource")

    def path(rid: str) -> str:
        res = resources[rid]
        rtype, parent, _ = ref(res["parent_id"])
        prefix = "" if rtype == "aws_api_gateway_rest_api" else path(parent)
        return f"{prefix}/{res['path_part']}"

    return {rid: path(rid) for rid in resources}


# --- which silos get the channel --------------------------------------------------------


def test_example_has_api_flows_in_several_silos(example_synth):
    assert len(api_silos(example_synth)) >= 2


def test_one_regional_api_per_silo_with_api_flows_and_none_elsewhere(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        apis = example_synth.resources(silo.stack_name, "aws_api_gateway_rest_api")
        streams = example_synth.resources(silo.stack_name, "aws_kinesis_firehose_delivery_stream")
        if not silo.flows_from("api"):
            assert not apis and not streams, silo.name
            continue
        (api,) = apis.values()
        assert api["name"] == names.ingest_api(example_synth.catalog.organization.name, silo.name)
        assert api["endpoint_configuration"] == {"types": ["REGIONAL"]}
        assert len(example_synth.resources(silo.stack_name, "aws_api_gateway_account")) == 1


# --- Firehose --------------------------------------------------------------------------


def test_a_parquet_stream_per_api_flow(example_synth):
    org = example_synth.catalog.organization.name
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        streams = streams_by_name(example_synth, stack)
        assert set(streams) == {names.firehose_stream(org, silo.name, f.name) for f in silo.flows_from("api")}
        raw_bucket_name = names.silo_bucket(org, silo.name, "raw", silo.account_id, silo.region)
        for flow in silo.flows_from("api"):
            stream = streams[names.firehose_stream(org, silo.name, flow.name)]
            s3 = stream["extended_s3_configuration"]
            assert stream["destination"] == "extended_s3"
            assert target(example_synth, stack, s3["bucket_arn"])["bucket"] == raw_bucket_name
            assert s3["prefix"] == f"{flow.name}/ingest_date=!{{timestamp:yyyy-MM-dd}}/"
            assert s3["error_output_prefix"] == (
                f"_errors/{flow.name}/!{{firehose:error-output-type}}/ingest_date=!{{timestamp:yyyy-MM-dd}}/"
            )
            assert (s3["buffering_size"], s3["buffering_interval"]) == (flow.buffer_mb, flow.buffer_seconds)
            assert s3["buffering_size"] >= 64
            assert s3["compression_format"] == "UNCOMPRESSED"
            assert (s3["file_extension"], s3["custom_time_zone"]) == (".parquet", "UTC")

            conversion = s3["data_format_conversion_configuration"]
            assert conversion["enabled"] is True
            assert "open_x_json_ser_de" in conversion["input_format_configuration"]["deserializer"]
            assert conversion["output_format_configuration"]["serializer"] == {
                "parquet_ser_de": {"compression": "SNAPPY"}
            }
            schema = conversion["schema_configuration"]
            table = target(example_synth, stack, schema["table_name"])
            assert table["name"] == names.glue_table(flow.name, "raw")
            assert target(example_synth, stack, schema["database_name"])["name"] == silo.glue_database
            assert (schema["catalog_id"], schema["region"], schema["version_id"]) == (
                silo.account_id,
                silo.region,
                "LATEST",
            )
            assert schema["role_arn"] == s3["role_arn"]

            key = s3["kms_key_arn"]
            assert ref(key)[0] == "aws_kms_key"
            assert stream["server_side_encryption"] == {
                "enabled": True,
                "key_type": "CUSTOMER_MANAGED_CMK",
                "key_arn": key,
            }
            logging = s3["cloudwatch_logging_options"]
            assert logging["enabled"] is True
            group = target(example_synth, stack, logging["log_group_name"])
            assert group["name"] == names.firehose_log_group(stream["name"])
            assert group["kms_key_id"] == key and group["retention_in_days"] >= 365
            assert any(
                ls["name"] == logging["log_stream_name"]
                for ls in example_synth.resources(stack, "aws_cloudwatch_log_stream").values()
            )


def test_raw_table_the_stream_reads_is_the_flows_raw_table(example_synth):
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        for stream in streams_by_name(example_synth, stack).values():
            flow = stream["name"].split(f"-{silo.name}-", 1)[1]
            schema = stream["extended_s3_configuration"]["data_format_conversion_configuration"]["schema_configuration"]
            table = target(example_synth, stack, schema["table_name"])
            assert table["name"] == f"{flow}_raw"
            assert target(example_synth, stack, schema["database_name"])["name"] == silo.glue_database


def test_firehose_roles_are_scoped_to_their_flow(example_synth):
    org = example_synth.catalog.organization.name
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        raw = names.silo_bucket(org, silo.name, "raw", silo.account_id, silo.region)
        flows = [f.name for f in silo.flows]
        for stream in streams_by_name(example_synth, stack).values():
            flow = stream["name"].split(f"-{silo.name}-", 1)[1]
            role_token = stream["extended_s3_configuration"]["role_arn"]
            assert target(example_synth, stack, role_token)["name"] == names.silo_role(silo.name, f"{flow}-firehose")
            trust, statements = role_policy(example_synth, stack, role_token)
            (principal,) = [s["Principal"] for s in trust["Statement"]]
            assert principal == {"Service": "firehose.amazonaws.com"}
            assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": silo.account_id}}
            text = json.dumps(statements)
            for statement in statements:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert all("*" not in a for a in actions)
                resources = (
                    statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                )
                assert "*" not in resources
            s3_objects = {r for s in statements if s["Sid"] == "WriteOwnPrefixes" for r in s["Resource"]}
            assert s3_objects == {f"arn:aws:s3:::{raw}/{flow}/*", f"arn:aws:s3:::{raw}/_errors/{flow}/*"}
            for other in set(flows) - {flow}:
                assert f"/{other}/" not in text and f"{other}_raw" not in text
            assert f"table/{silo.glue_database}/{flow}_raw" in text
            assert "_processed" not in text


def test_firehose_kms_use_is_bound_to_s3_and_bucket(example_synth):
    org = example_synth.catalog.organization.name
    for silo in api_silos(example_synth):
        raw = f"arn:aws:s3:::{names.silo_bucket(org, silo.name, 'raw', silo.account_id, silo.region)}"
        for stream in streams_by_name(example_synth, silo.stack_name).values():
            flow = stream["name"].split(f"-{silo.name}-", 1)[1]
            _, statements = role_policy(example_synth, silo.stack_name, stream["extended_s3_configuration"]["role_arn"])
            kms = [
                s
                for s in statements
                if any(a.startswith("kms:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
            ]
            key = stream["extended_s3_configuration"]["kms_key_arn"]
            assert all(s["Resource"] == key for s in kms)
            by_service = {s["Condition"]["StringEquals"]["kms:ViaService"]: s for s in kms}
            assert set(by_service) == {f"s3.{silo.region}.amazonaws.com", f"glue.{silo.region}.amazonaws.com"}
            s3 = by_service[f"s3.{silo.region}.amazonaws.com"]
            assert sorted(s3["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
            assert s3["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"] == [
                raw,
                f"{raw}/{flow}/*",
                f"{raw}/_errors/{flow}/*",
            ]
            assert by_service[f"glue.{silo.region}.amazonaws.com"]["Action"] == "kms:Decrypt"


def test_api_role_may_only_put_into_its_silos_streams(example_synth):
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        credentials = {i["credentials"] for i in example_synth.resources(stack, "aws_api_gateway_integration").values()}
        (role_token,) = credentials
        assert target(example_synth, stack, role_token)["name"] == names.silo_role(silo.name, "api")
        trust, statements = role_policy(example_synth, stack, role_token)
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "apigateway.amazonaws.com"}]
        streams = sorted(
            f"arn:aws:firehose:{silo.region}:{silo.account_id}:deliverystream/{name}"
            for name in streams_by_name(example_synth, stack)
        )
        assert statements == [
            {
                "Sid": "PutIntoFlowStreams",
                "Effect": "Allow",
                "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
                "Resource": streams,
            }
        ]


# --- API Gateway -------------------------------------------------------------------------


def test_every_method_is_a_sigv4_post_with_validated_body(example_synth):
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        paths = resource_paths(example_synth, stack)
        methods = example_synth.resources(stack, "aws_api_gateway_method")
        expected = {
            tpl_path
            for f in silo.flows_from("api")
            for tpl_path in (f"/flows/{f.name}/records", f"/flows/{f.name}/batch")
        }
        assert {paths[ref(m["resource_id"])[1]] for m in methods.values()} == expected
        for method in methods.values():
            assert method["http_method"] == "POST"
            assert method["authorization"] == "AWS_IAM"
            validator = target(example_synth, stack, method["request_validator_id"])
            assert validator["validate_request_body"] is True
            model = target(example_synth, stack, method["request_models"]["application/json"].replace(".name}", ".id}"))
            kind = paths[ref(method["resource_id"])[1]].rsplit("/", 1)[1]
            expected_model = tpl.record_model() if kind == "records" else tpl.batch_model()
            assert json.loads(model["schema"]) == expected_model


def test_integrations_call_firehose_directly_with_the_flow_templates(example_synth):
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        paths = resource_paths(example_synth, stack)
        org = example_synth.catalog.organization.name
        integrations = example_synth.resources(stack, "aws_api_gateway_integration").values()
        assert len(integrations) == 2 * len(silo.flows_from("api"))
        for integration in integrations:
            _, flow, kind = paths[ref(integration["resource_id"])[1]].rsplit("/", 2)
            stream = names.firehose_stream(org, silo.name, flow)
            assert integration["type"] == "AWS" and integration["integration_http_method"] == "POST"
            action = "PutRecord" if kind == "records" else "PutRecordBatch"
            assert integration["uri"] == f"arn:aws:apigateway:{silo.region}:firehose:action/{action}"
            template = tpl.put_record_template(stream) if kind == "records" else tpl.put_record_batch_template(stream)
            assert integration["request_templates"] == {"application/json": template}
            assert integration["passthrough_behavior"] == "NEVER"
            assert integration["request_parameters"] == {
                "integration.request.header.Content-Type": "'application/x-amz-json-1.1'"
            }


def test_firehose_errors_map_to_4xx_and_5xx(example_synth):
    for silo in api_silos(example_synth):
        responses = example_synth.resources(silo.stack_name, "aws_api_gateway_integration_response").values()
        by_status: dict[str, set] = {}
        for response in responses:
            # The status code references the method response, which orders creation.
            status = target(example_synth, silo.stack_name, response["status_code"])["status_code"]
            by_status.setdefault(status, set()).add(response.get("selection_pattern"))
        assert by_status == {"200": {None}, "400": {"4\\d{2}"}, "503": {"5\\d{2}"}}
        method_statuses = {
            r["status_code"]
            for r in example_synth.resources(silo.stack_name, "aws_api_gateway_method_response").values()
        }
        assert method_statuses == {"200", "400", "503"}


def test_stage_logs_meters_and_throttles(example_synth):
    for silo in api_silos(example_synth):
        stack = silo.stack_name
        (stage,) = example_synth.resources(stack, "aws_api_gateway_stage").values()
        access = stage["access_log_settings"]
        group = target(example_synth, stack, access["destination_arn"])
        assert group["name"] == names.api_access_log_group(
            names.ingest_api(example_synth.catalog.organization.name, silo.name)
        )
        assert json.loads(access["format"])["requestId"] == "$context.requestId"
        assert stage["xray_tracing_enabled"] is False
        # The stage-wide default; per-flow throttles: tests/constructs/ingestion/test_recovery_and_throttles.py.
        (settings,) = [
            s
            for s in example_synth.resources(stack, "aws_api_gateway_method_settings").values()
            if s["method_path"] == "*/*"
        ]
        s = settings["settings"]
        assert s["metrics_enabled"] is True and s["logging_level"] == "ERROR" and s["data_trace_enabled"] is False
        assert s["throttling_rate_limit"] > 0 and s["throttling_burst_limit"] > 0
        (account,) = example_synth.resources(stack, "aws_api_gateway_account").values()
        assert target(example_synth, stack, account["cloudwatch_role_arn"])["name"] == names.silo_role(
            silo.name, "api-logs"
        )
        executions = [
            g
            for g in example_synth.resources(stack, "aws_cloudwatch_log_group").values()
            if g["name"].startswith("API-Gateway-Execution-Logs_")
        ]
        assert len(executions) == 1 and executions[0]["name"].endswith("/v1")


def test_every_silo_log_group_is_encrypted_and_expires(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        for group in example_synth.resources(silo.stack_name, "aws_cloudwatch_log_group").values():
            assert ref(group["kms_key_id"])[0] == "aws_kms_key", group["name"]
            assert group["retention_in_days"] >= 365, group["name"]


def test_redeployment_follows_the_api_config(example_synth):
    from silolake.constructs.ingestion.api_ingestion import api_config_hash

    org = example_synth.catalog.organization.name
    for silo in api_silos(example_synth):
        (deployment,) = example_synth.resources(silo.stack_name, "aws_api_gateway_deployment").values()
        streams = {f.name: names.firehose_stream(org, silo.name, f.name) for f in silo.flows_from("api")}
        assert deployment["triggers"] == {"redeployment": api_config_hash(streams)}
        assert deployment["lifecycle"]["create_before_destroy"] is True
        assert len(deployment["depends_on"]) >= 2 * len(streams)


def test_config_hash_changes_with_flows_and_streams():
    from silolake.constructs.ingestion.api_ingestion import api_config_hash

    base = api_config_hash({"orders": "acme-sales-orders"})
    assert base == api_config_hash({"orders": "acme-sales-orders"})
    assert base != api_config_hash({"orders": "acme-sales-orders2"})
    assert base != api_config_hash({"orders": "acme-sales-orders", "refunds": "acme-sales-refunds"})


def test_outputs_tell_partners_where_to_post(example_synth):
    for silo in api_silos(example_synth):
        outputs = example_synth.stack(silo.stack_name)["output"]
        (stage_id,) = example_synth.resources(silo.stack_name, "aws_api_gateway_stage")
        for flow in silo.flows_from("api"):
            for kind in ("records", "batch"):
                assert outputs[f"ingest_{flow.name}_{kind}_path"]["value"] == f"/flows/{flow.name}/{kind}"
                assert outputs[f"ingest_{flow.name}_{kind}_url"]["value"] == (
                    f"${{aws_api_gateway_stage.{stage_id}.invoke_url}}/flows/{flow.name}/{kind}"
                )


# --- offline IAM evaluation of the synthesized policies ----------------------------------


def _resolve_key(text: str, silo) -> str:
    """Replace the KMS key reference with a concrete ARN (key ids only exist after apply)."""
    return re.sub(
        r"(\$\{|tfref:)aws_kms_key\.[^}\"]+\.arn\}?", FAKE_KEY.format(region=silo.region, account=silo.account_id), text
    )


def test_firehose_and_api_roles_under_the_iam_simulator(example_delivery):
    """The Firehose role, silo key and raw bucket policies as Terraform delivers them."""
    from tests.iam.iam_sim import simulate

    catalog = example_delivery.catalog
    org = catalog.organization.name
    silo = catalog.silo("sales")
    stack, account, region = silo.stack_name, silo.account_id, silo.region
    key = FAKE_KEY.format(region=region, account=account)
    raw = names.silo_bucket(org, silo.name, "raw", account, region)
    processed = names.silo_bucket(org, silo.name, "processed", account, region)
    stream = streams_by_name(example_delivery, stack)[names.firehose_stream(org, silo.name, "orders")]
    _, statements = role_policy(example_delivery, stack, stream["extended_s3_configuration"]["role_arn"])
    firehose_policy = json.loads(_resolve_key(json.dumps({"Version": "2012-10-17", "Statement": statements}), silo))
    (key_resource,) = example_delivery.resources(stack, "aws_kms_key").values()
    key_policy = json.loads(_resolve_key(key_resource["policy"], silo))
    raw_policy = next(
        json.loads(_resolve_key(p["policy"], silo))
        for p in example_delivery.resources(stack, "aws_s3_bucket_policy").values()
        if p["bucket"] == raw  # the bucket's id, delivered
    )
    principal = f"arn:aws:sts::{account}:assumed-role/{names.silo_role(silo.name, 'orders-firehose')}/firehose"
    tls = {"aws:SecureTransport": "true"}
    put_ctx = {
        **tls,
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": key,
    }
    glue = f"arn:aws:glue:{region}:{account}"

    def case(name, action, resource, context=None, resource_policy=None):
        return {
            "name": name,
            "principal": principal,
            "action": action,
            "resource": resource,
            "resourceAccount": account,
            "identityPolicies": [firehose_policy],
            "resourcePolicy": resource_policy,
            "context": context or dict(tls),
        }

    expected = {
        case(
            "put own data",
            "s3:PutObject",
            f"arn:aws:s3:::{raw}/orders/ingest_date=2026-05-01/f.parquet",
            put_ctx,
            raw_policy,
        )["name"]: "Allowed",
        "put own errors": "Allowed",
        "put other flow": "ImplicitlyDenied",
        "put bucket root": "ImplicitlyDenied",
        "put processed": "ImplicitlyDenied",
        "read own table": "Allowed",
        "read other table": "ImplicitlyDenied",
        "read processed table": "ImplicitlyDenied",
        # iam-simulate cannot evaluate kms:EncryptionContext:* keys; the S3 data-key
        # condition is asserted structurally in test_firehose_kms_use_is_bound_to_s3_and_bucket.
        "data key directly": "ImplicitlyDenied",
        "log own stream": "Allowed",
        "log other stream": "ImplicitlyDenied",
    }
    cases = [
        case(
            "put own data",
            "s3:PutObject",
            f"arn:aws:s3:::{raw}/orders/ingest_date=2026-05-01/f.parquet",
            put_ctx,
            raw_policy,
        ),
        case(
            "put own errors",
            "s3:PutObject",
            f"arn:aws:s3:::{raw}/_errors/orders/format-conversion-failed/ingest_date=2026-05-01/f",
            put_ctx,
            raw_policy,
        ),
        case("put other flow", "s3:PutObject", f"arn:aws:s3:::{raw}/price_lists/x.csv", put_ctx, raw_policy),
        case("put bucket root", "s3:PutObject", f"arn:aws:s3:::{raw}/orders.parquet", put_ctx, raw_policy),
        case("put processed", "s3:PutObject", f"arn:aws:s3:::{processed}/orders/x.parquet", put_ctx),
        case("read own table", "glue:GetTable", f"{glue}:table/{silo.glue_database}/orders_raw"),
        case("read other table", "glue:GetTable", f"{glue}:table/{silo.glue_database}/price_lists_raw"),
        case("read processed table", "glue:GetTable", f"{glue}:table/{silo.glue_database}/orders_processed"),
        case("data key directly", "kms:GenerateDataKey", key, None, key_policy),
        case(
            "log own stream",
            "logs:PutLogEvents",
            f"arn:aws:logs:{region}:{account}:log-group:/aws/kinesisfirehose/{stream['name']}"
            ":log-stream:DestinationDelivery",
        ),
        case(
            "log other stream",
            "logs:PutLogEvents",
            f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/x:log-stream:y",
        ),
    ]
    decisions = {r["name"]: r["decision"] for r in simulate(cases)}
    assert decisions == expected


def test_decommissioned_silo_api_refuses_every_call(example_synth, decommissioned_synth):
    """Decommission stops intake without destroying anything: same resources, a deny-all
    resource policy, and a new deployment so the policy takes effect."""
    from silolake.constructs.ingestion.api_ingestion import closed_api_policy

    silo = next(s for s in decommissioned_synth.catalog.silos if s.decommission)
    (open_api,) = example_synth.resources(silo.stack_name, "aws_api_gateway_rest_api").values()
    (closed_api,) = decommissioned_synth.resources(silo.stack_name, "aws_api_gateway_rest_api").values()
    assert "policy" not in open_api
    assert json.loads(closed_api["policy"]) == closed_api_policy()
    (statement,) = closed_api_policy()["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "execute-api:Invoke")
    for rtype in ("aws_kinesis_firehose_delivery_stream", "aws_api_gateway_method", "aws_api_gateway_stage"):
        assert len(decommissioned_synth.resources(silo.stack_name, rtype)) == len(
            example_synth.resources(silo.stack_name, rtype)
        )
    (open_dep,) = example_synth.resources(silo.stack_name, "aws_api_gateway_deployment").values()
    (closed_dep,) = decommissioned_synth.resources(silo.stack_name, "aws_api_gateway_deployment").values()
    assert open_dep["triggers"]["redeployment"] != closed_dep["triggers"]["redeployment"]
