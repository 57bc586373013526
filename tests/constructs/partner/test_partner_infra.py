"""Partner access in the synthesized example: what a silo with sftp and web_upload gets.

``sales`` enables SFTP and the upload page and has an api flow (all three channels);
``logistics`` enables SFTP only (no upload page); ``facilities`` neither, but has an api flow:
it gets credential vending for the flow API alone (``tests/iam/test_intake.py``).
"""

from __future__ import annotations

import json

import pytest

from silolake.aws import names, partner_access_names
from silolake.constructs.partner.functions import IDP_RESERVED_CONCURRENCY, POWERTOOLS_PARAMETER
from silolake.constructs.partner.sftp import SECURITY_POLICY
from silolake.policy.partner import TAG_USERNAME
from tests.stackjson import ref_name

SALES = "silo-sales"
ACCOUNT = "444444444444"
REQUIRED_ENV = {
    "ORGANIZATION",
    "SILO",
    "DROPZONE_BUCKET",
    "KMS_KEY_ARN",
    "PERMISSIONS_BOUNDARY_ARN",
    "CFN_ROLE_ARN",
    "SESSION_ROLE_ARN",
    "LOCKOUT_TABLE",
    "CHANNELS",
    "MAX_DAYS",
    "TRANSFER_SERVER_ARN",
    "FLOW_API_ARNS",
    "ALLOWED_CIDRS",
}


def one(synth, stack: str, rtype: str) -> tuple[str, dict]:
    found = synth.resources(stack, rtype)
    assert len(found) == 1, f"{stack}: {len(found)} {rtype}"
    return next(iter(found.items()))


def functions(synth, stack: str) -> dict[str, dict]:
    return {
        f["function_name"].rsplit("-", 1)[1]: f
        for f in synth.resources(stack, "aws_lambda_function").values()
        if "-partner-" in f["function_name"]
    }


def test_every_partner_channel_gets_partner_access(example_synth) -> None:
    assert set(functions(example_synth, SALES)) == {"admin", "session", "idp", "sweeper"}
    assert set(functions(example_synth, "silo-logistics")) == {"admin", "session", "idp", "sweeper"}
    # api flows only: vending without the SFTP identity provider or server.
    assert set(functions(example_synth, "silo-facilities")) == {"admin", "session", "sweeper"}
    assert example_synth.resources("silo-facilities", "aws_transfer_server") == {}


def test_upload_page_and_dropzone_cors_only_with_web_upload(example_synth) -> None:
    def pages(stack: str) -> set[str]:
        return {o["key"] for o in example_synth.resources(stack, "aws_s3_object").values() if "/" not in o["key"]}

    assert {"index.html", "upload.js", "admin.html"} <= pages(SALES)
    for stack in ("silo-logistics", "silo-facilities"):
        assert "admin.html" in pages(stack) and not {"index.html", "upload.js"} & pages(stack)
        assert example_synth.resources(stack, "aws_s3_bucket_cors_configuration") == {}


def test_transfer_server_and_its_lambda_permission(example_synth) -> None:
    logical, server = one(example_synth, SALES, "aws_transfer_server")
    assert server["protocols"] == ["SFTP"]
    assert server["identity_provider_type"] == "AWS_LAMBDA"
    assert server["security_policy_name"] == SECURITY_POLICY
    assert server["function"] == f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:acme-sales-partner-idp"
    [destination] = server["structured_log_destinations"]
    assert destination.startswith("${aws_cloudwatch_log_group.") and destination.endswith(".arn}:*")
    [permission] = [
        p
        for p in example_synth.resources(SALES, "aws_lambda_permission").values()
        if p["principal"].startswith("transfer")
    ]
    assert permission["principal"] == "transfer.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["source_arn"] == f"${{aws_transfer_server.{logical}.arn}}"
    assert permission["source_account"] == ACCOUNT
    idp = functions(example_synth, SALES)["idp"]
    assert ref_name(permission["function_name"]) in {
        k for k, f in example_synth.resources(SALES, "aws_lambda_function").items() if f is idp
    }
    assert idp["reserved_concurrent_executions"] == IDP_RESERVED_CONCURRENCY
    assert idp["environment"]["variables"]["TRANSFER_SERVER_ARN"] == f"${{aws_transfer_server.{logical}.arn}}"


def test_functions_environment_layer_and_roles(example_synth) -> None:
    fns = functions(example_synth, SALES)
    [layer_param] = example_synth.data(SALES, "aws_ssm_parameter").values()
    assert layer_param["name"] == POWERTOOLS_PARAMETER
    for kind, fn in fns.items():
        env = fn["environment"]["variables"]
        assert set(env) >= REQUIRED_ENV, (kind, REQUIRED_ENV - set(env))
        assert env["CHANNELS"] == "sftp,upload,api"
        assert env["ALLOWED_CIDRS"] == "203.0.113.0/24,198.51.100.16/28"
        assert env["MAX_DAYS"] == "30"
        assert env["SESSION_ROLE_ARN"] == f"arn:aws:iam::{ACCOUNT}:role/{names.silo_role('sales', 'partner-session')}"
        assert fn["handler"] == f"handler.{kind}_handler"
        assert fn["runtime"] == "python3.11"
        assert len(fn["layers"]) == 1 and fn["layers"][0].startswith("${data.aws_ssm_parameter.")
    roles = {r["name"]: r for r in example_synth.resources(SALES, "aws_iam_role").values()}
    policies = {
        ref_name(p["role"]): json.loads(p["policy"])
        for p in example_synth.resources(SALES, "aws_iam_role_policy").values()
    }
    logical = {r["name"]: k for k, r in example_synth.resources(SALES, "aws_iam_role").items()}

    def actions(role: str) -> set[str]:
        found: set[str] = set()
        for s in policies[logical[role]]["Statement"]:
            if s["Effect"] == "Allow":
                found.update([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        return found - {"logs:CreateLogStream", "logs:PutLogEvents", "kms:Decrypt", "kms:GenerateDataKey"}

    assert actions(names.silo_role("sales", "partner-idp")) == {
        "secretsmanager:GetSecretValue",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
    }
    assert actions(names.silo_role("sales", "partner-session")) == actions(names.silo_role("sales", "partner-idp")) | {
        "sts:AssumeRole",
        "sts:SetSourceIdentity",
    }
    assert not any(
        a.startswith("iam:") and a != "iam:PassRole" for a in actions(names.silo_role("sales", "partner-admin"))
    )
    cfn = roles[names.silo_role("sales", "partner-cfn")]
    trust = json.loads(cfn["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "cloudformation.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_boundary_policy_reaches_aws_with_its_policy_variable(example_synth) -> None:
    [boundary] = [p for p in example_synth.resources(SALES, "aws_iam_policy").values() if "partner" in p["name"]]
    assert boundary["name"] == partner_access_names.partner_boundary("sales") and boundary["path"] == "/silolake/"
    text = boundary["policy"]
    assert f"$${{aws:PrincipalTag/{TAG_USERNAME}}}" in text
    assert "$$${" not in text, "escaped once (issue 19): tests/delivered.py proves what AWS gets"
    assert "$${TfToken" not in text and "$${aws_" not in text
    assert "${aws_api_gateway_rest_api." in text, "the flow API ARN stays a Terraform reference"


def test_lockout_table(example_synth) -> None:
    _, table = one(example_synth, SALES, "aws_dynamodb_table")
    assert table["name"] == partner_access_names.partner_lockout_table("acme", "sales")
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["server_side_encryption"]["enabled"] is True
    assert table["server_side_encryption"]["kms_key_arn"].startswith("${aws_kms_key.")
    assert table["lifecycle"] == {"prevent_destroy": True}
    assert table["point_in_time_recovery"] == {"enabled": True}


def test_user_pool_and_admin_routes(example_synth) -> None:
    _, pool = one(example_synth, SALES, "aws_cognito_user_pool")
    assert pool["mfa_configuration"] == "ON"
    assert pool["admin_create_user_config"]["allow_admin_create_user_only"] is True
    assert pool["deletion_protection"] == "ACTIVE" and pool["lifecycle"] == {"prevent_destroy": True}
    _, client = one(example_synth, SALES, "aws_cognito_user_pool_client")
    assert client["generate_secret"] is False and client["allowed_oauth_flows"] == ["code"]
    assert client["callback_urls"][0].startswith("https://${aws_cloudfront_distribution.")
    users = {u["username"] for u in example_synth.resources(SALES, "aws_cognito_user").values()}
    assert users == {"alice@acme.example", "bob@acme.example"}
    routes = {r["route_key"]: r for r in example_synth.resources(SALES, "aws_apigatewayv2_route").values()}
    assert set(routes) == {
        "POST /credentials",
        "GET /credentials",
        "POST /credentials/{username}/rotate",
        "DELETE /credentials/{username}",
        "POST /session",
    }
    _, authorizer = one(example_synth, SALES, "aws_apigatewayv2_authorizer")
    assert authorizer["authorizer_type"] == "JWT"
    for key, route in routes.items():
        expected = "NONE" if key == "POST /session" else "JWT"
        assert route["authorization_type"] == expected, key
    _, stage = one(example_synth, SALES, "aws_apigatewayv2_stage")
    assert stage["access_log_settings"]["destination_arn"].startswith("${aws_cloudwatch_log_group.")
    assert {s["route_key"] for s in stage["route_settings"]} == set(routes)
    _, api = one(example_synth, SALES, "aws_apigatewayv2_api")
    dist_logical, _ = one(example_synth, SALES, "aws_cloudfront_distribution")
    assert api["cors_configuration"]["allow_origins"] == [
        f"https://${{aws_cloudfront_distribution.{dist_logical}.domain_name}}"
    ]


def test_distribution_headers_and_cors(example_synth) -> None:
    logical, dist = one(example_synth, SALES, "aws_cloudfront_distribution")
    [origin] = dist["origin"]
    assert origin["origin_access_control_id"].startswith("${aws_cloudfront_origin_access_control.")
    behavior = dist["default_cache_behavior"]
    assert behavior["viewer_protocol_policy"] == "redirect-to-https"
    assert behavior["allowed_methods"] == ["GET", "HEAD"]
    assert dist["viewer_certificate"]["minimum_protocol_version"] == "TLSv1.2_2021"
    assert dist["logging_config"]["bucket"].startswith(
        names.silo_bucket("acme", "sales", "cdnlogs", ACCOUNT, "eu-west-1")
    )
    headers_logical, headers = one(example_synth, SALES, "aws_cloudfront_response_headers_policy")
    assert behavior["response_headers_policy_id"] == f"${{aws_cloudfront_response_headers_policy.{headers_logical}.id}}"
    security = headers["security_headers_config"]
    csp = security["content_security_policy"]["content_security_policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert security["strict_transport_security"]["access_control_max_age_sec"] >= 31536000
    assert security["frame_options"]["frame_option"] == "DENY"
    [cors] = example_synth.resources(SALES, "aws_s3_bucket_cors_configuration").values()
    [rule] = cors["cors_rule"]
    assert rule["allowed_origins"] == [f"https://${{aws_cloudfront_distribution.{logical}.domain_name}}"]
    assert rule["expose_headers"] == ["ETag"]
    # DELETE: the upload page aborts a failed multipart upload; GET: it reads landing's status
    # record (CORS only lets the page see the answer; IAM allows the partner its own records only).
    assert rule["allowed_methods"] == ["DELETE", "GET", "POST", "PUT"]
    site = [b for b in example_synth.resources(SALES, "aws_s3_bucket").values() if "-web-" in b["bucket"]]
    assert len(site) == 1 and site[0]["lifecycle"] == {"prevent_destroy": True}


@pytest.mark.parametrize("name", ["index.html", "admin.html", "config.json"])
def test_pages_and_runtime_config_are_published(example_synth, name: str) -> None:
    objects = {o["key"]: o for o in example_synth.resources(SALES, "aws_s3_object").values()}
    assert name in objects
    if name == "config.json":
        config = json.loads(objects[name]["content"])
        assert config["apiUrl"].startswith("${aws_apigatewayv2_api.")
        assert config["channels"] == ["sftp", "upload", "api"] and config["localSignIn"] is False
        assert objects[name]["cache_control"] == "no-store"
