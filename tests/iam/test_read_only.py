"""Issue 20, item 4: read-only reads no data and no identities.

The plan role's denies are derived from the AWS service authorization data
(:mod:`silolake.ops.iam.read_actions` -> :mod:`silolake.policy.data_reads`). Proved here:

* the committed list is what the derivation gives today (regenerate, compare);
* every service the synthesized policies grant is classified (rules, or configuration only);
* by enumeration with the IAM engine, on the plan role's inline policy as Terraform delivers
  it: *every* derived action, on a resource of its own type, is explicitly denied although
  the stand-in for ``ReadOnlyAccess`` allows it; the reads Terraform needs stay allowed;
* the management account's plan role reads no Identity Center directory, CloudTrail history
  or billing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from silolake.aws import delivery_names, names
from silolake.ops.iam import read_actions
from silolake.policy import read_only
from silolake.policy.data_reads import DATA_READS

from ..delivered import Delivery
from .iam_sim import simulate

pytestmark = pytest.mark.slow

SALES, MANAGEMENT = "444444444444", "111111111111"
REGION = "eu-west-1"
ALLOWED, DENIED = "Allowed", "ExplicitlyDenied"
DERIVED = sorted({a for actions in DATA_READS.values() for a in actions})


def test_the_committed_list_is_derived_from_the_service_authorization_data() -> None:
    text = read_actions.render(read_actions.derive(), read_actions.data_version())
    assert read_actions.TARGET.read_text(encoding="utf-8") == text, "run python -m silolake.ops.iam.read_actions"


def test_the_issues_reads_are_derived() -> None:
    """What the attacker's review found readable, each now in the derived list."""
    assert {
        "logs:StartLiveTail",
        "dynamodb:PartiQLSelect",
        "ssm:GetParameterHistory",
        "states:GetExecutionHistory",
        "athena:GetQueryExecution",
        "cognito-idp:ListUsers",
        "transfer:TestIdentityProvider",
        "secretsmanager:GetSecretValue",
    } <= set(DERIVED)


def test_the_second_reviews_reads_are_derived() -> None:
    """What the security review of the derived list still found readable: anomalies sampled from
    logs, Glue job runs and column statistics, a function's environment, object tags and attributes."""
    assert {
        "logs:ListAnomalies",
        "glue:GetJobRuns",
        "glue:GetJobRun",
        "glue:GetColumnStatisticsForTable",
        "glue:GetColumnStatisticsForPartition",
        "lambda:GetFunctionConfiguration",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectAttributes",
        "s3:GetObjectVersionAttributes",
    } <= set(DERIVED)
    # What the AWS provider refreshes the lake's resources with stays out of the list.
    assert not {"lambda:GetFunction", "glue:GetJob", "glue:GetTable", "logs:GetLogAnomalyDetector"} & set(DERIVED)


def _granted_services(delivered: Delivery) -> set[str]:
    found: set[str] = set()
    for doc in delivered.policies().values():
        for st in doc["Statement"]:
            if st.get("Effect") != "Allow" or "Action" not in st:
                continue
            actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
            found |= {a.split(":")[0] for a in actions if ":" in a}
    return found


def test_every_service_the_lake_grants_is_classified(example_delivery: Delivery) -> None:
    classified = set(read_actions.LAKE_SERVICES) | set(read_actions.CONFIGURATION_ONLY_SERVICES)
    assert _granted_services(example_delivery) - classified == set()


def _resource(action: str, account: str) -> str:
    """A resource of the action's first resource type (its ARN template from the engine's
    data, placeholders filled), or ``*`` for an action without one."""
    service, name = action.split(":")
    data = read_actions.DATA / "data"
    spec = json.loads((data / "actions" / f"{service}.json").read_text())[name.lower()]
    if not spec["resourceTypes"]:
        return "*"
    types = json.loads((data / "resourceTypes" / f"{service}.json").read_text())
    template = types[spec["resourceTypes"][0]["name"].lower()]["arn"]
    fill = {"Partition": "aws", "Region": REGION, "Account": account}
    return re.sub(r"\$\{(\w+)\}", lambda m: fill.get(m.group(1), "example"), template)


def _plan_role_policy(delivered: Delivery, stack: str) -> dict:
    return delivered.policy(stack, "aws_iam_role_policy", role=delivery_names.GITHUB_PLAN_ROLE)


def _cases(policy: dict, account: str, checks: dict[str, tuple[str, str]], allow: list[str]) -> list[dict[str, Any]]:
    # Stand-in for ReadOnlyAccess (an AWS managed policy not available offline): every action checked.
    read_everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": allow, "Resource": "*"}]}
    principal = f"arn:aws:sts::{account}:assumed-role/{delivery_names.GITHUB_PLAN_ROLE}/plan"
    return [
        {
            "name": name,
            "principal": principal,
            "action": action,
            "resource": resource,
            "resourceAccount": account,
            "identityPolicies": [read_everything, policy],
            "context": {"aws:SecureTransport": "true"},
        }
        for name, (action, resource) in checks.items()
    ]


def test_plan_role_is_denied_every_derived_read(example_delivery: Delivery) -> None:
    policy = _plan_role_policy(example_delivery, "silo-sales")
    checks = {a: (a, _resource(a, SALES)) for a in DERIVED}
    got = {r["name"]: r["decision"] for r in simulate(_cases(policy, SALES, checks, DERIVED))}
    assert got == {a: DENIED for a in DERIVED}, sorted(a for a, d in got.items() if d != DENIED)


def test_plan_role_still_reads_what_terraform_refreshes(example_delivery: Delivery) -> None:
    policy = _plan_role_policy(example_delivery, "silo-sales")
    state = names.state_bucket("acme-tfstate", SALES, REGION)
    checks = {
        "state": ("s3:GetObject", f"arn:aws:s3:::{state}/{names.state_key('silo-sales')}"),
        # AWS writes public parameters' ARNs without an account; the engine refuses an empty
        # account field, so the request names the account (the deny's NotResource matches both).
        "the Powertools layer's public parameter": (
            "ssm:GetParameter",
            f"arn:aws:ssm:{REGION}:{SALES}:parameter/aws/service/powertools/python/x86_64/python3.11/3.37.0",
        ),
        "a parameter of the account": ("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{SALES}:parameter/silolake/x"),
        "a staff user Terraform created": (
            "cognito-idp:AdminGetUser",
            f"arn:aws:cognito-idp:{REGION}:{SALES}:userpool/{REGION}_abc",
        ),
        "a function's configuration": ("lambda:GetFunction", f"arn:aws:lambda:{REGION}:{SALES}:function:f"),
        "a Glue job's definition": ("glue:GetJob", f"arn:aws:glue:{REGION}:{SALES}:job/j"),
        # aws_s3_object refreshes with HeadObject and GetObjectTagging: the objects Terraform holds.
        "the tags of an object Terraform holds": (
            "s3:GetObjectTagging",
            f"arn:aws:s3:::acme-sales-raw-{SALES}-euw1/{names.SYSTEM_PREFIXES['silolake']}artifacts/job.py",
        ),
        "the tags of a partner's file": (
            "s3:GetObjectTagging",
            f"arn:aws:s3:::acme-sales-raw-{SALES}-euw1/orders/2026/file.json",
        ),
        "a table's description": ("dynamodb:DescribeTable", f"arn:aws:dynamodb:{REGION}:{SALES}:table/t"),
        "a state machine": ("states:DescribeStateMachine", f"arn:aws:states:{REGION}:{SALES}:stateMachine:m"),
    }
    allow = sorted({a for a, _ in checks.values()})
    got = {r["name"]: r["decision"] for r in simulate(_cases(policy, SALES, checks, allow))}
    denied = {"a parameter of the account", "the tags of a partner's file"}
    assert got == {name: DENIED if name in denied else ALLOWED for name in checks}


def test_management_plan_role_reads_no_directory_history_or_billing(example_delivery: Delivery) -> None:
    policy = _plan_role_policy(example_delivery, "org")
    assert {s["Sid"] for s in policy["Statement"]} >= {"NoDirectoryHistoryOrBilling"}
    for stack in ("datalake", "silo-sales"):  # member accounts keep the shared grant
        assert "NoDirectoryHistoryOrBilling" not in {
            s["Sid"] for s in _plan_role_policy(example_delivery, stack)["Statement"]
        }
    denied = [
        "identitystore:ListUsers",
        "identitystore:DescribeUser",
        "sso-directory:SearchUsers",
        "sso:ListAccountAssignments",
        "cloudtrail:LookupEvents",
        "cloudtrail:GetQueryResults",
        "ce:GetCostAndUsage",
        "aws-portal:ViewBilling",
        "billing:GetBillingData",
        "cur:DescribeReportDefinitions",
    ]
    allowed = ["organizations:DescribeOrganization", "organizations:ListPoliciesForTarget", "iam:GetRole"]
    checks = {a: (a, _resource(a, MANAGEMENT)) for a in denied + allowed}
    got = {r["name"]: r["decision"] for r in simulate(_cases(policy, MANAGEMENT, checks, denied + allowed))}
    assert got == {a: DENIED if a in denied else ALLOWED for a in checks}
    assert set(read_only.MANAGEMENT_DENIED_SERVICES) >= {"identitystore", "sso-directory", "cloudtrail", "billing"}
