"""Who can read and write the health signals, through the policies as Terraform delivers them.

- The organization dashboard's sharing role in a silo account (``CloudWatch-CrossAccountSharingRole``)
  may be assumed by the datalake account's CloudWatch cross-account service-linked role only,
  and only inside the organization; it reads metrics and alarm states, never logs or data.
- The freshness check publishes into ``Silolake/Flows`` only and reads metrics.
- The health scheduler role runs the freshness check and nothing else.
"""

from __future__ import annotations

import pytest

from silolake.aws import health_names, names
from silolake.catalog import load_catalog
from silolake.policy import health_sharing

from ..conftest import EXAMPLE
from ..delivered import Delivery
from .test_partner_boundary import (
    ACCOUNT,
    ALLOWED,
    IMPLICIT,
    SALES,
    case,
    decide,
    delivered,  # noqa: F401 - fixture
    role_policy,
)

DATALAKE = "222222222222"
SLR = health_sharing.monitoring_principal("aws", DATALAKE)
SLR_SESSION = (
    f"arn:aws:sts::{DATALAKE}:assumed-role/{health_names.CLOUDWATCH_CROSS_ACCOUNT_SLR}/cloudwatch-crossaccount"
)
SHARING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{health_names.CLOUDWATCH_SHARING_ROLE}"
#: The SLR's own (AWS managed) permission, as the monitoring account grants it.
SLR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::*:role/CloudWatch-CrossAccountSharingRole",
        }
    ],
}


@pytest.fixture(scope="module")
def sharing(delivered: Delivery) -> tuple[dict, dict]:  # noqa: F811
    trust = delivered.policy(SALES, "aws_iam_role", "assume_role_policy", name=health_names.CLOUDWATCH_SHARING_ROLE)
    [inline] = [
        p
        for key, p in delivered.policies(SALES, "aws_iam_role_policy").items()
        if delivered.resources(SALES, "aws_iam_role_policy")[key.split(".")[1]]["name"] == "read-health-signals"
    ]
    return trust, inline


def test_only_the_monitoring_accounts_cloudwatch_in_the_organization_assumes_the_sharing_role(
    delivered: Delivery,  # noqa: F811
    sharing: tuple[dict, dict],
) -> None:
    trust, _ = sharing
    layout = load_catalog(EXAMPLE).layout
    assert layout is not None
    org_id = layout.org_id  # the organization bootstrap recorded

    def assume(name: str, principal: str, org: str) -> dict:
        # aws:PrincipalArn of a role session is the role's ARN, its path included (a
        # service-linked role lives under /aws-service-role/<service>/).
        role = principal.replace(":sts::", ":iam::").replace(":assumed-role/", ":role/").rsplit("/", 1)[0]
        if role.endswith(health_names.CLOUDWATCH_CROSS_ACCOUNT_SLR):
            role = role.replace(":role/", f":role/aws-service-role/{health_names.CLOUDWATCH_CROSS_ACCOUNT_SERVICE}/")
        context = {"aws:SecureTransport": "true", "aws:PrincipalOrgID": org, "aws:PrincipalArn": role}
        return {
            **case(
                name, principal, "sts:AssumeRole", SHARING_ROLE, resourcePolicy=trust, identityPolicies=[SLR_POLICY]
            ),
            "context": {**context, "aws:PrincipalAccount": role.split(":")[4]},
            "autoContext": False,
        }

    got = decide(
        [
            assume("the dashboard's service-linked role", SLR_SESSION, org_id),
            assume("another role of the datalake account", f"arn:aws:sts::{DATALAKE}:assumed-role/admin/s", org_id),
            assume("the service-linked role outside the organization", SLR_SESSION, "o-other00000"),
            assume(
                "the same role name in another account",
                SLR_SESSION.replace(DATALAKE, "999999999999"),
                org_id,
            ),
        ]
    )
    assert got == {
        "the dashboard's service-linked role": ALLOWED,
        "another role of the datalake account": IMPLICIT,
        "the service-linked role outside the organization": IMPLICIT,
        "the same role name in another account": IMPLICIT,
    }


def test_the_sharing_role_reads_metrics_and_alarms_never_logs_or_data(sharing: tuple[dict, dict]) -> None:
    _, inline = sharing
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{health_names.CLOUDWATCH_SHARING_ROLE}/dashboard"
    bucket = names.silo_bucket("acme", "sales", "processed", ACCOUNT, "eu-west-1")
    got = decide(
        [
            case("metrics", session, "cloudwatch:GetMetricData", "*", identityPolicies=[inline]),
            case(
                "alarms",
                session,
                "cloudwatch:DescribeAlarms",
                f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:x",
                identityPolicies=[inline],
            ),
            case("write metrics", session, "cloudwatch:PutMetricData", "*", identityPolicies=[inline]),
            case(
                "logs",
                session,
                "logs:GetLogEvents",
                f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/lambda/x:log-stream:y",
                identityPolicies=[inline],
            ),
            case("data", session, "s3:GetObject", f"arn:aws:s3:::{bucket}/orders/a.parquet", identityPolicies=[inline]),
        ]
    )
    assert got == {"metrics": ALLOWED, "alarms": ALLOWED, "write metrics": IMPLICIT, "logs": IMPLICIT, "data": IMPLICIT}


def test_the_freshness_check_publishes_into_its_namespace_only(delivered: Delivery) -> None:  # noqa: F811
    check = role_policy(delivered, "freshness")
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{names.silo_role('sales', 'freshness')}/check"

    def put(name: str, namespace: str) -> dict:
        return case(
            name,
            session,
            "cloudwatch:PutMetricData",
            "*",
            identityPolicies=[check],
            context={"cloudwatch:namespace": namespace},
        )

    got = decide(
        [
            put("FlowLate", "Silolake/Flows"),
            put("another namespace", "AWS/Lambda"),
            case("read evidence", session, "cloudwatch:GetMetricData", "*", identityPolicies=[check]),
            case(
                "delete alarms",
                session,
                "cloudwatch:DeleteAlarms",
                f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:x",
                identityPolicies=[check],
            ),
        ]
    )
    assert got == {
        "FlowLate": ALLOWED,
        "another namespace": IMPLICIT,
        "read evidence": ALLOWED,
        "delete alarms": IMPLICIT,
    }


def test_the_health_scheduler_runs_the_check_only(delivered: Delivery) -> None:  # noqa: F811
    scheduler = role_policy(delivered, "health-scheduler")
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{names.silo_role('sales', 'health-scheduler')}/s"
    function = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{names.etl_silo_name('sales', 'freshness')}"
    landing = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{names.etl_silo_name('sales', 'landing')}"
    got = decide(
        [
            case("run the check", session, "lambda:InvokeFunction", function, identityPolicies=[scheduler]),
            case("run landing", session, "lambda:InvokeFunction", landing, identityPolicies=[scheduler]),
        ]
    )
    assert got == {"run the check": ALLOWED, "run landing": IMPLICIT}
