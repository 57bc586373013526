"""Who may read a silo's health signals, and how alarms reach the owners' encrypted topic.

- :func:`sharing_trust` / :func:`sharing_statements`: the ``CloudWatch-CrossAccountSharingRole``
  of a silo account, through which the datalake account's organization dashboard reads metrics
  ("Cross-account cross-Region CloudWatch console", CloudWatch User Guide). AWS documents a
  trust of the monitoring account with the managed ``CloudWatchReadOnlyAccess``; silolake trusts
  only that account's CloudWatch service-linked role (``aws:PrincipalArn``), only inside the
  organization (``aws:PrincipalOrgID``), and grants metric and alarm reads only: no logs, no
  data, no dashboards of the silo.
- :func:`alarm_key_statements`: the silo key's grant to CloudWatch alarms, which publish to the
  owners' topic (encrypted with the silo key; SNS Developer Guide, "Encryption at rest": a
  service publishing to an encrypted topic needs ``kms:GenerateDataKey*`` and ``kms:Decrypt``),
  pinned to this account's silolake alarms of the silo.
- :func:`webhook_statements`: the chat forwarder's read of its one webhook secret.
"""

from __future__ import annotations

from ..aws import arns, health_names
from ..catalog.model import DeployedSilo
from .documents import Statement

#: CloudWatch reads the console needs to draw metric and alarm widgets (no resource-level
#: permissions exist for them: ``*`` is the only resource).
SHARED_READS = ("cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics")


def monitoring_principal(partition: str, datalake_account: str) -> str:
    """ARN of the datalake account's CloudWatch cross-account service-linked role."""
    path = f"/aws-service-role/{health_names.CLOUDWATCH_CROSS_ACCOUNT_SERVICE}/"
    return arns.role(partition, datalake_account, health_names.CLOUDWATCH_CROSS_ACCOUNT_SLR, path)


def sharing_trust(partition: str, datalake_account: str, org_id: str) -> dict:
    """Trust policy of the sharing role: the monitoring account's service-linked role, in the
    organization (``partition``: the organization's)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OrganizationDashboard",
                "Effect": "Allow",
                "Principal": {"AWS": arns.account_root(partition, datalake_account)},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": monitoring_principal(partition, datalake_account)},
                    "StringEquals": {"aws:PrincipalOrgID": org_id},
                },
            }
        ],
    }


def sharing_statements() -> list[Statement]:
    """The sharing role's only permissions: read metrics and alarm states."""
    return [{"Sid": "ReadHealthSignals", "Effect": "Allow", "Action": list(SHARED_READS), "Resource": "*"}]


def alarm_key_statements(silo: DeployedSilo) -> list[Statement]:
    """Key policy statement letting the silo's alarms publish to the owners' encrypted topic."""
    alarms = arns.regional(
        "cloudwatch", silo.region, silo.account_id, f"alarm:{health_names.health_alarm(silo.name, '*', '*')}"
    )
    return [
        {
            "Sid": "AlarmsNotifyOwners",
            "Effect": "Allow",
            "Principal": {"Service": arns.service_principal("cloudwatch", arns.partition_of(silo.region))},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": silo.account_id},
                "ArnLike": {"aws:SourceArn": alarms},
            },
        }
    ]


def webhook_statements(silo: DeployedSilo, secret: str, key_arn: str) -> list[Statement]:
    """The chat forwarder's permissions: read its one secret (Secrets Manager appends six random
    characters to the name in the ARN) and decrypt it when the silo key encrypts it."""
    arn = arns.regional("secretsmanager", silo.region, silo.account_id, f"secret:{secret}-??????")
    return [
        {"Sid": "ReadWebhook", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn},
        {
            "Sid": "DecryptWebhook",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": arns.service_endpoint("secretsmanager", silo.region)}},
        },
    ]
