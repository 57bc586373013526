"""Delivery policies proven with the offline IAM engine, as Terraform delivers them (``example_delivery``).

- The silo pipeline's roles read their *own* bundle key and never another account's
  (identity policy of the role in the silo stack x bucket policy of the artifacts bucket in
  the datalake stack, cross-account: both must allow).
- The build role's boundary keeps ``AdministratorAccess`` from changing the pipeline itself,
  approving its own run, touching the state bucket's settings or identity providers, while
  Terraform's ordinary work in the account stays allowed.
- The GitHub OIDC plan role: trusted only for the catalog's repository and audience; reads
  state and takes the lock; never reads data.
"""

from __future__ import annotations

import json
import re

import pytest

from silolake.aws import delivery_names, names
from silolake.policy import delivery

from ..iam.iam_sim import simulate
from ..stackjson import bucket_policy, points_to, policy_json, resources

pytestmark = pytest.mark.slow

KEY = "arn:aws:kms:eu-west-1:{account}:key/11111111-2222-4333-8444-555555555555"
ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def silo(catalog, name: str):
    return next(s for s in catalog.deployable_silos if s.name == name)


def _literal_key(doc: dict, key_arn: str) -> dict:
    """``doc`` with the silo key's ARN (known after apply: a placeholder) replaced by a literal key ARN."""
    return json.loads(re.sub(r"tfref:aws_kms_key\.[A-Za-z0-9_]+\.arn", key_arn, json.dumps(doc)))


@pytest.fixture(scope="module")
def world(example_delivery):
    catalog = example_delivery.catalog
    dl = catalog.datalake
    bucket = names.account_bucket("acme", "artifacts", dl.account_id, dl.region)
    return catalog, bucket, bucket_policy(example_delivery.stack("datalake"), bucket)


@pytest.mark.parametrize(
    ("name", "other_name"),
    # logistics: outside the artifacts bucket's region, its pipeline runs in the bucket's region.
    [("sales", "facilities"), ("logistics", "sales")],
)
def test_pipeline_roles_read_their_own_bundle_and_no_other(example_delivery, world, name, other_name):
    catalog, bucket, artifacts_policy = world
    layout = catalog.layout
    sales, facilities = silo(catalog, name), silo(catalog, other_name)
    stack = example_delivery.stack(f"silo-{name}")
    key = KEY.format(account=sales.account_id)
    release_name = names.silo_role(name, "release-pipeline")
    release_doc = _literal_key(role_policy_doc(stack, release_name), key)
    boundary = boundary_doc(stack, name)
    principals = {
        "release": (f"arn:aws:iam::{sales.account_id}:role/{release_name}", [release_doc], []),
        "build": (f"arn:aws:iam::{sales.account_id}:role/{names.silo_role(name, 'pipeline')}", [ADMIN], [boundary]),
    }
    own = f"arn:aws:s3:::{bucket}/{delivery_names.stack_bundle_key(sales.account_id, f'silo-{name}')}"
    other = f"arn:aws:s3:::{bucket}/{delivery_names.stack_bundle_key(facilities.account_id, f'silo-{other_name}')}"
    cases, expected = [], {}
    for who, (arn, identity, boundaries) in principals.items():
        for what, action, resource, decision in (
            ("own bundle", "s3:GetObject", own, ALLOWED),
            ("own bundle version", "s3:GetObjectVersion", own, ALLOWED),
            ("other bundle", "s3:GetObject", other, None),
            ("other bundle version", "s3:GetObjectVersion", other, None),
            ("bucket versioning", "s3:GetBucketVersioning", f"arn:aws:s3:::{bucket}", ALLOWED),
            ("overwrite own bundle", "s3:PutObject", own, None),
        ):
            name = f"{who} {what}"
            cases.append(
                {
                    "name": name,
                    "principal": arn,
                    "action": action,
                    "resource": resource,
                    "resourceAccount": catalog.datalake.account_id,
                    "identityPolicies": identity,
                    "permissionBoundaries": boundaries,
                    "resourcePolicy": artifacts_policy,
                    "context": {
                        "aws:SecureTransport": "true",
                        "aws:PrincipalOrgID": layout.org_id,
                        "aws:PrincipalOrgPaths": [layout.silos_path],
                    },
                }
            )
            expected[name] = decision
    got = {r["name"]: r["decision"] for r in simulate(cases)}
    for name, decision in expected.items():
        if decision is None:
            assert got[name] != ALLOWED, name
        else:
            assert got[name] == decision, name


def role_policy_doc(stack: dict, role_name: str) -> dict:
    roles = resources(stack, "aws_iam_role")
    [logical] = [k for k, v in roles.items() if v["name"] == role_name]
    [inline] = [v for v in resources(stack, "aws_iam_role_policy").values() if points_to(v["role"], logical, role_name)]
    return policy_json(inline["policy"])


def boundary_doc(stack: dict, silo_name: str = "sales") -> dict:
    [boundary] = [
        v
        for v in resources(stack, "aws_iam_policy").values()
        if v["name"] == delivery_names.silo_pipeline_boundary(silo_name)
    ]
    return policy_json(boundary["policy"])


def test_the_boundary_keeps_terraform_working_and_the_pipeline_unchanged(example_delivery):
    catalog = example_delivery.catalog
    sales = silo(catalog, "sales")
    account, region = sales.account_id, sales.region
    build = f"arn:aws:iam::{account}:role/{names.silo_role('sales', 'pipeline')}"
    state_bucket = names.state_bucket("acme-tfstate", account, region)
    boundary = boundary_doc(example_delivery.stack("silo-sales"))
    own_role = f"arn:aws:iam::{account}:role/{names.silo_role('sales', 'release-pipeline')}"
    checks = {
        # Terraform's ordinary work in the silo account.
        "create a table": ("glue:CreateTable", f"arn:aws:glue:{region}:{account}:table/silo_sales/t", ALLOWED),
        "write state": ("s3:PutObject", f"arn:aws:s3:::{state_bucket}/silolake/silo-sales.tfstate", ALLOWED),
        "read the pipeline": ("codepipeline:GetPipeline", delivery.pipeline_arn(account, region, "sales"), ALLOWED),
        "read own role": ("iam:GetRole", own_role, ALLOWED),
        # What no bundle may do.
        "update the pipeline": (
            "codepipeline:UpdatePipeline",
            delivery.pipeline_arn(account, region, "sales"),
            EXPLICIT,
        ),
        "approve itself": (
            "codepipeline:PutApprovalResult",
            f"{delivery.pipeline_arn(account, region, 'sales')}/Approve/Review",
            EXPLICIT,
        ),
        "change a build": (
            "codebuild:UpdateProject",
            delivery.project_arn(account, region, "sales", "apply"),
            EXPLICIT,
        ),
        "widen own role": ("iam:PutRolePolicy", own_role, EXPLICIT),
        "drop own boundary": ("iam:DeleteRolePermissionsBoundary", build, EXPLICIT),
        "re-policy the state bucket": ("s3:PutBucketPolicy", f"arn:aws:s3:::{state_bucket}", EXPLICIT),
        "add an identity provider": (
            "iam:CreateOpenIDConnectProvider",
            f"arn:aws:iam::{account}:oidc-provider/example.com",
            EXPLICIT,
        ),
        "create a user": ("iam:CreateUser", f"arn:aws:iam::{account}:user/x", EXPLICIT),
        "disable its trigger": (
            "events:DisableRule",
            f"arn:aws:events:{region}:{account}:rule/silolake-sales-deploy",
            EXPLICIT,
        ),
    }
    cases = [
        {
            "name": name,
            "principal": build,
            "action": action,
            "resource": resource,
            "resourceAccount": account,
            "identityPolicies": [ADMIN],
            "permissionBoundaries": [boundary],
            "context": {"aws:SecureTransport": "true"},
        }
        for name, (action, resource, _) in checks.items()
    ]
    got = {r["name"]: r["decision"] for r in simulate(cases)}
    assert got == {name: decision for name, (_, _, decision) in checks.items()}


# --- GitHub OIDC plan role ----------------------------------------------------------------------


def plan_role(stack: dict) -> dict:
    [role] = [v for v in resources(stack, "aws_iam_role").values() if v["name"] == delivery_names.GITHUB_PLAN_ROLE]
    return role


@pytest.mark.parametrize("stack", ["org", "datalake", "silo-sales", "silo-logistics", "analytics-company-bi"])
def test_every_account_stack_gets_the_oidc_provider_and_plan_role(example_synth, stack):
    doc = example_synth.stack(stack)
    [provider] = resources(doc, "aws_iam_openid_connect_provider").values()
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    role = plan_role(doc)
    [statement] = policy_json(role["assume_role_policy"])["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
                "repo:acme/datalake:pull_request",
                "repo:acme/datalake:ref:refs/heads/main",
            ],
        }
    }
    attached = [
        a["policy_arn"]
        for a in resources(doc, "aws_iam_role_policy_attachment").values()
        if "github_plan" in a["role"].replace("-", "_")
    ]
    assert attached == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_oidc_trust_admits_only_the_repository_and_audience(example_delivery):
    """The engine's condition-key catalog (AWS's service authorization reference) lists the
    web-identity keys of a few named providers, not GitHub's. The delivered trust is
    evaluated with GitHub's issuer renamed to one it knows (``accounts.google.com``) in both
    the policy and the token: operators, values and structure stay exactly as deployed."""
    sales = silo(example_delivery.catalog, "sales")
    delivered = plan_role(example_delivery.stack("silo-sales"))["assume_role_policy"]
    host = "accounts.google.com"
    trust = json.loads(delivered.replace(f"{delivery_names.GITHUB_OIDC_HOST}:", f"{host}:"))
    assert f"{delivery_names.GITHUB_OIDC_HOST}:sub" in delivered and f"{host}:sub" in json.dumps(trust)
    role = f"arn:aws:iam::{sales.account_id}:role/{delivery_names.GITHUB_PLAN_ROLE}"
    tokens = {
        "pull request of the repository": ("repo:acme/datalake:pull_request", "sts.amazonaws.com", ALLOWED),
        "main branch (drift)": ("repo:acme/datalake:ref:refs/heads/main", "sts.amazonaws.com", ALLOWED),
        "another repository": ("repo:evil/datalake:pull_request", "sts.amazonaws.com", IMPLICIT),
        "a look-alike repository": ("repo:acme/datalake-fork:pull_request", "sts.amazonaws.com", IMPLICIT),
        "another branch": ("repo:acme/datalake:ref:refs/heads/feature", "sts.amazonaws.com", IMPLICIT),
        "another audience": ("repo:acme/datalake:pull_request", "https://github.com/acme", IMPLICIT),
    }
    cases = [
        {
            "name": name,
            "principal": f"arn:aws:iam::{sales.account_id}:oidc-provider/{delivery_names.GITHUB_OIDC_HOST}",
            "action": "sts:AssumeRoleWithWebIdentity",
            "resource": role,
            "resourceAccount": sales.account_id,
            "resourcePolicy": trust,
            "context": {f"{host}:sub": sub, f"{host}:aud": aud},
            "autoContext": False,
        }
        for name, (sub, aud, _) in tokens.items()
    ]
    got = {r["name"]: r["decision"] for r in simulate(cases)}
    assert got == {name: decision for name, (_, _, decision) in tokens.items()}


def test_plan_role_reads_state_takes_the_lock_and_reads_no_data(example_delivery):
    sales = silo(example_delivery.catalog, "sales")
    account, region = sales.account_id, sales.region
    doc = example_delivery.stack("silo-sales")
    [inline] = [
        v for v in resources(doc, "aws_iam_role_policy").values() if "github_plan" in v["role"].replace("-", "_")
    ]
    state = policy_json(inline["policy"])
    # Stand-in for ReadOnlyAccess (an AWS managed policy not available offline): every read.
    read_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "s3:Get*",
                    "s3:List*",
                    "dynamodb:*",
                    "secretsmanager:GetSecretValue",
                    "logs:Get*",
                    "kms:Decrypt",
                ],
                "Resource": "*",
            }
        ],
    }
    state_bucket = names.state_bucket("acme-tfstate", account, region)
    raw = names.silo_bucket("acme", "sales", "raw", account, region)
    processed = names.silo_bucket("acme", "sales", "processed", account, region)
    checks = {
        "read state": ("s3:GetObject", f"arn:aws:s3:::{state_bucket}/silolake/silo-sales.tfstate", ALLOWED),
        "take the lock": ("s3:PutObject", f"arn:aws:s3:::{state_bucket}/silolake/silo-sales.tfstate.tflock", ALLOWED),
        "release the lock": (
            "s3:DeleteObject",
            f"arn:aws:s3:::{state_bucket}/silolake/silo-sales.tfstate.tflock",
            ALLOWED,
        ),
        "overwrite state": ("s3:PutObject", f"arn:aws:s3:::{state_bucket}/silolake/silo-sales.tfstate", IMPLICIT),
        "read a Glue script Terraform manages": (
            "s3:GetObject",
            f"arn:aws:s3:::{raw}/_silolake/artifacts/x/job.py",
            ALLOWED,
        ),
        "read raw data": ("s3:GetObject", f"arn:aws:s3:::{raw}/orders/ingest_date=2026-01-01/a.parquet", EXPLICIT),
        "read processed data": ("s3:GetObjectVersion", f"arn:aws:s3:::{processed}/orders/part-0.parquet", EXPLICIT),
        "read a secret": (
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:{region}:{account}:secret:x-AbCdEf",
            EXPLICIT,
        ),
        "scan a table": ("dynamodb:Scan", f"arn:aws:dynamodb:{region}:{account}:table/t", EXPLICIT),
        "decrypt": ("kms:Decrypt", KEY.format(account=account), EXPLICIT),
        "read bucket policy": ("s3:GetBucketPolicy", f"arn:aws:s3:::{raw}", ALLOWED),
    }
    principal = f"arn:aws:sts::{account}:assumed-role/{delivery_names.GITHUB_PLAN_ROLE}/plan-silo-sales"
    cases = [
        {
            "name": name,
            "principal": principal,
            "action": action,
            "resource": resource,
            "resourceAccount": account,
            "identityPolicies": [read_only, state],
            "context": {"aws:SecureTransport": "true"},
        }
        for name, (action, resource, _) in checks.items()
    ]
    got = {r["name"]: r["decision"] for r in simulate(cases)}
    assert got == {name: decision for name, (_, _, decision) in checks.items()}


def test_workflows_plan_with_the_plan_role_and_the_in_account_rendering():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2] / ".github" / "workflows"
    for workflow, job in (("plan.yml", "plan"), ("drift.yml", "drift")):
        steps = yaml.safe_load((root / workflow).read_text())["jobs"][job]["steps"]
        oidc = next(s for s in steps if s.get("id") == "oidc")
        role = oidc["with"]["role-to-assume"]
        assert role == f"arn:aws:iam::${{{{ matrix.stack.account_id }}}}:role/{delivery_names.GITHUB_PLAN_ROLE}"
        render = next(s for s in steps if "render" in str(s.get("run", "")))
        assert "--in-account" in render["run"] and render["if"] == "steps.oidc.outcome == 'success'"
        # No fallback to the CI role (issue 20): tests/delivery/test_pr_credentials.py.
        assert "SILOLAKE_CI_ROLE_ARN" not in json.dumps(steps)
    apply = yaml.safe_load((root / "apply-stack.yml").read_text())
    assert "silolake-github-plan" not in json.dumps(apply)  # applies stay on the deploy role


def test_without_delivery_github_no_account_gets_oidc_access(example_catalog, tmp_path):
    """The plan role is catalog-controlled: no ``delivery.github``, no OIDC provider, no role."""
    import dataclasses

    from silolake.synth.app import synthesize

    assert example_catalog.github_repository == "acme/datalake"
    bare = dataclasses.replace(example_catalog, github_repository=None)
    synthesize(bare, tmp_path / "out", stacks=["datalake", "silo-sales"])
    for stack in ("datalake", "silo-sales"):
        doc = json.loads((tmp_path / "out" / "stacks" / stack / "cdk.tf.json").read_text())
        assert not resources(doc, "aws_iam_openid_connect_provider")
        assert all(r["name"] != delivery_names.GITHUB_PLAN_ROLE for r in resources(doc, "aws_iam_role").values())
