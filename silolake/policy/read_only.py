"""The GitHub OIDC plan role's grant beside ``ReadOnlyAccess``: state, lock, and what it never reads.

A pull request runs any workflow code it likes with this role, so the role reads
configuration and state and nothing the lake holds. The denies are not a hand list: they
are :data:`silolake.policy.data_reads.DATA_READS`, derived from the AWS service
authorization data by :mod:`silolake.ops.iam.read_actions` (every Read or List action of
the lake's services that returns data, logs, query text or results, execution history,
secrets, parameters or user directories).

Two reads stay where Terraform itself needs them to refresh what the stacks hold:

* objects under the ``_silolake/`` prefixes, the partner pages and the state bucket
  (``aws_s3_object``, the state): the object-read deny names every other object;
* AWS's public parameters (``/aws/service/...``, the Powertools layer's ARN the partner
  functions read with ``data.aws_ssm_parameter``): the parameter-read deny names every
  other parameter. Public parameters hold no data of the lake.

In the management account the role is narrower still (:data:`MANAGEMENT_DENIED_SERVICES`):
the org stack holds organization structure and SCPs only, so nothing of Identity Center,
CloudTrail or billing is read there.
"""

from __future__ import annotations

from ..aws import arns, names
from .data_reads import DATA_READS
from .documents import Statement

#: Terraform's S3 backend: state read and write, native lock file create and delete.
STATE_OBJECT_RW = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
#: The object reads among :data:`DATA_READS`, scoped apart (Terraform's own objects stay readable).
OBJECT_READS = tuple(a for a in DATA_READS["data"] if a.startswith("s3:GetObject"))
#: The parameter reads, scoped apart (AWS's public parameters stay readable).
PARAMETER_READS = DATA_READS["parameters"]
#: Every other read of :data:`DATA_READS`, denied on every resource.
OTHER_READS = tuple(
    sorted(a for actions in DATA_READS.values() for a in actions if a not in OBJECT_READS + PARAMETER_READS)
)
#: AWS public parameters (Systems Manager User Guide, "Discovering public parameters"): no data;
#: the resource part of their ARN, any region and account of the stack's partition.
#: Their ARNs carry no account (``arn:aws:ssm:<region>::parameter/aws/service/...``); ``*``
#: matches the empty account field as well as any account's look-alike path, which also
#: holds only names AWS reserves (``/aws/`` cannot be created by an account).
PUBLIC_PARAMETERS = "parameter/aws/service/*"

#: Services the management account's plan role never reads: Identity Center (its directory
#: and assignments), CloudTrail (event history, Lake queries) and billing, cost and
#: account-payment data. The org stack holds none of their resources.
MANAGEMENT_DENIED_SERVICES = (
    "aws-portal",
    "bcm-data-exports",
    "billing",
    "budgets",
    "ce",
    "cloudtrail",
    "consolidatedbilling",
    "cur",
    "freetier",
    "identitystore",
    "invoicing",
    "payments",
    "sso",
    "sso-directory",
    "tax",
)


def github_plan_statements(
    *, partition: str, org: str, state_bucket: str, state_key: str, management: bool = False
) -> list[Statement]:
    """Statements of the plan role's inline policy: list and read the stack's state, take its
    lock (``<key>.tflock``), and the denies of :data:`DATA_READS`; with ``management``, the
    denies of :data:`MANAGEMENT_DENIED_SERVICES` too. ARNs are of ``partition`` (the stack's)."""
    lock = f"{state_key}.tflock"
    statements: list[Statement] = [
        {
            "Sid": "ListState",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": arns.s3(partition, state_bucket),
        },
        {
            "Sid": "ReadState",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": arns.s3(partition, state_bucket, state_key),
        },
        {
            "Sid": "TakeStateLock",
            "Effect": "Allow",
            "Action": list(STATE_OBJECT_RW),
            "Resource": arns.s3(partition, state_bucket, lock),
        },
        {"Sid": "NoDataReads", "Effect": "Deny", "Action": list(OTHER_READS), "Resource": "*"},
        {
            "Sid": "NoParameterReadsButPublic",
            "Effect": "Deny",
            "Action": list(PARAMETER_READS),
            "NotResource": arns.any_region(partition, "ssm", PUBLIC_PARAMETERS),
        },
        {
            "Sid": "NoObjectReadsButTerraformOwn",
            "Effect": "Deny",
            "Action": list(OBJECT_READS),
            "NotResource": [
                arns.s3(partition, state_bucket, "*"),
                arns.s3(partition, "*", f"{names.SYSTEM_PREFIXES['silolake']}*"),
                arns.s3(partition, names.silo_bucket_pattern(org, "web"), "*"),
            ],
        },
    ]
    if management:
        statements.append(
            {
                "Sid": "NoDirectoryHistoryOrBilling",
                "Effect": "Deny",
                "Action": [f"{service}:*" for service in MANAGEMENT_DENIED_SERVICES],
                "Resource": "*",
            }
        )
    return statements
