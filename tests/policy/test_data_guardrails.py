"""Data guardrails inside a silo account: the SCPs of the silos OU, as synthesized, evaluated
together with the synthesized key and bucket policies by the offline IAM engine.

The attacker is a silo admin: a role in the silo account whose identity policy allows
``kms:*`` and ``s3:*`` on everything. The key policy delegates to the account, so only the
SCP stands between that role and crypto-shredding or silent deletion. The deploy role
(Terraform) must still be able to do all of it.
"""

from __future__ import annotations

import dataclasses
import fnmatch

import pytest

from silolake import policy
from silolake.aws import names
from silolake.catalog import Catalog
from silolake.policy import delivery, pipelines, scp
from tests.iam.iam_sim import simulate
from tests.stackjson import bucket_key_policy, bucket_policy, policy_json, resources

pytestmark = pytest.mark.slow

KEY_ID = "0c0ffee0-0000-4000-8000-000000000000"
BROAD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:*", "s3:*"], "Resource": "*"}]}
DENIED, ALLOWED = "ExplicitlyDenied", "Allowed"


def with_org(catalog: Catalog, **changes) -> Catalog:
    return dataclasses.replace(catalog, organization=dataclasses.replace(catalog.organization, **changes))


# -- budget ---------------------------------------------------------------------------------


def test_silos_ou_budget_leaves_two_scps_for_the_organization(example_catalog):
    """AWS: at most 5 SCPs per OU including FullAWSAccess; silolake attaches two."""
    assert len(scp.silo_scps(example_catalog)) + 1 <= 3


def test_baseline_scp_fits_in_the_worst_case(example_catalog):
    """Longest deploy role name (64) and organization name (12): the data guardrails still fit."""
    worst = with_org(example_catalog, deploy_role_name="r" * names.IAM_ROLE_MAX, name="o" * 12)
    text = scp.render(scp.baseline_scp(worst))
    assert len(text) <= scp.SCP_MAX_CHARS
    assert len(text) <= 3500, len(text)  # scp.py and docs/security.md state 3,495
    assert {"ProtectSiloKeys", "ProtectSiloKeyAliases", "ProtectSiloBuckets", "ProtectSiloObjectVersions"} <= {
        s["Sid"] for s in scp.baseline_scp(worst)["Statement"]
    }


def test_bucket_patterns_match_every_silo_bucket_and_nothing_else(example_synth):
    catalog = example_synth.catalog
    org = catalog.organization.name
    patterns = [names.silo_bucket_pattern(org, z) for z in names.SILO_BUCKET_KINDS]
    for silo in catalog.deployable_silos:
        stack = example_synth.stack(silo.stack_name)
        # The pipeline's artifact store holds scratch copies only (names.PIPELINE_BUCKET).
        # It lives in the pipeline's region: the artifacts bucket's (policy.delivery.pipeline_region).
        region = delivery.pipeline_region(silo, catalog.datalake.region)
        store = names.silo_bucket(org, silo.name, names.PIPELINE_BUCKET, silo.account_id, region)
        for b in resources(stack, "aws_s3_bucket").values():
            if b["bucket"] != store:
                assert any(fnmatch.fnmatchcase(b["bucket"], p) for p in patterns), b["bucket"]
            else:
                assert not any(fnmatch.fnmatchcase(b["bucket"], p) for p in patterns), b["bucket"]
    for other in (
        f"{org}-website-assets",  # another workload of the same company
        f"{org}-sales-raw-backup",
        f"{org}-sales-raw-4444-euw1",  # not a 12-character account id
        names.state_bucket(catalog.organization.state_bucket_prefix, "444444444444", "eu-west-1"),
        names.account_bucket(org, "artifacts", "222222222222", "eu-west-1"),
    ):
        assert not any(fnmatch.fnmatchcase(other, p) for p in patterns), other


def test_synthesized_scps_are_the_policy_documents(example_synth):
    org_stack = example_synth.stack("org")
    deployed = {p["name"]: policy_json(p["content"]) for p in resources(org_stack, "aws_organizations_policy").values()}
    expected = {names.scp_name(k): d for k, d in scp.silo_scps(example_synth.catalog).items()}
    chain_scps = {names.scp_name(k, "datalake"): d for k, d in pipelines.datalake_scps(example_synth.catalog).items()}
    rcps = {names.scp_name(k): d for k, d in pipelines.silos_rcps(example_synth.catalog).items()}
    assert deployed == expected | chain_scps | rcps


# -- offline evaluation ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def proof(example_delivery) -> tuple[dict[str, str], dict[str, str]]:
    """(case name -> decision, case name -> expected) over every deployable silo, with the SCPs
    the org stack attaches to the Silos OU and the silos' bucket and key policies as delivered."""
    catalog = example_delivery.catalog
    scps = example_delivery.scps("Silos")
    deploy_name = catalog.organization.deploy_role_name
    cases, expected = [], {}

    def add(name, expect, principal, action, resource, account, region, resource_policy, **context):
        cases.append(
            {
                "name": name,
                "principal": principal,
                "action": action,
                "resource": resource,
                "resourceAccount": account,
                "identityPolicies": [BROAD],
                "resourcePolicy": resource_policy,
                "scps": scps,
                "context": {"aws:SecureTransport": "true", "aws:RequestedRegion": region, **context},
            }
        )
        expected[name] = expect

    for silo in catalog.deployable_silos:
        acct, region = silo.account_id, silo.region
        stack = example_delivery.stack(silo.stack_name)
        buckets = {z: names.silo_bucket(catalog.organization.name, silo.name, z, acct, region) for z in names.ZONES}
        key = f"arn:aws:kms:{region}:{acct}:key/{KEY_ID}"
        key_policy = bucket_key_policy(stack, buckets["raw"])
        aliases = {"kms:ResourceAliases": [f"alias/{names.silo_key_alias(silo.name)}"]}
        for who, principal, expect in (
            ("admin", f"arn:aws:iam::{acct}:role/silo-admin", DENIED),
            ("admin session", f"arn:aws:sts::{acct}:assumed-role/silo-admin/alice", DENIED),
            ("pipeline", f"arn:aws:iam::{acct}:role/{names.silo_role(silo.name, 'pipeline')}", DENIED),
            ("deploy", f"arn:aws:iam::{acct}:role/{deploy_name}", ALLOWED),
        ):
            p = f"{silo.name}/{who}"
            for action in scp.KEY_DESTRUCTION:
                add(f"{p}: {action}", expect, principal, action, key, acct, region, key_policy, **aliases)
            for action in scp.ALIAS_CHANGES:
                alias = f"arn:aws:kms:{region}:{acct}:alias/{names.silo_key_alias(silo.name)}"
                add(f"{p}: {action}", expect, principal, action, alias, acct, region, key_policy)
            for zone, bucket in buckets.items():
                pol = bucket_policy(stack, bucket)
                for action in scp.BUCKET_CHANGES:
                    add(f"{p}: {action} {zone}", expect, principal, action, f"arn:aws:s3:::{bucket}", acct, region, pol)
                obj = f"arn:aws:s3:::{bucket}/orders/part-0.parquet"
                for action in scp.OBJECT_DESTRUCTION:
                    add(f"{p}: {action} {zone}", expect, principal, action, obj, acct, region, pol)
        # The guardrails take nothing else away from the admin ...
        admin = f"arn:aws:iam::{acct}:role/silo-admin"
        raw = bucket_policy(stack, buckets["raw"])
        obj = f"arn:aws:s3:::{buckets['raw']}/orders/part-0.parquet"
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetBucketPolicy"):
            res = obj if "Object" in action else f"arn:aws:s3:::{buckets['raw']}"
            add(f"{silo.name}/admin keeps: {action}", ALLOWED, admin, action, res, acct, region, raw)
        add(f"{silo.name}/admin keeps: kms:Decrypt", ALLOWED, admin, "kms:Decrypt", key, acct, region, key_policy)
        # ... and leave other workloads of the account alone.
        other_key = f"arn:aws:kms:{region}:{acct}:key/11111111-2222-4333-8444-555555555555"
        add(
            f"{silo.name}/other workload key deletion",
            ALLOWED,
            admin,
            "kms:ScheduleKeyDeletion",
            other_key,
            acct,
            region,
            policy.document([policy.key_admin_statement("aws", acct)]),  # the usual account delegation
            **{"kms:ResourceAliases": ["alias/website"]},
        )
        add(
            f"{silo.name}/other workload bucket policy",
            ALLOWED,
            admin,
            "s3:PutBucketPolicy",
            f"arn:aws:s3:::{catalog.organization.name}-website-assets",
            acct,
            region,
            None,
        )
    decisions = {r["name"]: r["decision"] for r in simulate(cases)}
    return decisions, expected


def test_data_guardrails_evaluated_offline(proof):
    decisions, expected = proof
    wrong = {n: (decisions[n], e) for n, e in expected.items() if decisions[n] != e}
    assert not wrong, wrong


def test_the_proof_covers_what_the_issue_names(proof):
    _, expected = proof
    for action in (
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:PutKeyPolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketVersioning",
        "s3:DeleteObjectVersion",
    ):
        assert any(action in n and "/admin:" in n and e == DENIED for n, e in expected.items()), action
        assert any(action in n and "/deploy:" in n and e == ALLOWED for n, e in expected.items()), action
    assert len(expected) > 400
