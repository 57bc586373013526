"""Issue 20, the last holes of the delivery chain: who steers a pipeline, who writes its store,
who may assume what a silo pipeline creates.

Proved with the IAM engine on the policies as Terraform delivers them (``example_delivery``):
the org stack's SCPs at their levels (root, DataLake OU with ``chain`` and ``pipelines``, Silos
OU) and its RCP (Silos OU), the silo pipeline's boundary and roles, the release roles. Attackers
hold everything their own identity policy can hold (``Action: *``). Each attack here was allowed
before the ``pipelines`` SCP and the ``trust`` RCP existed (the first two tests find no DataLake
SCP named ``pipelines`` then, the last no RCP).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from silolake.aws import delivery_names, names
from silolake.policy import pipelines, scp
from silolake.policy.documents import document

from ..delivered import Delivery
from .iam_sim import simulate
from .test_chain_guardrails import DATALAKE, DEPLOY, SALES, WIDE_OPEN, Who, inline, role

pytestmark = pytest.mark.slow

ALLOWED, DENIED = "Allowed", "ExplicitlyDenied"
OUTSIDER = "999999999999"  # an account outside the organization
FULL_ACCESS = WIDE_OPEN
SILO_STACK = "silo-sales"


@dataclasses.dataclass(frozen=True)
class Lake:
    """The delivered org policies and the example's names the attacks aim at."""

    scps: dict[str, dict]
    rcps: dict[str, dict]
    region: str  # the artifacts bucket's: every pipeline lives there
    store: str  # the sales pipeline's artifact store
    release_store: str
    artifacts: str
    state: str  # the sales account's state bucket
    #: The new policies left out: what the attacks met before them (``pipelines`` SCP, ``trust`` RCP).
    bare: bool = False

    def pipeline(self, stage: str = "") -> str:
        arn = f"arn:aws:codepipeline:{self.region}:{SALES}:{delivery_names.silo_pipeline('sales')}"
        return f"{arn}/{stage}" if stage else arn

    def project(self, stage: str) -> str:
        return f"arn:aws:codebuild:{self.region}:{SALES}:project/{delivery_names.silo_build_project('sales', stage)}"


@pytest.fixture(scope="module")
def lake(example_delivery: Delivery) -> Lake:
    policies = example_delivery.resources("org", "aws_organizations_policy").values()
    by_type = {
        t: {p["name"]: json.loads(p["content"]) for p in policies if p["type"] == t}
        for t in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
    }
    [pipeline] = example_delivery.resources(SILO_STACK, "aws_codepipeline").values()
    datalake = example_delivery.catalog.datalake
    return Lake(
        scps=by_type["SERVICE_CONTROL_POLICY"],
        rcps=by_type["RESOURCE_CONTROL_POLICY"],
        region=datalake.region,
        store=pipeline["artifact_store"][0]["location"],
        release_store=names.account_bucket("acme", "release", DATALAKE, datalake.region),
        artifacts=names.account_bucket("acme", "artifacts", DATALAKE, datalake.region),
        state=names.state_bucket(
            example_delivery.catalog.organization.state_bucket_prefix,
            SALES,
            example_delivery.catalog.silo("sales").region,
        ),
    )


def scp_levels(lake: Lake, account: str) -> list[dict[str, Any]]:
    """Root, DataLake OU and (for a silo account) Silos OU, each with FullAWSAccess as AWS attaches it."""
    datalake = [lake.scps[names.scp_name(k, "datalake")] for k in ("chain", "pipelines")[: 1 if lake.bare else 2]]
    out = [
        {"orgIdentifier": "r-acme", "policies": [FULL_ACCESS]},
        {"orgIdentifier": "ou-acme-datalake", "policies": [FULL_ACCESS, *datalake]},
    ]
    if account == SALES:
        silos = [lake.scps[names.scp_name(k)] for k in ("baseline", "regions")]
        out.append({"orgIdentifier": "ou-acme-silos", "policies": [FULL_ACCESS, *silos]})
    return out


def rcp_levels(lake: Lake, account: str) -> list[dict[str, Any]]:
    """The RCPs of the resource's account by level (the engine stands in for RCPFullAWSAccess:
    it accepts no Allow in an RCP, as AWS accepts none but that one)."""
    out: list[dict[str, Any]] = [
        {"orgIdentifier": "r-acme", "policies": []},
        {"orgIdentifier": "ou-acme-datalake", "policies": []},
    ]
    if account == SALES:
        trust = [] if lake.bare else [lake.rcps[names.scp_name("trust")]]
        out.append({"orgIdentifier": "ou-acme-silos", "policies": trust})
    return out


Case = tuple[Who, str, str, dict[str, Any]]


def decide(lake: Lake, cases: dict[str, Case]) -> dict[str, str]:
    """``{name: (who, action, resource, extra case fields)}`` -> ``{name: decision}``."""
    batch = []
    for name, (who, action, resource, extra) in cases.items():
        extra = dict(extra)
        resource_account = extra.pop("resourceAccount", who.account)
        context = {"aws:SecureTransport": "true", "aws:RequestedRegion": lake.region, **extra.pop("context", {})}
        case = {
            "name": name,
            "principal": who.arn,
            "action": action,
            "resource": resource,
            "resourceAccount": resource_account,
            "identityPolicies": who.identity,
            "permissionBoundaries": who.boundaries,
            "rcpLevels": rcp_levels(lake, resource_account),
            "context": context,
            **extra,
        }
        if who.account in (DATALAKE, SALES):  # SCPs govern the organization's principals only
            case["scpLevels"] = scp_levels(lake, who.account)
        batch.append(case)
    return {r["name"]: r["decision"] for r in simulate(batch)}


# -- 1. a silo administrator does not steer its pipeline -------------------------------------------


def _silo_attacks(lake: Lake) -> dict[str, tuple[str, str, dict[str, Any]]]:
    project_logs = delivery_names.codebuild_log_group(delivery_names.silo_pipeline("sales"))
    logs = f"arn:aws:logs:{lake.region}:{SALES}:log-group:{project_logs}"
    passed = {"context": {"iam:PassedToService": "codebuild.amazonaws.com"}}
    return {
        "StartBuild apply with a buildspec override": (
            "codebuild:StartBuild",
            lake.project("apply"),
            {"context": {"codebuild:source.buildspec": "evil.yml"}},
        ),
        "StartBuild plan": ("codebuild:StartBuild", lake.project("plan"), {}),
        "RetryBuild apply": ("codebuild:RetryBuild", lake.project("apply"), {}),
        "StartBuildBatch apply": ("codebuild:StartBuildBatch", lake.project("apply"), {}),
        "UpdateProject plan": ("codebuild:UpdateProject", lake.project("plan"), {}),
        "make the plan project's logs public": ("codebuild:UpdateProjectVisibility", lake.project("plan"), {}),
        "PutObject a forged plan into the store": (
            "s3:PutObject",
            f"arn:aws:s3:::{lake.store}/{delivery_names.silo_pipeline('sales')}/planned/abc.zip",
            {},
        ),
        "ReplicateObject a forged plan into the store": (
            "s3:ReplicateObject",
            f"arn:aws:s3:::{lake.store}/{delivery_names.silo_pipeline('sales')}/planned/abc.zip",
            {},
        ),
        "RetryStageExecution of the apply": ("codepipeline:RetryStageExecution", lake.pipeline("Apply"), {}),
        "share the state bucket by ACL": ("s3:PutBucketAcl", f"arn:aws:s3:::{lake.state}", {}),
        "replicate the state elsewhere": ("s3:PutReplicationConfiguration", f"arn:aws:s3:::{lake.state}", {}),
        "PutBucketPolicy on the store (admit an outsider)": ("s3:PutBucketPolicy", f"arn:aws:s3:::{lake.store}", {}),
        "PassRole the pipeline role": (
            "iam:PassRole",
            role(SALES, names.silo_role("sales", "pipeline")),
            passed,
        ),
        "PassRole the release-pipeline role": (
            "iam:PassRole",
            role(SALES, names.silo_role("sales", "release-pipeline")),
            {"context": {"iam:PassedToService": "codepipeline.amazonaws.com"}},
        ),
        "OverrideStageCondition": ("codepipeline:OverrideStageCondition", lake.pipeline("Apply"), {}),
        "RollbackStage to an older plan": ("codepipeline:RollbackStage", lake.pipeline("Apply"), {}),
        "UpdatePipeline": ("codepipeline:UpdatePipeline", lake.pipeline(), {}),
        "DeleteLogGroup of the plan log": ("logs:DeleteLogGroup", logs, {}),
        "rewrite the applied record": (
            "ssm:PutParameter",
            f"arn:aws:ssm:{lake.region}:{SALES}:parameter{delivery_names.silo_pipeline_applied_parameter('sales')}",
            {},
        ),
    }


def test_a_silo_administrator_cannot_steer_its_pipeline(example_delivery: Delivery, lake: Lake) -> None:
    attackers = {
        "silo admin": Who(role(SALES, "silo-admin"), SALES, [WIDE_OPEN]),
        "look-alike deploy role": Who(role(SALES, DEPLOY, "/impostor/"), SALES, [WIDE_OPEN]),
    }
    cases: dict[str, Case] = {
        f"{who_name}: {what}": (who, action, resource, extra)
        for who_name, who in attackers.items()
        for what, (action, resource, extra) in _silo_attacks(lake).items()
    }
    # The build role runs the bundle's plan: starting the apply itself would skip the approval.
    boundary = example_delivery.policy(
        SILO_STACK, "aws_iam_policy", name=delivery_names.silo_pipeline_boundary("sales")
    )
    build = Who(role(SALES, names.silo_role("sales", "pipeline")), SALES, [WIDE_OPEN], [boundary])
    cases["pipeline build role: StartBuild apply (skips the approval)"] = (
        build,
        "codebuild:StartBuild",
        lake.project("apply"),
        {},
    )
    got = decide(lake, cases)
    assert got == {name: DENIED for name in cases}, {k: v for k, v in got.items() if v != DENIED}


def test_the_pipeline_its_reviewer_and_the_deploy_role_still_work(example_delivery: Delivery, lake: Lake) -> None:
    release_name = names.silo_role("sales", "release-pipeline")
    release = Who(role(SALES, release_name), SALES, [inline(example_delivery, SILO_STACK, release_name)])
    boundary = example_delivery.policy(
        SILO_STACK, "aws_iam_policy", name=delivery_names.silo_pipeline_boundary("sales")
    )
    build = Who(role(SALES, names.silo_role("sales", "pipeline")), SALES, [WIDE_OPEN], [boundary])
    admin = Who(role(SALES, "silo-admin"), SALES, [WIDE_OPEN])
    deploy = Who(role(SALES, DEPLOY), SALES, [WIDE_OPEN])
    artifact = f"arn:aws:s3:::{lake.store}/{delivery_names.silo_pipeline('sales')}/bundle/abc.zip"
    cases: dict[str, Case] = {
        "release pipeline starts the plan": (release, "codebuild:StartBuild", lake.project("plan"), {}),
        "release pipeline starts the apply": (release, "codebuild:StartBuild", lake.project("apply"), {}),
        "release pipeline stores the bundle": (release, "s3:PutObject", artifact, {}),
        "build role stores the saved plan": (build, "s3:PutObject", artifact, {}),
        "build role records what it applied": (
            build,
            "ssm:PutParameter",
            f"arn:aws:ssm:{lake.region}:{SALES}:parameter{delivery_names.silo_pipeline_applied_parameter('sales')}",
            {},
        ),
        "the silo's reviewer approves": (admin, "codepipeline:PutApprovalResult", lake.pipeline("Approve/Review"), {}),
    }
    for what, (action, resource, extra) in _silo_attacks(lake).items():
        cases[f"deploy role: {what}"] = (deploy, action, resource, extra)
    got = decide(lake, cases)
    assert got == {name: ALLOWED for name in cases}, {k: v for k, v in got.items() if v != ALLOWED}


# -- 2. a datalake administrator does not re-policy the artifacts or write the release store --------


def test_a_datalake_administrator_cannot_reach_the_artifacts_or_the_release_store(lake: Lake) -> None:
    attacks = {
        "PutBucketPolicy on the artifacts bucket": ("s3:PutBucketPolicy", f"arn:aws:s3:::{lake.artifacts}"),
        "DeleteBucketPolicy on the artifacts bucket": ("s3:DeleteBucketPolicy", f"arn:aws:s3:::{lake.artifacts}"),
        "PutBucketAcl on the artifacts bucket": ("s3:PutBucketAcl", f"arn:aws:s3:::{lake.artifacts}"),
        "suspend the artifacts bucket's versioning": ("s3:PutBucketVersioning", f"arn:aws:s3:::{lake.artifacts}"),
        "PutObject into the release store": ("s3:PutObject", f"arn:aws:s3:::{lake.release_store}/release/src/x.zip"),
        "ReplicateObject into the release store": (
            "s3:ReplicateObject",
            f"arn:aws:s3:::{lake.release_store}/release/src/x.zip",
        ),
        "RetryStageExecution of the release build": (
            "codepipeline:RetryStageExecution",
            f"arn:aws:codepipeline:{lake.region}:{DATALAKE}:{delivery_names.release_name('acme')}/BuildAndPublish",
        ),
        "PutBucketPolicy on the release store": ("s3:PutBucketPolicy", f"arn:aws:s3:::{lake.release_store}"),
        "DeleteLogGroup of the release build": (
            "logs:DeleteLogGroup",
            f"arn:aws:logs:{lake.region}:{DATALAKE}:log-group:{delivery_names.codebuild_log_group(delivery_names.release_name('acme'))}",
        ),
    }
    attackers = {
        "datalake admin": Who(role(DATALAKE, "datalake-admin"), DATALAKE, [WIDE_OPEN]),
        "look-alike deploy role": Who(role(DATALAKE, DEPLOY, "/impostor/"), DATALAKE, [WIDE_OPEN]),
    }
    cases: dict[str, Case] = {
        f"{who_name}: {what}": (who, action, resource, {})
        for who_name, who in attackers.items()
        for what, (action, resource) in attacks.items()
    }
    deploy = Who(role(DATALAKE, DEPLOY), DATALAKE, [WIDE_OPEN])
    expected = dict.fromkeys(cases, DENIED)
    for what, (action, resource) in attacks.items():
        cases[f"deploy role: {what}"] = (deploy, action, resource, {})
        expected[f"deploy role: {what}"] = ALLOWED
    for purpose in ("pipeline", "build"):  # the release source and build outputs
        name = names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES[purpose])
        who = Who(role(DATALAKE, name), DATALAKE, [WIDE_OPEN])
        cases[f"{name}: PutObject into the release store"] = (who, *attacks["PutObject into the release store"], {})
        expected[f"{name}: PutObject into the release store"] = ALLOWED
    got = decide(lake, cases)
    assert got == expected, {k: v for k, v in got.items() if v != expected[k]}


# -- 3. what a silo pipeline creates trusts only its own account -------------------------------------


def _trusting(principal: dict) -> dict:
    return document([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}])


def test_roles_a_silo_pipeline_creates_are_assumed_only_from_their_account(lake: Lake) -> None:
    created = role(SALES, "backdoor", delivery_names.silo_pipeline_role_path("sales"))
    other = role(SALES, "vendor-access")  # another workload's role: the RCP leaves it alone
    outsider = Who(role(OUTSIDER, "attacker"), OUTSIDER, [WIDE_OPEN])
    datalake_admin = Who(role(DATALAKE, "datalake-admin"), DATALAKE, [WIDE_OPEN])
    boundary_less_insider = Who(role(SALES, "silo-admin"), SALES, [WIDE_OPEN])

    def assume(who: Who, target: str, trusted: dict, service: bool = False) -> Case:
        context = {"aws:ResourceAccount": SALES, "aws:PrincipalIsAWSService": "true" if service else "false"}
        return (
            who,
            "sts:AssumeRole",
            target,
            {"resourceAccount": SALES, "resourcePolicy": _trusting(trusted), "context": context},
        )

    lambda_service = Who("lambda.amazonaws.com", SALES, [])
    cases = {
        "a GitHub token of any repository (web identity), trusted by it": _web_identity(created),
        "an outside account, trusted by a pipeline-made role": assume(
            outsider, created, {"AWS": account_root(OUTSIDER)}
        ),
        "another account of the organization, trusted by it": assume(
            datalake_admin, created, {"AWS": account_root(DATALAKE)}
        ),
        "the silo account itself": assume(boundary_less_insider, created, {"AWS": account_root(SALES)}),
        "an AWS service it trusts": assume(lambda_service, created, {"Service": "lambda.amazonaws.com"}, service=True),
        "an outside account, trusted by another workload's role": assume(
            outsider, other, {"AWS": account_root(OUTSIDER)}
        ),
    }
    got = decide(lake, cases)
    assert got == {
        "a GitHub token of any repository (web identity), trusted by it": DENIED,
        "an outside account, trusted by a pipeline-made role": DENIED,
        "another account of the organization, trusted by it": DENIED,
        "the silo account itself": ALLOWED,
        "an AWS service it trusts": ALLOWED,
        "an outside account, trusted by another workload's role": ALLOWED,
    }, got


def account_root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def _web_identity(target: str) -> Case:
    """``AssumeRoleWithWebIdentity`` through the account's GitHub OIDC provider, as AWS reports a
    federated caller: no principal account (``autoContext`` off), no service."""
    provider = f"arn:aws:iam::{SALES}:oidc-provider/{delivery_names.GITHUB_OIDC_HOST}"
    trust = document(
        [{"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity"}]
    )
    return (
        Who(provider, OUTSIDER, []),  # no account of the organization: no SCP applies
        "sts:AssumeRoleWithWebIdentity",
        target,
        {
            "resourceAccount": SALES,
            "resourcePolicy": trust,
            "autoContext": False,
            "context": {"aws:ResourceAccount": SALES, "aws:PrincipalIsAWSService": "false"},
        },
    )


# -- the attacks succeed without the new policies ---------------------------------------------------


def test_without_the_pipelines_scp_and_the_trust_rcp_the_attacks_succeed(
    example_delivery: Delivery, lake: Lake
) -> None:
    """The same requests with only the chain SCP and no RCP (the org stack before this change):
    allowed, but the applied record the chain already kept. So the new policies carry the denies."""
    bare = dataclasses.replace(lake, bare=True)
    admin = Who(role(SALES, "silo-admin"), SALES, [WIDE_OPEN])
    cases: dict[str, Case] = {
        what: (admin, action, resource, extra) for what, (action, resource, extra) in _silo_attacks(lake).items()
    }
    datalake_admin = Who(role(DATALAKE, "datalake-admin"), DATALAKE, [WIDE_OPEN])
    cases["datalake admin: PutBucketPolicy on the artifacts bucket"] = (
        datalake_admin,
        "s3:PutBucketPolicy",
        f"arn:aws:s3:::{lake.artifacts}",
        {},
    )
    cases["outsider assumes a pipeline-made role"] = (
        Who(role(OUTSIDER, "attacker"), OUTSIDER, [WIDE_OPEN]),
        "sts:AssumeRole",
        role(SALES, "backdoor", delivery_names.silo_pipeline_role_path("sales")),
        {
            "resourceAccount": SALES,
            "resourcePolicy": _trusting({"AWS": account_root(OUTSIDER)}),
            "context": {"aws:ResourceAccount": SALES, "aws:PrincipalIsAWSService": "false"},
        },
    )
    cases["a GitHub token assumes a pipeline-made role"] = _web_identity(
        role(SALES, "backdoor", delivery_names.silo_pipeline_role_path("sales"))
    )
    got = decide(bare, cases)
    expected = {name: DENIED if name == "rewrite the applied record" else ALLOWED for name in cases}
    assert got == expected, {k: v for k, v in got.items() if v != expected[k]}


# -- budgets --------------------------------------------------------------------------------------


def test_pipelines_scp_and_trust_rcp_fit_in_the_worst_case(example_catalog) -> None:
    """Longest deploy role name (64), organization name (12) and state bucket prefix (24, as the
    chain's worst case): sizes the docstrings state."""
    org = dataclasses.replace(
        example_catalog.organization,
        deploy_role_name="r" * names.IAM_ROLE_MAX,
        name="o" * 12,
        state_bucket_prefix="p" * 24,
    )
    worst = dataclasses.replace(example_catalog, organization=org)
    assert len(scp.policy.to_json(pipelines.pipelines_scp(example_catalog))) == 3944
    assert len(scp.render(pipelines.pipelines_scp(worst))) <= scp.SCP_MAX_CHARS
    assert len(scp.policy.to_json(pipelines.pipelines_scp(worst))) == 4370
    assert len(scp.policy.to_json(pipelines.trust_rcp("aws"))) == 398  # independent of the catalog


def test_the_datalake_ou_keeps_two_scp_slots_and_the_silos_ou_four_rcp_slots(example_delivery: Delivery) -> None:
    """Five policies of a type per target, the Full*Access one included (AWS Organizations quotas)."""
    assert len(example_delivery.scps("DataLake")) + 1 == 3
    rcps = [
        p
        for p in example_delivery.resources("org", "aws_organizations_policy").values()
        if p["type"] == "RESOURCE_CONTROL_POLICY"
    ]
    assert [p["name"] for p in rcps] == [names.scp_name("trust")]
