"""Issue 20, item 1: no principal a bundle, a partner or a portal admin controls escapes its boundary.

**Invariant** (:mod:`silolake.policy.bounded`, docs/security.md): every principal that a
bundle, a partner or a partner-portal admin controls either cannot create roles at all, or
creates them only under its own IAM path and only with its own permissions boundary; and
none of them can create a role without that boundary or with another one, replace or
remove a boundary, change its boundary policy, re-trust, widen, assume or pass a role it
did not create, or create an IAM user, access key, login profile or identity provider.

Proved by enumeration with the IAM engine on the policies exactly as Terraform delivers
them (``example_delivery``, silo ``sales``), *without* the organization's SCPs: the
invariant holds on the principals' own policies, even in an account the SCPs do not reach.
A role the pipeline creates (under its path, with its boundary, ``AdministratorAccess``
attached) is enumerated too: the boundary carries the invariant to what it creates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from silolake.aws import delivery_names, names, partner_access_names
from silolake.policy import delivery
from silolake.policy import partner as pp
from silolake.policy.documents import document

from ..delivered import Delivery
from .iam_sim import simulate

pytestmark = pytest.mark.slow

SALES = "silo-sales"
ACCOUNT = "444444444444"
ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"
WIDE_OPEN = document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
OTHER_BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/wide-open"
#: A pre-existing role of another workload in the account: trusts the account (so IAM decides
#: who may assume it), trusts Lambda (so it can be passed to a function).
FOREIGN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/workload-admin"
FOREIGN_TRUST = document(
    [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ]
)
PIPELINE_BOUNDARY = delivery.pipeline_boundary_arn("aws", ACCOUNT, "sales")
PARTNER_BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/silolake/{partner_access_names.partner_boundary('sales')}"
PIPELINE_PATH = delivery_names.silo_pipeline_role_path("sales")


@dataclass(frozen=True)
class Principal:
    arn: str
    identity: list[dict]
    boundaries: list[dict]
    #: The boundary and IAM path of the roles it may create (None: it may create none).
    boundary_arn: str
    path: str
    creates_roles: bool
    context: dict[str, str]


def role_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


def inline_policy(delivered: Delivery, purpose: str) -> dict:
    role = names.silo_role("sales", purpose)
    bodies = delivered.resources(SALES, "aws_iam_role_policy")
    found = [
        p
        for key, p in delivered.policies(SALES, "aws_iam_role_policy").items()
        if bodies[key.split(".")[1]]["role"] == role
    ]
    assert len(found) == 1, (role, len(found))
    return found[0]


@pytest.fixture(scope="module")
def principals(example_delivery: Delivery) -> dict[str, Principal]:
    """Every principal a bundle (the build role, and a role it creates), a partner (a partner
    role, wide open but for its boundary) or a portal admin (the partner functions: admin,
    CloudFormation service role, session, identity provider, sweeper) controls."""
    pipeline_boundary = example_delivery.policy(
        SALES, "aws_iam_policy", name=delivery_names.silo_pipeline_boundary("sales")
    )
    partner_boundary = example_delivery.policy(
        SALES, "aws_iam_policy", name=partner_access_names.partner_boundary("sales")
    )
    build = example_delivery.resources(SALES, "aws_iam_role")
    [build_role] = [r for r in build.values() if r["name"] == names.silo_role("sales", "pipeline")]
    # Delivered as a reference to the boundary policy, whose ARN is its path and name.
    ref = build_role["permissions_boundary"].removeprefix("tfref:").split(".")
    assert ref[0] == "aws_iam_policy" and ref[2] == "arn"
    held = example_delivery.resources(SALES, "aws_iam_policy")[ref[1]]
    assert f"arn:aws:iam::{ACCOUNT}:policy{held['path']}{held['name']}" == PIPELINE_BOUNDARY
    attached = {
        r["policy_arn"]
        for r in example_delivery.resources(SALES, "aws_iam_role_policy_attachment").values()
        if r["role"] == names.silo_role("sales", "pipeline")
    }
    assert attached == {ADMINISTRATOR_ACCESS}
    admin_access = [WIDE_OPEN]  # what AdministratorAccess allows
    out = {
        "pipeline build role (plan and apply)": Principal(
            role_arn(names.silo_role("sales", "pipeline")),
            admin_access,
            [pipeline_boundary],
            PIPELINE_BOUNDARY,
            PIPELINE_PATH,
            True,
            {},
        ),
        "role the pipeline created": Principal(
            role_arn("made-by-bundle", PIPELINE_PATH),
            admin_access,
            [pipeline_boundary],
            PIPELINE_BOUNDARY,
            PIPELINE_PATH,
            True,
            {},
        ),
        "partner CloudFormation role": Principal(
            role_arn(names.silo_role("sales", "partner-cfn")),
            [inline_policy(example_delivery, "partner-cfn")],
            [],
            PARTNER_BOUNDARY,
            pp.ROLE_PATH,
            True,
            {},
        ),
        "partner role": Principal(
            role_arn("partner-bob", pp.ROLE_PATH),
            [WIDE_OPEN],
            [partner_boundary],
            PARTNER_BOUNDARY,
            pp.ROLE_PATH,
            False,
            {f"aws:PrincipalTag/{pp.TAG_USERNAME}": "bob"},
        ),
    }
    for purpose in ("partner-admin", "partner-session", "partner-idp", "partner-sweeper"):
        out[f"{purpose} function"] = Principal(
            role_arn(names.silo_role("sales", purpose)),
            [inline_policy(example_delivery, purpose)],
            [],
            PARTNER_BOUNDARY,
            pp.ROLE_PATH,
            False,
            {},
        )
    return out


def requests(p: Principal) -> dict[str, dict[str, Any]]:
    """The escalation requests (all must be denied) and CreateRole with its own boundary."""
    mine = role_arn("evil", p.path)
    with_own = {"iam:PermissionsBoundary": p.boundary_arn}
    return {
        "CreateRole with its boundary": {"action": "iam:CreateRole", "resource": mine, "context": with_own},
        "CreateRole without boundary": {"action": "iam:CreateRole", "resource": mine},
        "CreateRole with another boundary": {
            "action": "iam:CreateRole",
            "resource": mine,
            "context": {"iam:PermissionsBoundary": OTHER_BOUNDARY},
        },
        "CreateRole outside its path": {"action": "iam:CreateRole", "resource": role_arn("evil"), "context": with_own},
        "PutRolePermissionsBoundary to another": {
            "action": "iam:PutRolePermissionsBoundary",
            "resource": mine,
            "context": {"iam:PermissionsBoundary": OTHER_BOUNDARY},
        },
        "DeleteRolePermissionsBoundary": {"action": "iam:DeleteRolePermissionsBoundary", "resource": mine},
        "CreateUser": {"action": "iam:CreateUser", "resource": f"arn:aws:iam::{ACCOUNT}:user/evil"},
        "CreateAccessKey": {"action": "iam:CreateAccessKey", "resource": f"arn:aws:iam::{ACCOUNT}:user/admin"},
        "CreateLoginProfile": {"action": "iam:CreateLoginProfile", "resource": f"arn:aws:iam::{ACCOUNT}:user/admin"},
        "CreateOpenIDConnectProvider": {
            "action": "iam:CreateOpenIDConnectProvider",
            "resource": f"arn:aws:iam::{ACCOUNT}:oidc-provider/evil.example.com",
        },
        "UpdateAssumeRolePolicy on a foreign role": {"action": "iam:UpdateAssumeRolePolicy", "resource": FOREIGN_ROLE},
        "AttachRolePolicy AdministratorAccess on a foreign role": {
            "action": "iam:AttachRolePolicy",
            "resource": FOREIGN_ROLE,
            "context": {"iam:PolicyARN": ADMINISTRATOR_ACCESS},
        },
        "AssumeRole of a foreign role": {
            "action": "sts:AssumeRole",
            "resource": FOREIGN_ROLE,
            "resourcePolicy": FOREIGN_TRUST,
        },
        "PassRole of a foreign role": {
            "action": "iam:PassRole",
            "resource": FOREIGN_ROLE,
            "context": {"iam:PassedToService": "lambda.amazonaws.com"},
        },
        "CreatePolicyVersion on its boundary": {"action": "iam:CreatePolicyVersion", "resource": p.boundary_arn},
    }


def enumerate_decisions(principals: dict[str, Principal]) -> dict[tuple[str, str], str]:
    cases, keys = [], []
    for who, p in principals.items():
        for what, req in requests(p).items():
            keys.append((who, what))
            cases.append(
                {
                    "name": f"{who}: {what}",
                    "principal": p.arn,
                    "action": req["action"],
                    "resource": req["resource"],
                    "resourceAccount": ACCOUNT,
                    "identityPolicies": p.identity,
                    "permissionBoundaries": p.boundaries,
                    "resourcePolicy": req.get("resourcePolicy"),
                    "context": {"aws:SecureTransport": "true", **p.context, **req.get("context", {})},
                }
            )
    return dict(zip(keys, (r["decision"] for r in simulate(cases)), strict=True))


def test_no_bounded_principal_escapes_its_boundary(principals: dict[str, Principal]) -> None:
    got = enumerate_decisions(principals)
    expected = {
        (who, what): ALLOWED if what == "CreateRole with its boundary" and principals[who].creates_roles else "denied"
        for who, what in got
    }
    assert {k: ALLOWED if v == ALLOWED else "denied" for k, v in got.items()} == expected
    # Principals holding AdministratorAccess are stopped by their boundary's explicit denies.
    admin = [w for w, p in principals.items() if p.identity == [WIDE_OPEN] and p.creates_roles]
    assert admin
    assert all(
        got[(w, what)] == EXPLICIT
        for w in admin
        for what in requests(principals[w])
        if (w, what) in got and what != "CreateRole with its boundary"
    )


def test_the_boundaries_hold_the_invariant_statements(example_delivery: Delivery) -> None:
    """The pipeline boundary and the CloudFormation role carry the one rule, addressed to themselves."""
    boundary = example_delivery.policy(SALES, "aws_iam_policy", name=delivery_names.silo_pipeline_boundary("sales"))
    sids = {s["Sid"]: s for s in boundary["Statement"]}
    assert sids["RolesOnlyWithThisBoundary"]["Condition"] == {
        "StringNotEquals": {"iam:PermissionsBoundary": PIPELINE_BOUNDARY}
    }
    assert sids["ChangeOnlyRolesItCreated"]["NotResource"] == role_arn("*", PIPELINE_PATH)
    cfn = {s["Sid"]: s for s in inline_policy(example_delivery, "partner-cfn")["Statement"]}
    assert cfn["RolesOnlyWithThisBoundary"]["Condition"] == {
        "StringNotEquals": {"iam:PermissionsBoundary": PARTNER_BOUNDARY}
    }
    assert cfn["ChangeOnlyRolesItCreated"]["NotResource"] == pp.partner_roles_arn("aws", ACCOUNT)


def test_the_pipeline_still_deploys_the_silo(principals: dict[str, Principal]) -> None:
    """What the bundle's Terraform legitimately does with roles stays allowed: pass the silo's
    roles (created by the deploy role) to the services that run as them, read any role, and
    manage the bounded roles on its path."""
    build = principals["pipeline build role (plan and apply)"]
    own = role_arn("helper", PIPELINE_PATH)

    def case(name: str, action: str, resource: str, **context: str) -> dict[str, Any]:
        return {
            "name": name,
            "principal": build.arn,
            "action": action,
            "resource": resource,
            "resourceAccount": ACCOUNT,
            "identityPolicies": build.identity,
            "permissionBoundaries": build.boundaries,
            "context": {"aws:SecureTransport": "true", **context},
        }

    glue_role = role_arn(names.silo_role("sales", "orders-glue"))
    got = {
        r["name"]: r["decision"]
        for r in simulate(
            [
                case(
                    "pass a silo role to Glue",
                    "iam:PassRole",
                    glue_role,
                    **{"iam:PassedToService": "glue.amazonaws.com"},
                ),
                case("read a silo role", "iam:GetRole", glue_role),
                case("read a foreign role", "iam:GetRole", FOREIGN_ROLE),
                case(
                    "policy on its own role", "iam:PutRolePolicy", own, **{"iam:PermissionsBoundary": PIPELINE_BOUNDARY}
                ),
                case("re-trust its own role", "iam:UpdateAssumeRolePolicy", own),
                case("assume its own role", "sts:AssumeRole", own),
            ]
        )
    }
    assert got == {name: ALLOWED for name in got}
