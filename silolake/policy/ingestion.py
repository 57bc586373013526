"""Least-privilege policies of streaming ingestion (API Gateway -> Firehose), as plain statements.

The constructs in ``silolake/constructs/ingestion`` and ``constructs/account`` (API Gateway's
account-wide logging role) attach them; ``tests/constructs/ingestion/test_api_ingestion.py`` and the IAM proofs
under ``tests/iam`` evaluate them. ARNs come from :mod:`silolake.aws.arns` in the partition
of the region. Never imports cdktf.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..aws import arns, names
from .documents import Statement

_ERRORS = names.SYSTEM_PREFIXES["errors"]

#: Log stream Firehose writes delivery and conversion errors to (it does not create it).
LOG_STREAM = "DestinationDelivery"


def object_prefixes(flow: str) -> list[str]:
    """Key prefixes (static part) a flow's stream may write under: its data and its errors
    (under the system prefix ``_errors/``, :data:`silolake.aws.names.SYSTEM_PREFIXES`)."""
    return [f"{flow}/", f"{_ERRORS}{flow}/"]


def api_logging_statements(region: str, account_id: str, access_log_group: str) -> list[Statement]:
    """API Gateway's account-wide logging role, scoped to the groups it writes.

    ``API-Gateway-Execution-Logs_*`` is the fixed name pattern of execution logs (the
    ingestion construct creates the group per stage itself to set KMS and retention; the
    pattern also covers a group API Gateway creates for a stage added later).
    """
    groups = [
        arns.log_group(region, account_id, "API-Gateway-Execution-Logs_*"),
        arns.log_group(region, account_id, access_log_group),
    ]
    return [
        {
            "Sid": "WriteApiLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": groups + [f"{g}:log-stream:*" for g in groups],
        },
        {
            "Sid": "FindLogGroups",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": arns.log_group(region, account_id, "*"),
        },
    ]


def api_role_statements(stream_arns: Sequence[str]) -> list[Statement]:
    """The gateway may put records into the silo's api-flow streams and nothing else."""
    return [
        {
            "Sid": "PutIntoFlowStreams",
            "Effect": "Allow",
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Resource": sorted(stream_arns),
        }
    ]


def closed_api_statements() -> list[Statement]:
    """Resource policy of a decommissioned silo's API: every call is refused.

    Decommission stops intake without destroying anything: the API, streams and data stay
    (an explicit deny beats any identity policy a partner still holds), and setting
    ``decommission: false`` again reopens it.
    """
    return [
        {
            "Sid": "SiloDecommissioned",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
        }
    ]


def delivery_role_statements(
    *, bucket: str, flow: str, region: str, account_id: str, database: str, table: str, log_group: str, key_arn: str
) -> list[Statement]:
    """Everything a flow's Firehose role may do: that flow's prefixes, table, key, log stream.

    Pure function of names, so the policy is literal in the synthesized JSON and tests
    evaluate it offline (only ``key_arn`` is a Terraform reference: key ids are random).
    """
    bucket_arn = arns.s3(arns.partition_of(region), bucket)
    objects = [f"{bucket_arn}/{p}*" for p in object_prefixes(flow)]

    def glue(resource: str) -> str:
        return arns.regional("glue", region, account_id, resource)

    return [
        {
            "Sid": "LocateBucket",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            "Resource": bucket_arn,
        },
        {
            "Sid": "ListOwnPrefixes",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{p}*" for p in object_prefixes(flow)]}},
        },
        {
            "Sid": "WriteOwnPrefixes",
            "Effect": "Allow",
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Resource": objects,
        },
        {
            "Sid": "ReadSchemaTable",
            "Effect": "Allow",
            "Action": ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
            "Resource": [glue("catalog"), glue(f"database/{database}"), glue(f"table/{database}/{table}")],
        },
        # Only through S3 and only for this bucket: with S3 Bucket Keys the encryption
        # context is the bucket ARN, without them the object ARN; allow both forms.
        {
            "Sid": "EncryptOwnObjects",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": arns.service_endpoint("s3", region)},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, *objects]},
            },
        },
        # The silo key also encrypts the Glue Data Catalog: reading the table's schema
        # means decrypting its metadata, through Glue only.
        {
            "Sid": "DecryptSchemaMetadata",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": arns.service_endpoint("glue", region)}},
        },
        {
            "Sid": "LogDeliveryErrors",
            "Effect": "Allow",
            "Action": "logs:PutLogEvents",
            "Resource": f"{arns.log_group(region, account_id, log_group)}:log-stream:{LOG_STREAM}",
        },
    ]
