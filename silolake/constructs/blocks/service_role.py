"""The two things every AWS-service-run component needs: a role and a log group.

Firehose streams, the ingestion API and Lambda functions each get their *own* role
(trusted by exactly one service principal, carrying exactly one inline policy) and
their own log group (KMS-encrypted with the silo key, with retention). One place
builds them so every component gets the same guardrails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ... import policy
from ...engine.cdk import Construct, aws

#: CloudWatch Logs retention for operational logs: a year covers audits and yearly
#: incident reviews (and checkov's CKV_AWS_338 minimum).
LOG_RETENTION_DAYS = 365


def source_account_condition(account_id: str) -> dict[str, Any]:
    """Trust condition against the confused deputy: the service may assume the role only
    while acting for a resource of ``account_id`` (``aws:SourceAccount``, set by the
    service on the request). Without it, any account's API or stream could name the
    role ARN and have the service assume it."""
    return {"StringEquals": {"aws:SourceAccount": account_id}}


def trust_policy(service: str, condition: dict[str, Any] | None = None) -> dict:
    """The trust policy of a role assumable by ``service`` only (:func:`policy.service_trust_statement`)."""
    return policy.document([policy.service_trust_statement(service, condition)])


@dataclass(frozen=True)
class ServiceRole:
    role: Any  # aws.iam_role.IamRole
    policy: Any  # aws.iam_role_policy.IamRolePolicy: depend on it, not the role, before first use

    @cached_property
    def arn(self) -> str:
        # Read once: every read of an engine attribute is a round trip to the engine that
        # makes a new token for the same reference (`${aws_iam_role.<id>.arn}`).
        return self.role.arn


def service_role(
    scope: Construct,
    id: str,
    *,
    name: str,
    service: str,
    statements: Sequence[policy.Statement],
    description: str,
    trust_condition: dict[str, Any] | None = None,
) -> ServiceRole:
    """Role assumable only by ``service``, with ``statements`` as its only permissions.

    The inline policy is a separate resource so that Terraform replaces permissions in
    place; no managed policies are attached, so the role never gains actions silently
    when AWS updates a managed policy.
    """
    role = aws.iam_role.IamRole(
        scope,
        id,
        name=name,
        description=description,
        assume_role_policy=policy.render(trust_policy(service, trust_condition)),
    )
    inline = aws.iam_role_policy.IamRolePolicy(
        scope,
        f"{id}-policy",
        name="least-privilege",
        role=role.id,
        policy=policy.render(policy.document(statements)),
    )
    return ServiceRole(role, inline)


def encrypted_log_group(
    scope: Construct, id: str, *, name: str, kms_key_arn: str, retention_days: int = LOG_RETENTION_DAYS
):
    """A KMS-encrypted log group with retention, protected from ``terraform destroy``:
    its events are the audit and error record of the component (deleting the group
    deletes them)."""
    return aws.cloudwatch_log_group.CloudwatchLogGroup(
        scope,
        id,
        name=name,
        kms_key_id=kms_key_arn,
        retention_in_days=retention_days,
        lifecycle={"prevent_destroy": True},
    )
