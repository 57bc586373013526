"""Issue 19 (items 4-6), proven with the offline IAM engine on the policies Terraform delivers.

- ``facilities`` has only an ``api`` flow: its partners get a boundary that allows
  ``execute-api:Invoke`` on the silo's flow API and nothing on the dropzone.
- The dropzone refuses SSE-C uploads (landing and the malware scan could never read
  them), while a partner may still abort its own multipart upload.
- QuickSight's service role reads processed data, reads and writes the Athena results
  prefix and uses the silo key, all through the delivered bucket and key policies (no
  identity policy), and reaches neither raw nor the dropzone.
"""

from __future__ import annotations

from typing import Any

import pytest

from silolake.aws import names, partner_access_names
from silolake.policy import partner as pp
from silolake.policy import quicksight as qs
from silolake.policy.documents import document, key_admin_statement

from ..delivered import Delivery, deliver
from .iam_sim import simulate
from .test_partner_boundary import (
    ACCOUNT,
    ALLOWED,
    API_ID,
    EXPLICIT,
    IMPLICIT,
    KEY,
    PARTNER,
    REGION,
    SALES,
    WIDE_OPEN,
    resolve,
)

FACILITIES, FAC_ACCOUNT = "silo-facilities", "666666666666"
FAC_PARTNER = f"arn:aws:sts::{FAC_ACCOUNT}:assumed-role/partner-bob/bob"
FAC_DROPZONE = names.silo_bucket("acme", "facilities", "dropzone", FAC_ACCOUNT, REGION)
FAC_API = f"arn:aws:execute-api:{REGION}:{FAC_ACCOUNT}:{API_ID}/v1/POST/flows/sensor_readings"
QS_ROLE = qs.service_role_arn("aws", ACCOUNT)
QS_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/{qs.SERVICE_ROLE}/QuickSight-1234"
SSE_C = "s3:x-amz-server-side-encryption-customer-algorithm"


def bucket(zone: str, silo: str = "sales", account: str = ACCOUNT) -> str:
    return names.silo_bucket("acme", silo, zone, account, REGION)


@pytest.fixture(scope="module")
def delivered(example_synth, tmp_path_factory) -> Delivery:
    return deliver(example_synth, tmp_path_factory.mktemp("delivered-intake"), resolve)


def bucket_policy(delivered: Delivery, stack: str, name: str) -> dict:
    """The policy of bucket ``name`` as AWS receives it (the bucket reference resolved to its name)."""
    return delivered.policy(stack, "aws_s3_bucket_policy", bucket=name)


def key_policy(delivered: Delivery, stack: str, alias: str) -> dict:
    keys = delivered.resources(stack, "aws_kms_key")
    aliases = delivered.resources(stack, "aws_kms_alias")
    [target] = [a["target_key_id"] for a in aliases.values() if a["name"] == f"alias/{alias}"]
    logical = target.removeprefix("tfref:aws_kms_key.").removesuffix(".key_id")
    return delivered.policy(stack, "aws_kms_key", description=keys[logical]["description"])


def case(name: str, principal: str, action: str, resource: str, account: str = ACCOUNT, **extra: Any) -> dict:
    context = {"aws:SecureTransport": "true", **extra.pop("context", {})}
    if principal == QS_SESSION:
        # A session's ARN has no role path; aws:PrincipalArn is the role's ARN with its path
        # (/service-role/), which the harness cannot derive from the session ARN.
        context["aws:PrincipalArn"] = QS_ROLE
    return {
        "name": name,
        "principal": principal,
        "action": action,
        "resource": resource,
        "resourceAccount": account,
        "context": context,
        **extra,
    }


def decide(cases: list[dict[str, Any]]) -> dict[str, str]:
    return {r["name"]: r["decision"] for r in simulate(cases)}


# ---- item 4: vending for api-only silos --------------------------------------------------


def test_api_only_silo_gets_vending_without_sftp_or_upload_page(example_synth) -> None:
    functions = {
        f["function_name"].rsplit("-", 1)[1]: f
        for f in example_synth.resources(FACILITIES, "aws_lambda_function").values()
        if "-partner-" in f["function_name"]
    }
    assert set(functions) == {"admin", "session", "sweeper"}  # no SFTP identity provider
    assert {f["environment"]["variables"]["CHANNELS"] for f in functions.values()} == {"api"}
    assert example_synth.resources(FACILITIES, "aws_transfer_server") == {}
    assert example_synth.resources(FACILITIES, "aws_s3_bucket_cors_configuration") == {}
    routes = {r["route_key"] for r in example_synth.resources(FACILITIES, "aws_apigatewayv2_route").values()}
    assert "POST /session" in routes and "POST /credentials" in routes
    assert example_synth.resources(FACILITIES, "aws_cognito_user_pool")
    pages = {o["key"] for o in example_synth.resources(FACILITIES, "aws_s3_object").values() if "/" not in o["key"]}
    assert pages == {"admin.html", "admin.js", "app.css", "common.js", "config.json"}
    [distribution] = example_synth.resources(FACILITIES, "aws_cloudfront_distribution").values()
    assert distribution["default_root_object"] == "admin.html"
    outputs = set(example_synth.stack(FACILITIES)["output"])
    assert {"partner_admin_page_url", "partner_api_url"} <= outputs
    assert not {"partner_upload_page_url", "partner_sftp_endpoint"} & outputs
    [headers] = example_synth.resources(FACILITIES, "aws_cloudfront_response_headers_policy").values()
    csp = headers["security_headers_config"]["content_security_policy"]["content_security_policy"]
    assert FAC_DROPZONE not in csp


def test_api_only_boundary_invokes_the_flow_api_and_nothing_on_the_dropzone(delivered: Delivery) -> None:
    boundary = delivered.policy(FACILITIES, "aws_iam_policy", name=partner_access_names.partner_boundary("facilities"))
    assert [s["Sid"] for s in boundary["Statement"]] == ["InvokeFlowApis"]

    def partner(name: str, action: str, resource: str, **context: str) -> dict[str, Any]:
        """A facilities partner whose role allows everything inline: only the boundary holds it."""
        return case(
            name,
            FAC_PARTNER,
            action,
            resource,
            FAC_ACCOUNT,
            identityPolicies=[WIDE_OPEN],
            permissionBoundaries=[boundary],
            context={f"aws:PrincipalTag/{pp.TAG_USERNAME}": "bob", **context},
        )

    got = decide(
        [
            partner("invoke flow api", "execute-api:Invoke", FAC_API),
            partner(
                "invoke other api",
                "execute-api:Invoke",
                f"arn:aws:execute-api:{REGION}:{FAC_ACCOUNT}:zzzzzzzzzz/v1/POST/flows/sensor_readings",
            ),
            partner("put dropzone", "s3:PutObject", f"arn:aws:s3:::{FAC_DROPZONE}/bob/x.csv"),
            partner("abort dropzone", "s3:AbortMultipartUpload", f"arn:aws:s3:::{FAC_DROPZONE}/bob/x.csv"),
            partner("list dropzone", "s3:ListBucket", f"arn:aws:s3:::{FAC_DROPZONE}", **{"s3:prefix": "bob/"}),
            partner(
                "raw",
                "s3:GetObject",
                f"arn:aws:s3:::{bucket('raw', 'facilities', FAC_ACCOUNT)}/sensor_readings/x",
            ),
            partner(
                "key via s3",
                "kms:GenerateDataKey",
                f"arn:aws:kms:{REGION}:{FAC_ACCOUNT}:key/11111111-2222-4333-8444-555555555555",
                **{"kms:ViaService": f"s3.{REGION}.amazonaws.com"},
            ),
            partner("create role", "iam:CreateRole", f"arn:aws:iam::{FAC_ACCOUNT}:role/silolake/partner/partner-eve"),
        ]
    )
    assert got == {name: ALLOWED if name == "invoke flow api" else IMPLICIT for name in got}


# ---- item 6: SSE-C denied, multipart abort allowed on the dropzone -------------------


def test_dropzone_cors_admits_the_pages_multipart_abort_and_status_read(example_synth) -> None:
    [cors] = example_synth.resources(SALES, "aws_s3_bucket_cors_configuration").values()
    [rule] = cors["cors_rule"]
    assert rule["allowed_methods"] == ["DELETE", "GET", "POST", "PUT"]  # GET: the status record
    assert rule["expose_headers"] == ["ETag"]


def test_delivered_dropzone_refuses_sse_c_and_lets_a_partner_abort_its_upload(delivered: Delivery) -> None:
    dropzone = bucket("dropzone")
    bucket_doc = bucket_policy(delivered, SALES, dropzone)
    boundary = delivered.policy(SALES, "aws_iam_policy", name=partner_access_names.partner_boundary("sales"))
    # The partner role's inline policy as the runtime writes it: uploads on the own prefix.
    inline = {
        "Version": "2012-10-17",
        "Statement": [
            {**s, "Resource": s["Resource"].replace("${aws:PrincipalTag/silolake:partner-username}", "bob")}
            for s in boundary["Statement"]
            if s["Sid"] == "UploadOwnPrefix"
        ],
    }

    def partner(name: str, action: str, key: str, **context: str) -> dict[str, Any]:
        return case(
            name,
            PARTNER,
            action,
            f"arn:aws:s3:::{dropzone}/{key}",
            identityPolicies=[inline],
            permissionBoundaries=[boundary],
            resourcePolicy=bucket_doc,
            context={f"aws:PrincipalTag/{pp.TAG_USERNAME}": "bob", **context},
        )

    kms = {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}
    got = decide(
        [
            partner("put default encryption", "s3:PutObject", "bob/a.csv"),
            partner("put silo key", "s3:PutObject", "bob/a.csv", **kms),
            partner("put sse-c", "s3:PutObject", "bob/a.csv", **{SSE_C: "AES256"}),
            partner("abort own", "s3:AbortMultipartUpload", "bob/big.bin"),
            partner("list parts own", "s3:ListMultipartUploadParts", "bob/big.bin"),
            partner("abort other", "s3:AbortMultipartUpload", "alice/big.bin"),
            # Even an all-powerful in-account role cannot bring its own key.
            case(
                "admin sse-c",
                f"arn:aws:iam::{ACCOUNT}:role/admin",
                "s3:PutObject",
                f"arn:aws:s3:::{dropzone}/bob/a.csv",
                identityPolicies=[WIDE_OPEN],
                resourcePolicy=bucket_doc,
                context={SSE_C: "AES256"},
            ),
        ]
    )
    assert got == {
        "put default encryption": ALLOWED,
        "put silo key": ALLOWED,
        "put sse-c": EXPLICIT,
        "abort own": ALLOWED,
        "list parts own": ALLOWED,
        "abort other": IMPLICIT,
        "admin sse-c": EXPLICIT,
    }


# ---- item 5: QuickSight's service role ------------------------------------------------


def test_quicksight_role_reads_processed_and_results_and_uses_the_key(delivered: Delivery) -> None:
    """Resource policies alone (the role QuickSight manages carries no silolake policy)."""
    processed, athena = bucket("processed"), bucket("athena")
    policies = {
        zone: bucket_policy(delivered, SALES, bucket(zone)) for zone in ("processed", "athena", "raw", "dropzone")
    }
    key = key_policy(delivered, SALES, names.silo_key_alias("sales"))
    results = names.ATHENA_RESULTS_PREFIX

    def on(zone: str, name: str, action: str, resource: str, principal: str = QS_SESSION, **context: str) -> dict:
        return case(name, principal, action, resource, resourcePolicy=policies[zone], context=context)

    def kms(name: str, action: str, service: str, principal: str = QS_SESSION) -> dict:
        return case(
            name,
            principal,
            action,
            KEY,
            resourcePolicy=key,
            context={"kms:ViaService": f"{service}.{REGION}.amazonaws.com"},
        )

    other = f"arn:aws:sts::{ACCOUNT}:assumed-role/someone/x"
    foreign_qs = f"arn:aws:sts::999999999999:assumed-role/{qs.SERVICE_ROLE}/QuickSight-1234"
    got = decide(
        [
            on("processed", "get processed", "s3:GetObject", f"arn:aws:s3:::{processed}/orders/p.parquet"),
            on("processed", "list processed", "s3:ListBucket", f"arn:aws:s3:::{processed}", **{"s3:prefix": "orders/"}),
            on("processed", "put processed", "s3:PutObject", f"arn:aws:s3:::{processed}/orders/p.parquet"),
            on("athena", "get results", "s3:GetObject", f"arn:aws:s3:::{athena}/{results}q.csv"),
            on("athena", "put results", "s3:PutObject", f"arn:aws:s3:::{athena}/{results}q.csv"),
            on("athena", "list results", "s3:ListBucket", f"arn:aws:s3:::{athena}", **{"s3:prefix": results}),
            on("athena", "put outside results", "s3:PutObject", f"arn:aws:s3:::{athena}/other/q.csv"),
            on("raw", "get raw", "s3:GetObject", f"arn:aws:s3:::{bucket('raw')}/orders/x.json"),
            on("raw", "list raw", "s3:ListBucket", f"arn:aws:s3:::{bucket('raw')}", **{"s3:prefix": "orders/"}),
            on("dropzone", "get dropzone", "s3:GetObject", f"arn:aws:s3:::{bucket('dropzone')}/bob/x.csv"),
            on("dropzone", "put dropzone", "s3:PutObject", f"arn:aws:s3:::{bucket('dropzone')}/bob/x.csv"),
            kms("decrypt via s3", "kms:Decrypt", "s3"),
            kms("decrypt via glue", "kms:Decrypt", "glue"),
            kms("data key via s3", "kms:GenerateDataKey", "s3"),
            kms("decrypt directly", "kms:Decrypt", "secretsmanager"),
            on("processed", "other role processed", "s3:GetObject", f"arn:aws:s3:::{processed}/orders/p", other),
            kms("other role key", "kms:Decrypt", "s3", other),
        ]
    )
    allowed = {
        "get processed",
        "list processed",
        "get results",
        "put results",
        "list results",
        "decrypt via s3",
        "decrypt via glue",
        "data key via s3",
    }
    assert got == {name: ALLOWED if name in allowed else IMPLICIT for name in got}
    # The same role name in another account is no QuickSight of this silo.
    [foreign] = simulate(
        [
            case(
                "foreign quicksight",
                foreign_qs,
                "s3:GetObject",
                f"arn:aws:s3:::{processed}/orders/p.parquet",
                resourcePolicy=policies["processed"],
                identityPolicies=[WIDE_OPEN],
            )
        ]
    )
    assert foreign["decision"] != ALLOWED


def test_quicksight_policy_command_prints_the_same_access(example_catalog) -> None:
    """``silolake quicksight-policy``'s identity policy: processed, the results prefix and
    the key by its alias; raw and the dropzone out of reach."""
    silo = example_catalog.silo("sales")
    doc = qs.role_policy("acme", silo)
    alias = {"kms:ResourceAliases": [f"alias/{names.silo_key_alias('sales')}"]}

    # A key whose policy only delegates to IAM: the identity policy alone decides.
    delegating = document([key_admin_statement("aws", ACCOUNT)])

    def ask(name: str, action: str, resource: str, **context: Any) -> dict:
        extra = {"resourcePolicy": delegating} if action.startswith("kms:") else {}
        return case(name, QS_SESSION, action, resource, identityPolicies=[doc], context=context, **extra)

    got = decide(
        [
            ask("get processed", "s3:GetObject", f"arn:aws:s3:::{bucket('processed')}/orders/p.parquet"),
            ask("put results", "s3:PutObject", f"arn:aws:s3:::{bucket('athena')}/{names.ATHENA_RESULTS_PREFIX}q.csv"),
            ask("decrypt", "kms:Decrypt", KEY, **{"kms:ViaService": f"s3.{REGION}.amazonaws.com"}, **alias),
            ask("get raw", "s3:GetObject", f"arn:aws:s3:::{bucket('raw')}/orders/x.json"),
            ask("put dropzone", "s3:PutObject", f"arn:aws:s3:::{bucket('dropzone')}/bob/x.csv"),
            ask(
                "other key",
                "kms:Decrypt",
                KEY,
                **{"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:ResourceAliases": ["alias/other"]},
            ),
        ]
    )
    allowed = {"get processed", "put results", "decrypt"}
    assert got == {name: ALLOWED if name in allowed else IMPLICIT for name in got}
