"""Plain-dict IAM policy building blocks.

Policies are built as Python data, not Terraform tokens, so that the synthesized JSON
contains them literally: reviewers read them in the plan, and the test suite evaluates
them offline with a real IAM policy engine. Keep this module free of cdktf imports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..aws import arns
from ..aws.terraform_text import literal_except_tokens

Statement = dict[str, Any]

__all__ = [
    "deny_customer_keys",
    "Statement",
    "document",
    "render",
    "to_json",
    "PRINCIPAL_ACCOUNT",
    "deny_insecure_transport",
    "bucket_arns",
    "account_root",
    "key_admin_statement",
    "logs_key_statement",
    "s3_log_delivery_statement",
    "service_trust_statement",
]


#: The policy variable central policies key per-account paths by.
PRINCIPAL_ACCOUNT = "${aws:PrincipalAccount}"


def document(statements: Iterable[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def service_trust_statement(service: str, condition: dict[str, Any] | None = None) -> Statement:
    """A role's trust statement: AWS service principal ``service`` may assume it, under
    ``condition`` (the confused-deputy pin, e.g. ``aws:SourceAccount``) when given."""
    statement: Statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


def to_json(doc: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys, minified): the document exactly as AWS receives it.

    For AWS API calls (boto3) and size limits; for Terraform JSON use :func:`render`.
    """
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def render(doc: dict[str, Any]) -> str:
    """:func:`to_json` as a Terraform string: byte-identical run to run, and evaluated by
    Terraform to exactly :func:`to_json` (tokens resolved).

    Terraform reads ``${...}`` in any string as an interpolation, so IAM policy variables
    are escaped (``$${aws:PrincipalAccount}``) by :mod:`silolake.aws.terraform_text`, the one
    place silolake escapes; cdktf tokens stay live and become Terraform references
    (``${aws_kms_key.x.arn}``). Do not escape the result again: Terraform would deliver
    ``$${aws:...}`` (``tests/delivered.py`` proves what it delivers).
    """
    return literal_except_tokens(to_json(doc))


def deny_insecure_transport(resources: list[str]) -> Statement:
    """Refuse any request not made over TLS (the standard S3 guardrail)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def bucket_arns(partition: str, bucket: str) -> list[str]:
    """The bucket and all its objects, in ``partition`` (:func:`silolake.aws.arns.partition_of`)."""
    return [arns.s3(partition, bucket), arns.s3(partition, bucket, "*")]


def account_root(partition: str, account_id: str) -> str:
    return arns.account_root(partition, account_id)


def key_admin_statement(partition: str, account_id: str) -> Statement:
    """Delegate key management to IAM in the owning account.

    Without it a key can become unmanageable (AWS's key-policy lockout); access to data
    is still bounded by IAM policies in that account and by the other statements.
    """
    return {
        "Sid": "AccountAdministersKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": account_root(partition, account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }


def logs_key_statement(account_id: str, region: str) -> Statement:
    """Let CloudWatch Logs in this account encrypt log groups with the key."""
    return {
        "Sid": "CloudWatchLogsEncryptsLogGroups",
        "Effect": "Allow",
        "Principal": {"Service": arns.regional_service_principal("logs", region)},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {
            "ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns.regional("logs", region, account_id, "*")}
        },
    }


def deny_customer_keys(partition: str, bucket: str) -> Statement:
    """Refuse uploads encrypted with a key the caller brings (SSE-C).

    S3 keeps no copy of an SSE-C key: nothing downstream (landing, the malware scan, Glue)
    could read such an object, and every later read would need the partner's key. The
    request carries ``x-amz-server-side-encryption-customer-algorithm`` exactly when it
    asks for SSE-C (a multipart upload states it on create, where this applies too).
    """
    return {
        "Sid": "DenyCustomerProvidedKeys",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:PutObject",
        "Resource": arns.s3(partition, bucket, "*"),
        "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
    }


def s3_log_delivery_statement(partition: str, log_bucket: str, source_account: str) -> Statement:
    """Let S3 server access logging (only from this account's buckets) write logs."""
    return {
        "Sid": "S3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": arns.service_principal("logging.s3", partition)},
        "Action": "s3:PutObject",
        "Resource": arns.s3(partition, log_bucket, "*"),
        "Condition": {"StringEquals": {"aws:SourceAccount": source_account}},
    }
