"""Issue 20, items 2, 4 and 5: one way to publish; state, audit trail and malware hold kept;
``transfer:TestIdentityProvider`` for the deploy role only.

Proved with the IAM engine on the policies as Terraform delivers them (``example_delivery``):
the SCPs of the org stack at their levels (root, DataLake OU, Silos OU), the datalake
account's roles and the publisher's trust, the silo pipeline's boundary. Attackers hold
everything their own identity policy can hold (``Action: *``): a datalake administrator, a
silo administrator, the silo pipeline's build role (``AdministratorAccess`` and its
boundary), the GitHub plan role, and a look-alike of the deploy role on another IAM path.

Principals are role ARNs with their IAM path, not sessions: for an assumed-role session the
engine's harness derives ``aws:PrincipalArn`` from the session ARN, which carries no path
(``simulate.mjs``, ``principalArnFor``), whereas AWS reports the role's ARN with its path; a
session of ``role/impostor/<deploy role>`` would look like the deploy role there.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from silolake.aws import delivery_names, names, partner_access_names
from silolake.policy import chain
from silolake.policy.documents import document

from ..delivered import Delivery
from .iam_sim import simulate

pytestmark = pytest.mark.slow

DATALAKE, SALES = "222222222222", "444444444444"
REGION = "eu-west-1"
DEPLOY = "OrganizationAccountAccessRole"
WIDE_OPEN = document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
FULL_ACCESS = WIDE_OPEN
ALLOWED, DENIED = "Allowed", "ExplicitlyDenied"
RELEASE = delivery_names.release_name("acme")
PROJECT = f"arn:aws:codebuild:{REGION}:{DATALAKE}:project/{RELEASE}"
PIPELINE = f"arn:aws:codepipeline:{REGION}:{DATALAKE}:{RELEASE}"
PUBLISHER = f"arn:aws:iam::{DATALAKE}:role/{names.datalake_role('publisher')}"
STATE = names.state_bucket("acme-tfstate", SALES, REGION)


def role(account: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account}:role{path}{name}"


@pytest.fixture(scope="module")
def scps(example_delivery: Delivery) -> dict[str, dict]:
    """The delivered SCPs of the org stack, by name."""
    return {
        p["name"]: json.loads(p["content"])
        for p in example_delivery.resources("org", "aws_organizations_policy").values()
    }


def levels(scps: dict[str, dict], account: str) -> list[dict[str, Any]]:
    """Root, DataLake OU and (for a silo account) Silos OU, each with FullAWSAccess as AWS attaches it."""
    out = [
        {"orgIdentifier": "r-acme", "policies": [FULL_ACCESS]},
        {"orgIdentifier": "ou-acme-datalake", "policies": [FULL_ACCESS, scps[names.scp_name("chain", "datalake")]]},
    ]
    if account == SALES:
        silos = [scps[names.scp_name(k)] for k in ("baseline", "regions")]
        out.append({"orgIdentifier": "ou-acme-silos", "policies": [FULL_ACCESS, *silos]})
    return out


@dataclasses.dataclass(frozen=True)
class Who:
    arn: str
    account: str
    identity: list[dict]
    boundaries: list[dict] = dataclasses.field(default_factory=list)


def decide(scps: dict[str, dict], cases: dict[str, tuple[Who, str, str, dict[str, Any]]]) -> dict[str, str]:
    """``{name: (who, action, resource, extra case fields)}`` -> ``{name: decision}``."""
    batch = []
    for name, (who, action, resource, extra) in cases.items():
        context = {"aws:SecureTransport": "true", "aws:RequestedRegion": REGION, **extra.pop("context", {})}
        batch.append(
            {
                "name": name,
                "principal": who.arn,
                "action": action,
                "resource": resource,
                "resourceAccount": extra.pop("resourceAccount", who.account),
                "identityPolicies": who.identity,
                "permissionBoundaries": who.boundaries,
                "scpLevels": levels(scps, who.account),
                "context": context,
                **extra,
            }
        )
    return {r["name"]: r["decision"] for r in simulate(batch)}


def inline(delivered: Delivery, stack: str, role_name: str) -> dict:
    return delivered.policy(stack, "aws_iam_role_policy", role=role_name)


def trust(delivered: Delivery, stack: str, role_name: str, account: str = DATALAKE) -> dict:
    """A role's trust as delivered, with references to the stack's roles' ARNs resolved
    (``tfref:aws_iam_role.<id>.arn`` is the ARN of that role's literal name)."""
    text = json.dumps(delivered.policy(stack, "aws_iam_role", "assume_role_policy", name=role_name))
    for logical, body in delivered.resources(stack, "aws_iam_role").items():
        text = text.replace(f"tfref:aws_iam_role.{logical}.arn", role(account, body["name"]))
    return json.loads(text)


# -- one way to publish ---------------------------------------------------------------------------


def test_only_the_release_pipeline_publishes(example_delivery: Delivery, scps: dict[str, dict]) -> None:
    admin = Who(role(DATALAKE, "datalake-admin"), DATALAKE, [WIDE_OPEN])
    lookalike = Who(role(DATALAKE, DEPLOY, "/impostor/"), DATALAKE, [WIDE_OPEN])
    publisher_trust = trust(example_delivery, "datalake", names.datalake_role("publisher"))
    attacks = {
        "StartBuild with a buildspec override": (
            "codebuild:StartBuild",
            PROJECT,
            {"context": {"codebuild:source.buildspec": "evil.yml"}},
        ),
        "StartBuildBatch": ("codebuild:StartBuildBatch", PROJECT, {}),
        "RetryBuild": ("codebuild:RetryBuild", PROJECT, {}),
        "UpdateProject": ("codebuild:UpdateProject", PROJECT, {}),
        "StartPipelineExecution (source revision override)": ("codepipeline:StartPipelineExecution", PIPELINE, {}),
        "UpdatePipeline (another branch)": ("codepipeline:UpdatePipeline", PIPELINE, {}),
        "RollbackStage": ("codepipeline:RollbackStage", f"{PIPELINE}/BuildAndPublish", {}),
        "re-trust the publisher": ("iam:UpdateAssumeRolePolicy", PUBLISHER, {}),
        "widen the publisher": ("iam:PutRolePolicy", PUBLISHER, {}),
        "widen the release build": (
            "iam:AttachRolePolicy",
            role(DATALAKE, names.datalake_role("release-build")),
            {"context": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}},
        ),
        "assume the publisher": ("sts:AssumeRole", PUBLISHER, {"resourcePolicy": publisher_trust}),
    }
    cases = {
        f"{who_name}: {what}": (who, action, resource, dict(extra))
        for who_name, who in (("datalake admin", admin), ("look-alike deploy role", lookalike))
        for what, (action, resource, extra) in attacks.items()
    }
    got = decide(scps, cases)
    assert got == {name: DENIED for name in cases}, {k: v for k, v in got.items() if v != DENIED}


def test_the_release_pipeline_and_the_deploy_role_still_publish(
    example_delivery: Delivery, scps: dict[str, dict]
) -> None:
    pipeline_role = names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES["pipeline"])
    build_role = names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES["build"])
    pipeline = Who(role(DATALAKE, pipeline_role), DATALAKE, [inline(example_delivery, "datalake", pipeline_role)])
    build = Who(role(DATALAKE, build_role), DATALAKE, [inline(example_delivery, "datalake", build_role)])
    events = Who(
        role(DATALAKE, names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES["events"])), DATALAKE, [WIDE_OPEN]
    )
    deploy = Who(role(DATALAKE, DEPLOY), DATALAKE, [WIDE_OPEN])
    publisher_trust = trust(example_delivery, "datalake", names.datalake_role("publisher"))
    cases = {
        "release pipeline starts its build": (pipeline, "codebuild:StartBuild", PROJECT, {}),
        "release build assumes the publisher": (
            build,
            "sts:AssumeRole",
            PUBLISHER,
            {"resourcePolicy": publisher_trust},
        ),
        "S3 source events start the pipeline": (events, "codepipeline:StartPipelineExecution", PIPELINE, {}),
        "deploy role updates the pipeline": (deploy, "codepipeline:UpdatePipeline", PIPELINE, {}),
        "deploy role updates the project": (deploy, "codebuild:UpdateProject", PROJECT, {}),
        "deploy role re-trusts the publisher": (deploy, "iam:UpdateAssumeRolePolicy", PUBLISHER, {}),
    }
    got = decide(scps, cases)
    assert got == {name: ALLOWED for name in cases}


# -- state, audit trail, malware hold, identity provider test --------------------------------------


def _protected() -> dict[str, tuple[str, str, dict[str, Any]]]:
    logs = f"arn:aws:logs:{REGION}:{SALES}:log-group:"
    admin_logs = names.lambda_log_group(partner_access_names.partner_function("acme", "sales", "admin"))
    return {
        "delete a state version": ("s3:DeleteObjectVersion", f"arn:aws:s3:::{STATE}/silolake/silo-sales.tfstate", {}),
        "suspend state versioning": ("s3:PutBucketVersioning", f"arn:aws:s3:::{STATE}", {}),
        "rewrite the state bucket policy": ("s3:PutBucketPolicy", f"arn:aws:s3:::{STATE}", {}),
        "delete the state bucket": ("s3:DeleteBucket", f"arn:aws:s3:::{STATE}", {}),
        "delete the partner admin's audit log": ("logs:DeleteLogGroup", f"{logs}{admin_logs}", {}),
        "shorten the SFTP log": (
            "logs:PutRetentionPolicy",
            logs + partner_access_names.transfer_log_group(partner_access_names.partner_sftp_server("acme", "sales")),
            {},
        ),
        "delete the malware hold": (
            "guardduty:DeleteMalwareProtectionPlan",
            f"arn:aws:guardduty:{REGION}:{SALES}:malware-protection-plan/a1b2c3",
            {},
        ),
        "switch the hold's tagging off": (
            "guardduty:UpdateMalwareProtectionPlan",
            f"arn:aws:guardduty:{REGION}:{SALES}:malware-protection-plan/a1b2c3",
            {},
        ),
        "rewrite what the pipeline last applied": (
            "ssm:PutParameter",
            f"arn:aws:ssm:{REGION}:{SALES}:parameter{delivery_names.silo_pipeline_applied_parameter('sales')}",
            {},
        ),
        "test the identity provider from a spoofed IP": (
            "transfer:TestIdentityProvider",
            f"arn:aws:transfer:{REGION}:{SALES}:user/s-0123456789abcdef0/bob",
            {},
        ),
    }


def test_state_audit_hold_and_sign_in_tests_are_the_deploy_roles(
    example_delivery: Delivery, scps: dict[str, dict]
) -> None:
    boundary = example_delivery.policy(
        SALES_STACK, "aws_iam_policy", name=delivery_names.silo_pipeline_boundary("sales")
    )
    plan_role = inline(example_delivery, SALES_STACK, delivery_names.GITHUB_PLAN_ROLE)
    read_only = document(
        [{"Effect": "Allow", "Action": ["transfer:Describe*", "transfer:List*", "transfer:Test*"], "Resource": "*"}]
    )
    pipeline = Who(role(SALES, names.silo_role("sales", "pipeline")), SALES, [WIDE_OPEN], [boundary])
    attackers = {
        "silo admin": Who(role(SALES, "silo-admin"), SALES, [WIDE_OPEN]),
        "pipeline build role": pipeline,
        "plan role": Who(role(SALES, delivery_names.GITHUB_PLAN_ROLE), SALES, [read_only, plan_role]),
        "look-alike deploy role": Who(role(SALES, DEPLOY, "/impostor/"), SALES, [WIDE_OPEN]),
    }
    deploy = Who(role(SALES, DEPLOY), SALES, [WIDE_OPEN])
    cases = {}
    for what, (action, resource, extra) in _protected().items():
        for who_name, who in attackers.items():
            if who_name == "plan role" and action != chain.IDENTITY_PROVIDER_TEST:
                continue  # read-only: it holds no write action anyway
            cases[f"{who_name}: {what}"] = (who, action, resource, dict(extra))
        cases[f"deploy role: {what}"] = (deploy, action, resource, dict(extra))
    # The one writer of the rollback refusal's record besides the deploy role: the pipeline's apply.
    cases["pipeline build role: rewrite what the pipeline last applied"] = (
        pipeline,
        *_protected()["rewrite what the pipeline last applied"],
    )
    got = decide(scps, cases)
    allowed = {"pipeline build role: rewrite what the pipeline last applied"}
    expected = {name: ALLOWED if name.startswith("deploy role:") or name in allowed else DENIED for name in cases}
    assert got == expected, {k: v for k, v in got.items() if v != expected[k]}


SALES_STACK = "silo-sales"


def test_chain_scp_fits_in_the_worst_case(example_catalog) -> None:
    """Longest deploy role name (64), organization name (12) and state prefix (24)."""
    from silolake.policy import scp

    org = dataclasses.replace(
        example_catalog.organization,
        deploy_role_name="r" * names.IAM_ROLE_MAX,
        name="o" * 12,
        state_bucket_prefix="p" * 24,
    )
    worst = dataclasses.replace(example_catalog, organization=org)
    text = scp.render(chain.chain_scp(worst))
    assert len(text) <= scp.SCP_MAX_CHARS
    assert len(text) <= 5010, len(text)  # chain.chain_scp's docstring states 5,010
