"""Bucket-policy statements every silo zone bucket carries (``constructs/storage/silo_storage.py``).

Plain statements, never imports cdktf; ARNs in the bucket's ``partition``
(:mod:`silolake.aws.arns`). ``tests/constructs/storage/test_silo_storage.py`` evaluates them with the IAM engine.
"""

from __future__ import annotations

from ..aws import arns
from .documents import Statement


def deny_foreign_encryption(partition: str, bucket: str, key_arn: str) -> list[Statement]:
    """Refuse uploads that ask for another encryption than the silo key.

    Writers that rely on the bucket default and send no encryption header (Firehose,
    Transfer, Glue) are unaffected: each statement only fires when the request *carries*
    a header (``Null: false``) with a wrong value. Denied: SSE-S3; another key (objects no
    reader of this silo could decrypt); and ``aws:kms`` without a key id, for which S3
    would use the account's AWS managed ``aws/s3`` key, which no cross-account reader
    can use. ``StringNotEquals`` or ``...IfExists`` alone would also deny a missing header.
    """
    algorithm, key_id = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"

    def deny(sid: str, condition: dict) -> Statement:
        return {
            "Sid": sid,
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:PutObject",
            "Resource": arns.s3(partition, bucket, "*"),
            "Condition": condition,
        }

    return [
        deny("DenyNonKmsEncryption", {"Null": {algorithm: "false"}, "StringNotEquals": {algorithm: "aws:kms"}}),
        deny("DenyForeignKmsKey", {"Null": {key_id: "false"}, "StringNotEquals": {key_id: key_arn}}),
        deny("DenyAwsManagedKmsKey", {"Null": {algorithm: "false", key_id: "true"}}),
    ]


def deny_outside_account(partition: str, bucket: str, account_id: str) -> Statement:
    """No principal of another account may touch a private zone, whatever it is granted.

    Private zones (everything but ``processed``) have no cross-account grant today; this
    explicit deny keeps it so if a statement is ever added by mistake, and it cannot be
    overridden by any allow. AWS service principals (S3 log delivery) carry no
    principal account and are exempt; in-account roles (pipelines, partners' vended
    sessions, Transfer) are unaffected.
    """
    return {
        "Sid": "DenyOtherAccounts",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [arns.s3(partition, bucket), arns.s3(partition, bucket, "*")],
        "Condition": {
            "StringNotEquals": {"aws:PrincipalAccount": account_id},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
