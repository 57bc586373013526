"""The partner's IAM documents confine it, proven with the offline IAM engine (tests/iam).

Every case evaluates what AWS would: the role's inline policy, the permissions boundary
and the session policy of the channel together. Checked: its own prefix is writable;
reading, another partner's prefix, other buckets, the key outside S3, IAM and STS are
not; a wrongly rendered inline policy is still held by the boundary; the documents in
README.md are exactly what the builders produce.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from partner_access import policies
from partner_access.config import Config
from partner_access.model import TAG_USERNAME, Credential

from ...iam.iam_sim import simulate
from .conftest import SOURCE, env_for

ACCOUNT = "444444444444"
CFG = Config.from_env(env_for(ACCOUNT))
BUCKET_ARN = f"arn:aws:s3:::{CFG.dropzone_bucket}"
RAW_ARN = f"arn:aws:s3:::acme-sales-raw-{ACCOUNT}-euw1"
API_ARN = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:a1b2c3d4e5/v1/POST/flows/events/records"
#: The route of a flow that does not arrive by API: no credential may call it.
OTHER_API_ARN = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:a1b2c3d4e5/v1/POST/flows/web_orders/records"
#: The flow each label's session may write (its channel's), and one of another channel.
OWN_FLOW = {"web": "web_orders", "sftp": "reseller_reports", "role": "web_orders"}
FOREIGN_FLOW = {"web": "reseller_reports", "sftp": "web_orders", "role": "events"}
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}
    ],
}
BOUNDARY = policies.boundary_document(
    partition="aws", region="eu-west-1", bucket=CFG.dropzone_bucket, key_arn=CFG.kms_key_arn, api_arns=CFG.flow_api_arns
)
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def credential(channels: tuple[str, ...]) -> Credential:
    return Credential(username="bob", channels=channels, cidrs=(), expires_at=NOW, created_at=NOW, created_by="x")


def case(
    name: str,
    action: str,
    resource: str,
    *,
    identity: dict[str, Any],
    session: dict[str, Any] | None,
    context: dict[str, Any] | None = None,
    tag: str | None = "bob",
) -> dict[str, Any]:
    full_context = {"aws:SecureTransport": "true", **(context or {})}
    if tag is not None:
        full_context[f"aws:PrincipalTag/{TAG_USERNAME}"] = tag
    result: dict[str, Any] = {
        "name": name,
        "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/partner-bob/partner-bob",
        "action": action,
        "resource": resource,
        "resourceAccount": ACCOUNT,
        "identityPolicies": [identity],
        "permissionBoundaries": [BOUNDARY],
        "context": full_context,
    }
    if session is not None:
        result["sessionPolicy"] = session
    if action.startswith("kms:"):
        result["resourcePolicy"] = KEY_POLICY
    return result


def kms_context(via: str = "s3.eu-west-1.amazonaws.com") -> dict[str, str]:
    return {"kms:ViaService": via}


def test_partner_is_confined_to_its_prefix() -> None:
    everything = credential(("sftp", "upload", "api"))
    role = policies.role_policy(CFG, everything)
    web = policies.session_policy(CFG, everything)
    sftp = policies.sftp_policy(CFG, everything)
    api_only = credential(("api",))
    expected = {}
    cases = []
    for label, session in (("web", web), ("sftp", sftp), ("role", None)):

        def add(
            name: str,
            decision: str,
            action: str,
            resource: str,
            *,
            label: str = label,
            session: dict[str, Any] | None = session,
            **kwargs: Any,
        ) -> None:
            cases.append(case(f"{label}: {name}", action, resource, identity=role, session=session, **kwargs))
            expected[f"{label}: {name}"] = decision

        own, foreign = f"bob/{OWN_FLOW[label]}", f"bob/{FOREIGN_FLOW[label]}"
        add("put own flow", "Allowed", "s3:PutObject", f"{BUCKET_ARN}/{own}/a.csv")
        add("multipart abort own flow", "Allowed", "s3:AbortMultipartUpload", f"{BUCKET_ARN}/{own}/a.csv")
        add("list own flow", "Allowed", "s3:ListBucket", BUCKET_ARN, context={"s3:prefix": f"{own}/"})
        add("read own status", "Allowed", "s3:GetObject", f"{BUCKET_ARN}/_status/{own}/a.csv.json")
        add("list own status", "Allowed", "s3:ListBucket", BUCKET_ARN, context={"s3:prefix": "_status/bob/"})
        add("put another channel's flow", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/{foreign}/a.csv")
        add("put outside any flow", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/bob/a.csv")
        add("list whole own prefix", "ImplicitlyDenied", "s3:ListBucket", BUCKET_ARN, context={"s3:prefix": "bob/"})
        add("read other status", "ImplicitlyDenied", "s3:GetObject", f"{BUCKET_ARN}/_status/alice/web_orders/a.json")
        add("key through S3", "Allowed", "kms:GenerateDataKey", CFG.kms_key_arn, context=kms_context())
        add("decrypt through S3", "Allowed", "kms:Decrypt", CFG.kms_key_arn, context=kms_context())
        add("get own object", "ImplicitlyDenied", "s3:GetObject", f"{BUCKET_ARN}/{own}/a.csv")
        add("delete own object", "ImplicitlyDenied", "s3:DeleteObject", f"{BUCKET_ARN}/{own}/a.csv")
        add("put other partner", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/bobby/a.csv")
        add("put bucket root", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/a.csv")
        add("put system prefix", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/_silolake/a.csv")
        add("list other prefix", "ImplicitlyDenied", "s3:ListBucket", BUCKET_ARN, context={"s3:prefix": "alice/"})
        add("list whole bucket", "ImplicitlyDenied", "s3:ListBucket", BUCKET_ARN, context={"s3:prefix": ""})
        add("put raw zone", "ImplicitlyDenied", "s3:PutObject", f"{RAW_ARN}/bob/a.csv")
        add(
            "key directly",
            "ImplicitlyDenied",
            "kms:Decrypt",
            CFG.kms_key_arn,
            context=kms_context(via="glue.eu-west-1.amazonaws.com"),
        )
        add("key without a service", "ImplicitlyDenied", "kms:GenerateDataKey", CFG.kms_key_arn)
        add("key admin", "ImplicitlyDenied", "kms:ScheduleKeyDeletion", CFG.kms_key_arn)
        add("create role", "ImplicitlyDenied", "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/x")
        add(
            "edit own role",
            "ImplicitlyDenied",
            "iam:PutRolePolicy",
            f"arn:aws:iam::{ACCOUNT}:role/silolake/partner/partner-bob",
        )
        add("assume another role", "ImplicitlyDenied", "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/admin")
        add("flow API", "ImplicitlyDenied" if label == "sftp" else "Allowed", "execute-api:Invoke", API_ARN)
        add("route of a file flow", "ImplicitlyDenied", "execute-api:Invoke", OTHER_API_ARN)

    # api only: the web session has no S3 at all.
    api_role = policies.role_policy(CFG, api_only)
    api_session = policies.session_policy(CFG, api_only)
    for name, decision, action, resource in (
        ("api-only: flow API", "Allowed", "execute-api:Invoke", API_ARN),
        ("api-only: put own prefix", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/bob/web_orders/a.csv"),
    ):
        cases.append(case(name, action, resource, identity=api_role, session=api_session))
        expected[name] = decision
    # The boundary holds even if the inline policy were rendered wrong, and a role without
    # the username tag can do nothing at all.
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    for name, decision, action, resource, kwargs in (
        ("wide: put own prefix", "Allowed", "s3:PutObject", f"{BUCKET_ARN}/bob/a.csv", {}),
        ("wide: put other partner", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/alice/a.csv", {}),
        ("wide: put raw zone", "ImplicitlyDenied", "s3:PutObject", f"{RAW_ARN}/a.csv", {}),
        ("wide: create role", "ImplicitlyDenied", "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/x", {}),
        ("wide: untagged role", "ImplicitlyDenied", "s3:PutObject", f"{BUCKET_ARN}/bob/a.csv", {"tag": None}),
        (
            "wide: tag names another partner",
            "ImplicitlyDenied",
            "s3:PutObject",
            f"{BUCKET_ARN}/bob/a.csv",
            {"tag": "alice"},
        ),
    ):
        cases.append(case(name, action, resource, identity=wide, session=None, **kwargs))
        expected[name] = decision
    decisions = {r["name"]: r["decision"] for r in simulate(cases)}
    assert decisions == expected


def test_trust_policy_names_only_the_session_function_and_the_silo_server() -> None:
    trust = policies.trust_policy(CFG, ("sftp", "upload"))
    [session_stmt, transfer_stmt] = trust["Statement"]
    assert session_stmt["Condition"] == {"ArnEquals": {"aws:PrincipalArn": CFG.session_role_arn}}
    assert sorted(session_stmt["Action"]) == ["sts:AssumeRole", "sts:SetSourceIdentity"]
    assert transfer_stmt["Principal"] == {"Service": "transfer.amazonaws.com"}
    assert transfer_stmt["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": CFG.transfer_server_arn},
    }
    assert [s["Sid"] for s in policies.trust_policy(CFG, ("sftp",))["Statement"]] == ["TransferServer"]
    assert [s["Sid"] for s in policies.trust_policy(CFG, ("api",))["Statement"]] == ["SessionFunction"]


def test_readme_lists_exactly_the_boundary_statements() -> None:
    """README.md's boundary block is what boundary_document builds (with placeholders)."""
    readme = (SOURCE / "README.md").read_text()
    block = re.search(r"<!-- boundary:begin -->\s*```json\n(.*?)```\s*<!-- boundary:end -->", readme, re.DOTALL)
    assert block, "README.md must hold the boundary between <!-- boundary:begin/end --> markers"
    documented = policies.boundary_document(
        partition="${Partition}",
        region="${Region}",
        bucket="${DropzoneBucket}",
        key_arn="${SiloKeyArn}",
        api_arns=["${FlowApiArns}"],
    )
    assert json.loads(block.group(1)) == documented
