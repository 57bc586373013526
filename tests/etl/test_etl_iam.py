"""ETL roles proven with the offline IAM engine: each flow's roles reach their own flow only.

The inline policies of a silo with several flows, as Terraform delivers them
(:mod:`tests.delivered`), are evaluated together with the delivered bucket policies of the
zones, for the calls the roles make and for their neighbours' data, which must stay out of
reach.
"""

from __future__ import annotations

import json

import pytest

from silolake.aws import names
from tests.iam.iam_sim import simulate
from tests.stackjson import bucket_policy

from .test_etl_stack import role_policy

pytestmark = pytest.mark.slow


def case(name, role_arn, identity, action, resource, account, resource_policy=None, context=None):
    return {
        "name": name,
        "principal": role_arn,
        "action": action,
        "resource": resource,
        "resourceAccount": account,
        "identityPolicies": [{"Version": "2012-10-17", "Statement": identity}],
        "resourcePolicy": resource_policy,
        "context": {"aws:SecureTransport": "true", **(context or {})},
    }


def test_flow_roles_reach_their_own_flow_only(example_delivery):
    silo = next(s for s in example_delivery.catalog.deployable_silos if len(s.flows) > 2)
    stack, account = silo.stack_name, silo.account_id
    flow, other = silo.flows[1], silo.flows[2]
    bucket = {
        z: names.silo_bucket("acme", silo.name, z, account, silo.region) for z in ("raw", "processed", "dropzone")
    }
    policies = {z: bucket_policy(example_delivery.stack(stack), b) for z, b in bucket.items()}
    glue_role = names.silo_role(silo.name, f"{flow.name}-glue")
    glue = role_policy(example_delivery, stack, glue_role)
    glue_arn = f"arn:aws:iam::{account}:role/{glue_role}"
    # Writers send the silo key explicitly (the zones deny any other, and aws:kms without a key id).
    [deny] = [st for st in policies["raw"]["Statement"] if st.get("Sid") == "DenyForeignKmsKey"]
    key_id = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    sse = {"s3:x-amz-server-side-encryption": "aws:kms", key_id: deny["Condition"]["StringNotEquals"][key_id]}

    def obj(zone: str, key: str) -> str:
        return f"arn:aws:s3:::{bucket[zone]}/{key}"

    expected = {
        "glue reads its raw": (
            glue_arn,
            glue,
            "s3:GetObject",
            "raw",
            f"{flow.name}/ingest_date=2026-01-01/a.csv",
            True,
        ),
        "glue writes its processed": (glue_arn, glue, "s3:PutObject", "processed", f"{flow.name}/x.parquet", True),
        "glue writes its rejects": (glue_arn, glue, "s3:PutObject", "processed", f"_rejects/{flow.name}/r.json", True),
        "glue cannot read another flow": (
            glue_arn,
            glue,
            "s3:GetObject",
            "raw",
            f"{other.name}/ingest_date=x/a",
            False,
        ),
        "glue cannot write another flow": (glue_arn, glue, "s3:PutObject", "processed", f"{other.name}/x", False),
        "glue cannot read the dropzone": (glue_arn, glue, "s3:GetObject", "dropzone", f"p/{flow.name}/a.csv", False),
    }
    sm_role = names.silo_role(silo.name, f"{flow.name}-sfn")
    sm = role_policy(example_delivery, stack, sm_role)
    sm_arn = f"arn:aws:iam::{account}:role/{sm_role}"
    landing_role = names.silo_role(silo.name, "landing")
    landing = role_policy(example_delivery, stack, landing_role)
    landing_arn = f"arn:aws:iam::{account}:role/{landing_role}"
    expected.update(
        {
            "pipeline cannot read data": (sm_arn, sm, "s3:GetObject", "raw", f"{flow.name}/ingest_date=x/a", False),
            "landing copies into raw": (
                landing_arn,
                landing,
                "s3:PutObject",
                "raw",
                f"{flow.name}/ingest_date=x/a",
                True,
            ),
            "landing quarantines": (landing_arn, landing, "s3:PutObject", "dropzone", "_quarantine/p/f/a.csv", True),
            "landing cannot write processed": (
                landing_arn,
                landing,
                "s3:PutObject",
                "processed",
                f"{flow.name}/a",
                False,
            ),
            "landing cannot write job code": (
                landing_arn,
                landing,
                "s3:PutObject",
                "raw",
                f"{names.ARTIFACTS_PREFIX}_silolake/conform/x/job.py",
                False,
            ),
        }
    )
    cases = [
        case(n, arn, ident, action, obj(zone, key), account, policies[zone], sse if action == "s3:PutObject" else None)
        for n, (arn, ident, action, zone, key, _) in expected.items()
    ]
    cases.append(
        case(
            "pipeline starts its own job",
            sm_arn,
            sm,
            "glue:StartJobRun",
            f"arn:aws:glue:{silo.region}:{account}:job/{names.etl_name(silo.name, flow.name)}",
            account,
        )
    )
    cases.append(
        case(
            "pipeline cannot start another flow's job",
            sm_arn,
            sm,
            "glue:StartJobRun",
            f"arn:aws:glue:{silo.region}:{account}:job/{names.etl_name(silo.name, other.name)}",
            account,
        )
    )
    want = {n: allowed for n, (*_, allowed) in expected.items()}
    want.update({"pipeline starts its own job": True, "pipeline cannot start another flow's job": False})
    results = {r["name"]: r["decision"] == "Allowed" for r in simulate(cases)}
    assert results == want, json.dumps({n: (results[n], want[n]) for n in want if results[n] != want[n]})
