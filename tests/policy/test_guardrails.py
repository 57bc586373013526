"""Service control policies of the silos OU: size limits and offline evaluation.

Size limits read the documents the catalog yields (``silolake.policy.scp``); the offline
evaluation reads the SCPs the org stack attaches to the Silos OU, as Terraform delivers them
(``example_delivery``).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from silolake.aws import names
from silolake.catalog import Catalog
from silolake.policy import scp
from tests.iam.iam_sim import simulate

# Every commercial region at the time of writing (plus GovCloud): the largest
# allowed_regions list a real catalog can have.
ALL_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
)

SILO = "444444444444"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def with_org(catalog: Catalog, **changes) -> Catalog:
    return dataclasses.replace(catalog, organization=dataclasses.replace(catalog.organization, **changes))


def statements(doc: dict) -> dict[str, dict]:
    return {s["Sid"]: s for s in doc["Statement"]}


def test_example_scps_fit_the_aws_size_limit(example_catalog):
    docs = scp.silo_scps(example_catalog)
    assert set(docs) == {"baseline", "regions"}
    for doc in docs.values():
        assert len(scp.render(doc)) <= scp.SCP_MAX_CHARS


def test_scps_fit_with_every_region_and_longest_role_name(example_catalog):
    catalog = with_org(example_catalog, allowed_regions=ALL_REGIONS, deploy_role_name="r" * names.IAM_ROLE_MAX)
    for kind, doc in scp.silo_scps(catalog).items():
        text = scp.render(doc)
        assert len(text) <= scp.SCP_MAX_CHARS, kind
    regions = statements(scp.region_scp(catalog))["DenyOutsideAllowedRegions"]
    assert regions["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == sorted(ALL_REGIONS)


def test_render_refuses_an_oversized_policy(example_catalog):
    fake = tuple(f"xx-region{i:04d}-1" for i in range(400))
    with pytest.raises(ValueError, match="over the AWS limit of 5120"):
        scp.render(scp.region_scp(with_org(example_catalog, allowed_regions=fake)))


def test_render_is_minified_and_stable(example_catalog):
    doc = scp.baseline_scp(example_catalog)
    text = scp.render(doc)
    assert json.loads(text) == doc
    assert ": " not in text and ", " not in text and "\n" not in text
    assert text == scp.render(json.loads(text))


def test_region_guard_exempts_global_services_but_not_kms(example_catalog):
    stmt = statements(scp.region_scp(example_catalog))["DenyOutsideAllowedRegions"]
    assert stmt["Effect"] == "Deny" and stmt["Resource"] == "*" and "Action" not in stmt
    for global_service in (
        "iam:*",
        "organizations:*",
        "sts:*",
        "route53:*",
        "cloudfront:*",
        "support:*",
        "budgets:*",
        "ce:*",
        "health:*",
        "globalaccelerator:*",
        "waf:*",
        "wafv2:*",
    ):
        assert global_service in stmt["NotAction"]
    assert not any(
        a.startswith(("kms:", "acm:", "s3:Put", "s3:Get", "glue:"))
        and a not in ("s3:GetAccountPublic*", "s3:PutAccountPublic*")
        for a in stmt["NotAction"]
    )
    assert stmt["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}}


def test_role_protection_scopes_and_exempts_only_the_deploy_role(example_catalog):
    stmt = statements(scp.baseline_scp(example_catalog))["ProtectSilolakeRoles"]
    deploy = "arn:aws:iam::*:role/OrganizationAccountAccessRole"
    assert stmt["Resource"] == [deploy, "arn:aws:iam::*:role/silolake-*-*"]
    assert stmt["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": deploy}}
    assert {
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
        "iam:DetachRolePolicy",
        "iam:DeleteRolePolicy",
    } <= set(stmt["Action"])
    assert not any("*" in a for a in stmt["Action"])


def test_no_scp_requires_the_sse_header(example_catalog):
    # Firehose, Transfer and Glue write without it and rely on bucket default encryption.
    for doc in scp.silo_scps(example_catalog).values():
        assert "x-amz-server-side-encryption" not in scp.render(doc)
        assert "s3:PutObject" not in json.dumps(doc)


# -- offline evaluation ---------------------------------------------------------------


def role(name: str, account: str = SILO) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def case(name: str, principal: str, action: str, resource: str, region: str, scps: list[dict]) -> dict:
    """A principal with AdministratorAccess-like rights: only the SCPs can deny."""
    return {
        "name": name,
        "principal": principal,
        "action": action,
        "resource": resource,
        "resourceAccount": SILO,
        "identityPolicies": [ADMIN_POLICY],
        "scps": scps,
        "context": {"aws:RequestedRegion": region},
    }


@pytest.fixture(scope="module")
def sim_decisions(example_catalog, example_delivery) -> dict[str, str]:
    """The SCPs the org stack attaches to the Silos OU, as Terraform delivers them."""
    scps = example_delivery.scps("Silos")
    assert len(scps) == len(scp.silo_scps(example_catalog))
    deploy = role(example_catalog.organization.deploy_role_name)
    pipeline = role(names.silo_role("sales", "pipeline"))
    admin = role("Admin")
    obj = "arn:aws:s3:::acme-sales-raw-444444444444-euw1/x.json"
    cases = [
        ("put_outside_regions", admin, "s3:PutObject", obj, "us-east-1"),
        ("put_in_allowed_region", admin, "s3:PutObject", obj, "eu-west-1"),
        ("kms_key_outside_regions", deploy, "kms:CreateKey", "*", "ap-south-1"),
        ("create_app_role_global", admin, "iam:CreateRole", role("app-role"), "us-east-1"),
        ("assume_role_global", admin, "sts:AssumeRole", role("app-role"), "us-east-1"),
        ("leave_org_admin", admin, "organizations:LeaveOrganization", "*", "us-east-1"),
        ("leave_org_deploy", deploy, "organizations:LeaveOrganization", "*", "us-east-1"),
        (
            "stop_logging",
            deploy,
            "cloudtrail:StopLogging",
            f"arn:aws:cloudtrail:eu-west-1:{SILO}:trail/org",
            "eu-west-1",
        ),
        ("lookup_events", admin, "cloudtrail:LookupEvents", "*", "eu-west-1"),
        ("deploy_edits_itself", deploy, "iam:PutRolePolicy", deploy, "us-east-1"),
        ("deploy_edits_pipeline", deploy, "iam:AttachRolePolicy", pipeline, "us-east-1"),
        ("admin_edits_pipeline", admin, "iam:AttachRolePolicy", pipeline, "us-east-1"),
        ("admin_retrusts_deploy", admin, "iam:UpdateAssumeRolePolicy", deploy, "us-east-1"),
        ("admin_deletes_deploy", admin, "iam:DeleteRole", deploy, "us-east-1"),
        ("admin_creates_lookalike", admin, "iam:CreateRole", role("silolake-evil-pipeline"), "us-east-1"),
        ("admin_edits_app_role", admin, "iam:AttachRolePolicy", role("app-role"), "us-east-1"),
        ("pipeline_edits_itself", pipeline, "iam:PutRolePolicy", pipeline, "us-east-1"),
    ]
    return {r["name"]: r["decision"] for r in simulate([case(*c, scps) for c in cases])}


@pytest.mark.parametrize(
    ("name", "decision"),
    [
        ("put_outside_regions", "ExplicitlyDenied"),
        ("put_in_allowed_region", "Allowed"),
        ("kms_key_outside_regions", "ExplicitlyDenied"),
        ("create_app_role_global", "Allowed"),
        ("assume_role_global", "Allowed"),
        ("leave_org_admin", "ExplicitlyDenied"),
        ("leave_org_deploy", "ExplicitlyDenied"),
        ("stop_logging", "ExplicitlyDenied"),
        ("lookup_events", "Allowed"),
        ("deploy_edits_itself", "Allowed"),
        ("deploy_edits_pipeline", "Allowed"),
        ("admin_edits_pipeline", "ExplicitlyDenied"),
        ("admin_retrusts_deploy", "ExplicitlyDenied"),
        ("admin_deletes_deploy", "ExplicitlyDenied"),
        ("admin_creates_lookalike", "ExplicitlyDenied"),
        ("admin_edits_app_role", "Allowed"),
        ("pipeline_edits_itself", "ExplicitlyDenied"),
    ],
)
def test_scps_evaluated_offline(sim_decisions, name, decision):
    assert sim_decisions[name] == decision
