"""The framework's partner IAM documents, proven with the offline IAM engine.

Every proof evaluates the policy *as Terraform delivers it to AWS*: read out of the
synthesized example (silo ``sales``), evaluated by Terraform core (:mod:`tests.delivered`),
with the silo key's ARN and the flow API's id resolved to the constants below.

- The permissions boundary Terraform deploys is the one the runtime documents, and it
  confines a partner role even when its inline policy allows everything: own prefix
  only; another partner's prefix, raw, processed, another silo and IAM changes denied.
- The CloudFormation service role creates roles on the partner path only, and only with
  the boundary; it can never remove or replace a boundary.
- The admin function cannot create a role at all (with or without a boundary), and may
  create stacks only through that service role.
- Against the organization's SCPs: partner roles are not ``silolake-*-*`` roles (the
  service role may create them), while the boundary policy can be changed by the deploy
  role alone.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

from silolake.aws import names, partner_access_names
from silolake.policy import partner as pp
from silolake.policy.documents import document
from silolake.runtime import runtime_path

from ..delivered import Delivery, deliver
from .iam_sim import simulate

ACCOUNT = "444444444444"
REGION = "eu-west-1"
BUCKET = names.silo_bucket("acme", "sales", "dropzone", ACCOUNT, REGION)
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-4333-8444-555555555555"
API = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a1b2c3d4e5/v1/POST/flows/*"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/silolake/{partner_access_names.partner_boundary('sales')}"
OTHER_BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/silolake/wide-open"
CFN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{names.silo_role('sales', 'partner-cfn')}"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{names.silo_role('sales', 'partner-admin')}"
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"
PARTNER = f"arn:aws:sts::{ACCOUNT}:assumed-role/partner-bob/bob"
PARTNER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/silolake/partner/partner-bob"
STACKS = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/acme-sales-partner-bob/0a1b2c3d-0000-4000-8000-000000000000"
API_ID = "a1b2c3d4e5"
#: What the framework's builder makes of the constants (the runtime documents this one).
BUILT_BOUNDARY = pp.boundary_document(region=REGION, bucket=BUCKET, key_arn=KEY, api_arns=[API])
WIDE_OPEN = document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"


SALES = "silo-sales"


def resolve(expr: str) -> str | None:
    """The sales silo key's ARN and the flow API's id: the only references the proofs read."""
    if expr.startswith("aws_kms_key.") and expr.endswith(".arn"):
        return KEY
    if expr.startswith("aws_api_gateway_rest_api.") and expr.endswith(".id"):
        return API_ID
    return None


@pytest.fixture(scope="module")
def delivered(example_synth, tmp_path_factory) -> Delivery:
    return deliver(example_synth, tmp_path_factory.mktemp("delivered-partner"), resolve)


@pytest.fixture(scope="module")
def boundary(delivered: Delivery) -> dict:
    """The partner boundary as AWS receives it (``aws_iam_policy``)."""
    return delivered.policy(SALES, "aws_iam_policy", name=partner_access_names.partner_boundary("sales"))


def role_policy(delivered: Delivery, purpose: str) -> dict:
    """The inline policy of a sales role as AWS receives it (the role reference resolved to its name)."""
    role = names.silo_role("sales", purpose)
    found = [
        p
        for key, p in delivered.policies(SALES, "aws_iam_role_policy").items()
        if delivered.resources(SALES, "aws_iam_role_policy")[key.split(".")[1]]["role"] == role
    ]
    assert len(found) == 1, (role, len(found))
    return found[0]


def case(name: str, principal: str, action: str, resource: str, **extra: Any) -> dict[str, Any]:
    context = {"aws:SecureTransport": "true", **extra.pop("context", {})}
    return {
        "name": name,
        "principal": principal,
        "action": action,
        "resource": resource,
        "resourceAccount": ACCOUNT,
        "context": context,
        **extra,
    }


def partner(boundary: dict, name: str, action: str, resource: str, **context: str) -> dict[str, Any]:
    """A partner session whose role has a wide-open inline policy: only the boundary holds it."""
    return case(
        name,
        PARTNER,
        action,
        resource,
        identityPolicies=[WIDE_OPEN],
        permissionBoundaries=[boundary],
        context={f"aws:PrincipalTag/{pp.TAG_USERNAME}": "bob", **context},
    )


def decide(cases: list[dict[str, Any]]) -> dict[str, str]:
    return {r["name"]: r["decision"] for r in simulate(cases)}


def test_boundary_is_the_one_the_runtime_documents(boundary: dict) -> None:
    source = str(runtime_path("lambda", "partner"))
    if source not in sys.path:
        sys.path.insert(0, source)  # how Lambda imports the bundle: its folder is the root
    boundary_document = importlib.import_module("partner_access.policies").boundary_document

    assert boundary_document(partition="aws", region=REGION, bucket=BUCKET, key_arn=KEY, api_arns=[API]) == boundary
    assert boundary == BUILT_BOUNDARY
    assert "InvokeFlowApis" not in str(pp.boundary_document(region=REGION, bucket=BUCKET, key_arn=KEY))


def test_delivered_boundary_confines_uploads_to_the_partners_own_prefix(boundary: dict) -> None:
    """Issue 19: the boundary Terraform delivers names ``<bucket>/bob/``, not ``<bucket>/$bob/``."""
    got = decide(
        [
            partner(boundary, "put own", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/bob/orders/2026-01-01.csv"),
            partner(boundary, "put dollar", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/$bob/orders/2026-01-01.csv"),
            partner(boundary, "put other", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/alice/orders/2026-01-01.csv"),
            partner(boundary, "list own", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}", **{"s3:prefix": "bob/"}),
        ]
    )
    assert got == {"put own": ALLOWED, "put dollar": IMPLICIT, "put other": IMPLICIT, "list own": ALLOWED}


def test_boundary_confines_a_wide_open_partner_role(boundary: dict) -> None:
    other_dropzone = names.silo_bucket("acme", "logistics", "dropzone", "555555555555", "eu-central-1")
    got = decide(
        [
            partner(boundary, "own prefix", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/bob/report.csv"),
            partner(boundary, "own multipart", "s3:AbortMultipartUpload", f"arn:aws:s3:::{BUCKET}/bob/big.bin"),
            partner(boundary, "list own", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}", **{"s3:prefix": "bob/x"}),
            partner(
                boundary,
                "flow api",
                "execute-api:Invoke",
                f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a1b2c3d4e5/v1/POST/flows/orders",
            ),
            partner(boundary, "other partner", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/alice/report.csv"),
            partner(boundary, "list other", "s3:ListBucket", f"arn:aws:s3:::{BUCKET}", **{"s3:prefix": "alice/"}),
            partner(boundary, "read own", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/bob/report.csv"),
            partner(
                boundary,
                "raw",
                "s3:PutObject",
                f"arn:aws:s3:::{names.silo_bucket('acme', 'sales', 'raw', ACCOUNT, REGION)}/bob/x",
            ),
            partner(
                boundary,
                "processed",
                "s3:GetObject",
                f"arn:aws:s3:::{names.silo_bucket('acme', 'sales', 'processed', ACCOUNT, REGION)}/orders/x",
            ),
            partner(boundary, "other silo", "s3:PutObject", f"arn:aws:s3:::{other_dropzone}/bob/x"),
            partner(
                boundary,
                "key direct",
                "kms:Decrypt",
                KEY,
                **{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"},
            ),
            partner(
                boundary, "create role", "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/silolake/partner/partner-eve"
            ),
            partner(boundary, "drop boundary", "iam:DeleteRolePermissionsBoundary", PARTNER_ROLE),
            partner(boundary, "new boundary version", "iam:CreatePolicyVersion", BOUNDARY_ARN),
        ]
    )
    allowed = {"own prefix", "own multipart", "list own", "flow api"}
    assert got == {name: ALLOWED if name in allowed else IMPLICIT for name in got}


def test_cloudformation_role_creates_partner_roles_only_with_the_boundary(delivered: Delivery) -> None:
    statements = role_policy(delivered, "partner-cfn")["Statement"]

    def cfn(name: str, action: str, resource: str, boundary: str | None = None) -> dict[str, Any]:
        context = {"iam:PermissionsBoundary": boundary} if boundary else {}
        return case(name, CFN_ROLE, action, resource, identityPolicies=[document(statements)], context=context)

    got = decide(
        [
            cfn("with boundary", "iam:CreateRole", PARTNER_ROLE, BOUNDARY_ARN),
            cfn("inline with boundary", "iam:PutRolePolicy", PARTNER_ROLE, BOUNDARY_ARN),
            cfn("tag", "iam:TagRole", PARTNER_ROLE),
            cfn("delete", "iam:DeleteRole", PARTNER_ROLE),
            cfn("without boundary", "iam:CreateRole", PARTNER_ROLE),
            cfn("other boundary", "iam:CreateRole", PARTNER_ROLE, OTHER_BOUNDARY),
            cfn("inline without boundary", "iam:PutRolePolicy", PARTNER_ROLE),
            cfn("outside the path", "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/admin", BOUNDARY_ARN),
            cfn("silo role", "iam:PutRolePolicy", ADMIN_ROLE, BOUNDARY_ARN),
            cfn("remove boundary", "iam:DeleteRolePermissionsBoundary", PARTNER_ROLE),
            cfn("replace boundary", "iam:PutRolePermissionsBoundary", PARTNER_ROLE, OTHER_BOUNDARY),
            cfn("managed policy", "iam:AttachRolePolicy", PARTNER_ROLE, BOUNDARY_ARN),
            cfn("re-trust", "iam:UpdateAssumeRolePolicy", PARTNER_ROLE),
            cfn("edit boundary", "iam:CreatePolicyVersion", BOUNDARY_ARN),
        ]
    )
    assert got == {
        "with boundary": ALLOWED,
        "inline with boundary": ALLOWED,
        "tag": ALLOWED,
        "delete": ALLOWED,
        # Explicit since issue 20: the role holds the invariant of every role creator
        # (silolake.policy.bounded; tests/iam/test_bounded_principals.py).
        "without boundary": EXPLICIT,
        "other boundary": EXPLICIT,
        "inline without boundary": IMPLICIT,
        "outside the path": EXPLICIT,
        "silo role": EXPLICIT,
        "remove boundary": EXPLICIT,
        "replace boundary": EXPLICIT,
        "managed policy": EXPLICIT,
        "re-trust": EXPLICIT,
        "edit boundary": EXPLICIT,
    }


def test_admin_function_cannot_create_a_role_and_only_stacks_through_the_service_role(delivered: Delivery) -> None:
    statements = role_policy(delivered, "partner-admin")["Statement"]

    def admin(name: str, action: str, resource: str, **context: str) -> dict[str, Any]:
        return case(name, ADMIN_ROLE, action, resource, identityPolicies=[document(statements)], context=context)

    got = decide(
        [
            admin("stack via role", "cloudformation:CreateStack", STACKS, **{"cloudformation:RoleArn": CFN_ROLE}),
            admin(
                "pass service role", "iam:PassRole", CFN_ROLE, **{"iam:PassedToService": "cloudformation.amazonaws.com"}
            ),
            admin("stack as itself", "cloudformation:CreateStack", STACKS),
            admin(
                "stack via other role", "cloudformation:CreateStack", STACKS, **{"cloudformation:RoleArn": DEPLOY_ROLE}
            ),
            admin(
                "other stack",
                "cloudformation:CreateStack",
                f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/anything/0a1b2c3d-0000-4000-8000-000000000000",
                **{"cloudformation:RoleArn": CFN_ROLE},
            ),
            admin(
                "pass other role",
                "iam:PassRole",
                DEPLOY_ROLE,
                **{"iam:PassedToService": "cloudformation.amazonaws.com"},
            ),
            admin("role with boundary", "iam:CreateRole", PARTNER_ROLE, **{"iam:PermissionsBoundary": BOUNDARY_ARN}),
            admin("role without boundary", "iam:CreateRole", PARTNER_ROLE),
            admin("inline policy", "iam:PutRolePolicy", PARTNER_ROLE),
        ]
    )
    allowed = {"stack via role", "pass service role"}
    assert got == {name: ALLOWED if name in allowed else IMPLICIT for name in got}


def test_scps_leave_partner_roles_to_cloudformation_and_the_boundary_to_terraform(delivered: Delivery) -> None:
    """The SCPs the org stack attaches to the Silos OU, as delivered."""
    scps = delivered.scps("Silos")
    admin_everything = [WIDE_OPEN]

    def org(name: str, principal: str, action: str, resource: str) -> dict[str, Any]:
        return case(
            name,
            principal,
            action,
            resource,
            identityPolicies=admin_everything,
            scps=scps,
            context={"aws:RequestedRegion": REGION},
        )

    got = decide(
        [
            org("cfn creates partner role", CFN_ROLE, "iam:CreateRole", PARTNER_ROLE),
            org("cfn edits boundary", CFN_ROLE, "iam:CreatePolicyVersion", BOUNDARY_ARN),
            org("admin sets default version", ADMIN_ROLE, "iam:SetDefaultPolicyVersion", BOUNDARY_ARN),
            org("cfn deletes boundary", CFN_ROLE, "iam:DeletePolicy", BOUNDARY_ARN),
            org("cfn edits its own role", CFN_ROLE, "iam:PutRolePolicy", CFN_ROLE),
            org("deploy role edits boundary", DEPLOY_ROLE, "iam:CreatePolicyVersion", BOUNDARY_ARN),
        ]
    )
    assert got == {
        "cfn creates partner role": ALLOWED,
        "cfn edits boundary": EXPLICIT,
        "admin sets default version": EXPLICIT,
        "cfn deletes boundary": EXPLICIT,
        "cfn edits its own role": EXPLICIT,
        "deploy role edits boundary": ALLOWED,
    }


def test_session_function_assumes_partner_roles_only(delivered: Delivery) -> None:
    """The session function's role as delivered: partner roles (with source identity) and nothing else."""
    session = f"arn:aws:iam::{ACCOUNT}:role/{names.silo_role('sales', 'partner-session')}"
    policy = role_policy(delivered, "partner-session")
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:silolake/partner/bob-AbCdEf"

    def fn(name: str, action: str, resource: str) -> dict[str, Any]:
        return case(name, session, action, resource, identityPolicies=[policy])

    got = decide(
        [
            fn("assume partner role", "sts:AssumeRole", PARTNER_ROLE),
            fn("source identity", "sts:SetSourceIdentity", PARTNER_ROLE),
            fn("read credential", "secretsmanager:GetSecretValue", secret),
            fn("assume admin role", "sts:AssumeRole", ADMIN_ROLE),
            fn("assume cfn role", "sts:AssumeRole", CFN_ROLE),
            fn("assume deploy role", "sts:AssumeRole", DEPLOY_ROLE),
            fn("write credential", "secretsmanager:PutSecretValue", secret),
            fn("create role", "iam:CreateRole", PARTNER_ROLE),
        ]
    )
    allowed = {"assume partner role", "source identity", "read credential"}
    assert got == {name: ALLOWED if name in allowed else IMPLICIT for name in got}
