"""Proves the offline IAM harness discriminates: every expectation here can fail.

Each denial case differs from an Allowed control case in exactly one input, so a
harness that always said "Allowed" (or always "denied") would fail this module.
"""

from __future__ import annotations

import copy
import time

import pytest

from .iam_sim import IamSimError, library_version, simulate

LAKE = "222222222222"  # data lake account (bucket + KMS key)
PRODUCER = "444444444444"  # domain account with pipeline roles (and its Glue catalog)
CONSUMER = "555555555555"  # another domain account
BUCKET = "silolake-sales-raw"
OBJECT_ARN = f"arn:aws:s3:::{BUCKET}/orders/2024/part-0001.parquet"

OU_PATH = "o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"
OTHER_OU_PATH = "o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-33333333/"
PIPELINE_ROLE = f"arn:aws:iam::{PRODUCER}:role/silolake-sales-pipeline"
ADMIN_ROLE = f"arn:aws:iam::{PRODUCER}:role/silolake-sales-admin"

BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPipelineRolesInDataOu",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/silolake-*-pipeline"},
                "ForAnyValue:StringLike": {
                    "aws:PrincipalOrgPaths": "o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*"
                },
            },
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}

CALLER_IDENTITY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadRaw",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


def s3_case(name: str, **overrides) -> dict:
    case = {
        "name": name,
        "principal": PIPELINE_ROLE,
        "action": "s3:GetObject",
        "resource": OBJECT_ARN,
        "resourceAccount": LAKE,
        "identityPolicies": [copy.deepcopy(CALLER_IDENTITY_POLICY)],
        "resourcePolicy": copy.deepcopy(BUCKET_POLICY),
        "context": {"aws:PrincipalOrgPaths": [OU_PATH], "aws:SecureTransport": "true"},
    }
    case.update(overrides)
    return case


def run_one(case: dict) -> dict:
    [result] = simulate([case])
    assert result["name"] == case["name"]
    return result


def assert_denied(result: dict) -> None:
    assert result["decision"] in ("ImplicitlyDenied", "ExplicitlyDenied"), result


# --------------------------------------------------------------------------- S3 bucket policy


S3_CASES = {
    "pipeline role in OU": (s3_case("pipeline role in OU"), "Allowed"),
    "pipeline role, nested OU below the allowed one": (
        s3_case(
            "pipeline role, nested OU below the allowed one",
            context={"aws:PrincipalOrgPaths": [OU_PATH + "ou-ab12-99999999/"], "aws:SecureTransport": "true"},
        ),
        "Allowed",
    ),
    "pipeline role, one of several org paths matches": (
        s3_case(
            "pipeline role, one of several org paths matches",
            context={"aws:PrincipalOrgPaths": [OTHER_OU_PATH, OU_PATH], "aws:SecureTransport": "true"},
        ),
        "Allowed",
    ),
    "pipeline role name in a different OU": (
        s3_case(
            "pipeline role name in a different OU",
            context={"aws:PrincipalOrgPaths": [OTHER_OU_PATH], "aws:SecureTransport": "true"},
        ),
        "ImplicitlyDenied",
    ),
    "pipeline role with no org path (outside the org)": (
        s3_case("pipeline role with no org path (outside the org)", context={"aws:SecureTransport": "true"}),
        "ImplicitlyDenied",
    ),
    "admin role in OU": (s3_case("admin role in OU", principal=ADMIN_ROLE), "ImplicitlyDenied"),
    "anonymous": (
        s3_case("anonymous", principal="*", identityPolicies=[], context={"aws:SecureTransport": "true"}),
        "ImplicitlyDenied",
    ),
    "non-TLS pipeline role": (
        s3_case(
            "non-TLS pipeline role",
            context={"aws:PrincipalOrgPaths": [OU_PATH], "aws:SecureTransport": "false"},
        ),
        "ExplicitlyDenied",
    ),
    "cross-account caller without identity policy": (
        s3_case("cross-account caller without identity policy", identityPolicies=[]),
        "ImplicitlyDenied",
    ),
    "no bucket policy, cross-account": (
        s3_case("no bucket policy, cross-account", resourcePolicy=None),
        "ImplicitlyDenied",
    ),
    "other bucket": (
        s3_case("other bucket", resource="arn:aws:s3:::silolake-hr-raw/x.parquet"),
        "ImplicitlyDenied",
    ),
    "other action": (s3_case("other action", action="s3:PutObject"), "ImplicitlyDenied"),
    "same-account role, identity policy only": (
        s3_case(
            "same-account role, identity policy only",
            principal=f"arn:aws:iam::{LAKE}:role/silolake-lake-admin",
            context={"aws:SecureTransport": "true"},
        ),
        "Allowed",
    ),
}


def test_s3_bucket_policy_cases_in_one_batch():
    names = list(S3_CASES)
    results = simulate([S3_CASES[n][0] for n in names])
    got = {r["name"]: r["decision"] for r in results}
    want = {n: S3_CASES[n][1] for n in names}
    assert got == want
    # both outcomes occur, so the harness is not constant
    assert {"Allowed", "ImplicitlyDenied", "ExplicitlyDenied"} <= set(got.values())


def test_allowed_case_reports_both_grants_cross_account():
    res = run_one(s3_case("grants"))
    assert res["decision"] == "Allowed"
    [analysis] = res["details"]["analyses"]
    assert analysis["sameAccount"] is False
    kinds = {g["policyType"] for g in analysis["grants"]}
    assert kinds == {"identity", "resource"}
    assert res["details"]["derivedContext"] == {
        "aws:PrincipalArn": PIPELINE_ROLE,
        "aws:PrincipalAccount": PRODUCER,
    }


def test_non_tls_explicit_deny_names_the_statement():
    res = run_one(s3_case("tls", context={"aws:PrincipalOrgPaths": [OU_PATH], "aws:SecureTransport": "false"}))
    assert res["decision"] == "ExplicitlyDenied"
    [analysis] = res["details"]["analyses"]
    assert [d["sid"] for d in analysis["resource"]["deny"]] == ["DenyInsecureTransport"]
    assert analysis["denials"] == [
        {
            "policyType": "resource",
            "statementId": "DenyInsecureTransport",
            "statementIndex": 2,
            "denialType": "Explicit",
        }
    ]


def test_principal_arn_is_derived_from_principal_not_hardcoded():
    # Without the derived aws:PrincipalArn the ArnLike condition has no key and fails.
    res = run_one(s3_case("no auto context", autoContext=False))
    assert res["decision"] == "ImplicitlyDenied"


def test_assumed_role_session_uses_role_arn_for_principal_arn():
    session = f"arn:aws:sts::{PRODUCER}:assumed-role/silolake-sales-pipeline/glue-job-run-1"
    res = run_one(s3_case("assumed role", principal=session))
    assert res["decision"] == "Allowed"
    assert res["details"]["derivedContext"]["aws:PrincipalArn"] == PIPELINE_ROLE


def test_context_key_casing_is_insensitive():
    res = run_one(
        s3_case(
            "casing",
            context={"AWS:principalOrgPaths": [OU_PATH], "aws:securetransport": "true"},
        )
    )
    assert res["decision"] == "Allowed"


# --------------------------------------------------------------------------- KMS key policy

KEY_ARN = f"arn:aws:kms:eu-west-1:{LAKE}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def key_policy(trust_own_account: bool = True) -> dict:
    stmts = []
    if trust_own_account:
        stmts.append(
            {
                "Sid": "EnableRootAccess",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{LAKE}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        )
    stmts.append(
        {
            "Sid": "AllowPipelineDecrypt",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/silolake-*-pipeline"},
                "ForAnyValue:StringLike": {
                    "aws:PrincipalOrgPaths": "o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*"
                },
            },
        }
    )
    return {"Version": "2012-10-17", "Statement": stmts}


def kms_case(name: str, **overrides) -> dict:
    case = {
        "name": name,
        "principal": PIPELINE_ROLE,
        "action": "kms:Decrypt",
        "resource": KEY_ARN,
        "resourceAccount": LAKE,
        "identityPolicies": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}],
            }
        ],
        "resourcePolicy": key_policy(),
        "context": {"aws:PrincipalOrgPaths": [OU_PATH], "aws:SecureTransport": "true"},
    }
    case.update(overrides)
    return case


def test_kms_key_policy():
    cases = [
        (kms_case("kms pipeline cross-account"), "Allowed"),
        (kms_case("kms admin cross-account", principal=ADMIN_ROLE), "ImplicitlyDenied"),
        (kms_case("kms pipeline without identity policy", identityPolicies=[]), "ImplicitlyDenied"),
        (
            kms_case(
                "kms pipeline wrong OU",
                context={"aws:PrincipalOrgPaths": [OTHER_OU_PATH], "aws:SecureTransport": "true"},
            ),
            "ImplicitlyDenied",
        ),
        (
            kms_case(
                "kms same-account role, key trusts account",
                principal=f"arn:aws:iam::{LAKE}:role/silolake-lake-admin",
                context={"aws:SecureTransport": "true"},
            ),
            "Allowed",
        ),
        # KMS: unlike S3, an identity policy alone is not enough in the key's own
        # account unless the key policy delegates to the account (root) principal.
        (
            kms_case(
                "kms same-account role, key does not trust account",
                principal=f"arn:aws:iam::{LAKE}:role/silolake-lake-admin",
                resourcePolicy=key_policy(trust_own_account=False),
                context={"aws:SecureTransport": "true"},
            ),
            "ImplicitlyDenied",
        ),
    ]
    results = simulate([c for c, _ in cases])
    assert {r["name"]: r["decision"] for r in results} == {c["name"]: want for c, want in cases}


# --------------------------------------------------------------------------- SCPs / RCPs

DENY_GET_SCP = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyGet", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}],
}
ALLOW_ONLY_GLUE_SCP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "glue:*", "Resource": "*"}],
}


def test_scp_deny_overrides_identity_and_bucket_policy_allow():
    cases = [
        (s3_case("scp: FullAWSAccess only", scps=[]), "Allowed"),
        (s3_case("scp: deny GetObject", scps=[DENY_GET_SCP]), "ExplicitlyDenied"),
        # without the default FullAWSAccess attachment nothing is allowed
        (s3_case("scp: no allow at all", scps=[DENY_GET_SCP], scpFullAWSAccess=False), "ExplicitlyDenied"),
        (s3_case("scp: allow-list without s3", scps=[ALLOW_ONLY_GLUE_SCP], scpFullAWSAccess=False), "ImplicitlyDenied"),
        (
            s3_case(
                "scp: hierarchy, OU level lacks allow",
                scpLevels=[
                    {
                        "orgIdentifier": "r-ab12",
                        "policies": [
                            {
                                "Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                            }
                        ],
                    },
                    {"orgIdentifier": "ou-ab12-22222222", "policies": [ALLOW_ONLY_GLUE_SCP]},
                ],
            ),
            "ImplicitlyDenied",
        ),
    ]
    results = simulate([c for c, _ in cases])
    got = {r["name"]: r for r in results}
    assert {n: r["decision"] for n, r in got.items()} == {c["name"]: want for c, want in cases}
    scp_analysis = got["scp: deny GetObject"]["details"]["analyses"][0]
    assert scp_analysis["blockedBy"] == ["scp"]  # identity + bucket policy would have allowed it
    assert [(d["policyType"], d["statementId"]) for d in scp_analysis["denials"]] == [("scp", "DenyGet")]


def test_rcp_enforcing_tls():
    rcp = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnforceTLS",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    permissive_bucket = copy.deepcopy(BUCKET_POLICY)
    permissive_bucket["Statement"] = permissive_bucket["Statement"][:1]
    results = simulate(
        [
            s3_case("rcp tls ok", resourcePolicy=permissive_bucket, rcps=[rcp]),
            s3_case(
                "rcp no tls",
                resourcePolicy=permissive_bucket,
                rcps=[rcp],
                context={"aws:PrincipalOrgPaths": [OU_PATH], "aws:SecureTransport": "false"},
            ),
        ]
    )
    assert [r["decision"] for r in results] == ["Allowed", "ExplicitlyDenied"]
    assert results[1]["details"]["analyses"][0]["blockedBy"] == ["rcp"]


# --------------------------------------------------------------------------- Glue catalog resource policy

TABLE_ARN = f"arn:aws:glue:eu-west-1:{PRODUCER}:table/db/t"
CONSUMER_ROLE = f"arn:aws:iam::{CONSUMER}:role/silolake-marketing-analyst"
GLUE_CATALOG_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ShareDbTables",
            "Effect": "Allow",
            "Principal": {"AWS": CONSUMER_ROLE},
            "Action": ["glue:GetTable", "glue:GetTables", "glue:GetDatabase"],
            "Resource": [
                f"arn:aws:glue:eu-west-1:{PRODUCER}:catalog",
                f"arn:aws:glue:eu-west-1:{PRODUCER}:database/db",
                f"arn:aws:glue:eu-west-1:{PRODUCER}:table/db/*",
            ],
        }
    ],
}


def glue_case(name: str, **overrides) -> dict:
    case = {
        "name": name,
        "principal": CONSUMER_ROLE,
        "action": "glue:GetTable",
        "resource": TABLE_ARN,
        "resourceAccount": PRODUCER,
        "identityPolicies": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"}],
            }
        ],
        "resourcePolicy": copy.deepcopy(GLUE_CATALOG_POLICY),
        "context": {"aws:SecureTransport": "true"},
    }
    case.update(overrides)
    return case


def test_glue_catalog_resource_policy():
    cases = [
        (glue_case("glue consumer table"), "Allowed"),
        (
            glue_case("glue consumer other db", resource=f"arn:aws:glue:eu-west-1:{PRODUCER}:table/db2/t"),
            "ImplicitlyDenied",
        ),
        (
            glue_case("glue other role", principal=f"arn:aws:iam::{CONSUMER}:role/silolake-hr-analyst"),
            "ImplicitlyDenied",
        ),
        (glue_case("glue consumer no identity policy", identityPolicies=[]), "ImplicitlyDenied"),
        (glue_case("glue consumer write", action="glue:UpdateTable"), "ImplicitlyDenied"),
    ]
    results = simulate([c for c, _ in cases])
    assert {r["name"]: r["decision"] for r in results} == {c["name"]: want for c, want in cases}
    assert results[0]["details"]["resourceType"] == "table"


# --------------------------------------------------------------------------- errors are loud, never a deny


@pytest.mark.parametrize(
    "mutation, message",
    [
        (
            {
                "resourcePolicy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allaw", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
                }
            },
            "Effect",
        ),
        ({"action": "s3:GetObjekt"}, "invalid.action"),
        ({"context": {"aws:SecureTransprt": "true"}}, "unknown context key"),
        ({"context": {"aws:SecureTransport": True}}, "must be a string"),
        ({"context": {"aws:SecureTransport": ["true", "false"]}}, "single-valued"),
        ({"context": {"s3:x-amz-acl": "private"}}, "not applicable"),
        ({"resourcePolicies": {}}, "unknown field"),
        ({"principal": "*"}, "anonymous"),  # anonymous callers cannot carry identity policies / org keys
        ({"resourceAccount": "2222"}, "12-digit"),
        ({"context": {"aws:PrincipalAccount": "999999999999"}}, "contradicts"),
    ],
)
def test_errors_raise(mutation, message):
    case = s3_case("bad")
    case.update(mutation)
    with pytest.raises(IamSimError, match=message):
        simulate([case])


def test_missing_required_field_raises():
    case = s3_case("missing")
    del case["action"]
    with pytest.raises(IamSimError, match="action"):
        simulate([case])


def test_duplicate_names_raise():
    with pytest.raises(IamSimError, match="duplicate"):
        simulate([s3_case("dup"), s3_case("dup")])


def test_one_bad_case_fails_the_whole_batch():
    bad = s3_case("bad", action="s3:Nope")
    with pytest.raises(IamSimError):
        simulate([s3_case("good"), bad])


# --------------------------------------------------------------------------- batch


def test_batch_of_60_in_one_process_is_fast_and_ordered():
    base = [c for c, _ in S3_CASES.values()]
    cases = []
    for i in range(60):
        c = copy.deepcopy(base[i % len(base)])
        c["name"] = f"{i}:{c['name']}"
        cases.append(c)
    t0 = time.monotonic()
    results = simulate(cases)
    elapsed = time.monotonic() - t0
    assert [r["name"] for r in results] == [c["name"] for c in cases]
    for i, r in enumerate(results):
        assert r["decision"] == list(S3_CASES.values())[i % len(base)][1]
    assert elapsed < 30, elapsed


def test_library_version_is_pinned():
    import json

    from silolake.ops.iam.engine import HERE

    pkg = json.loads((HERE / "package.json").read_text())
    pinned = pkg["devDependencies"]["@cloud-copilot/iam-simulate"]
    assert pinned[0].isdigit(), "version must be pinned exactly"
    assert library_version() == pinned
