"""Terraform state buckets: what bootstrap guarantees about each, and how it checks.

Every check reads the current configuration and yields a fix only for what is
missing, so running bootstrap again makes no write call. Defaults (SSE-S3, not SSE-KMS):
the S3 backend runs with ``encrypt = true`` and no KMS key, so Terraform sends
``x-amz-server-side-encryption: AES256`` on every state write and state objects are
SSE-S3 whatever the bucket default says; a KMS default would only look stronger. An
existing default (say a KMS key someone chose) is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from botocore.exceptions import ClientError

from .. import policy
from ..aws import arns
from ..errors import AwsError

_TLS_SID = "DenyInsecureTransport"


class BucketNotAccessible(AwsError):
    """The name exists but this account cannot use it (usually: another account owns it)."""


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "Unknown")


def create_bucket(s3, bucket: str, region: str) -> None:
    config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **config)


VERSIONING = "enable versioning"
ENCRYPTION = "default encryption SSE-S3 (AES256)"
PUBLIC_ACCESS = "block all public access"
OWNERSHIP = "object ownership BucketOwnerEnforced (ACLs disabled)"
TLS_POLICY = "bucket policy denying non-TLS requests"
ALL_GUARDRAILS = (VERSIONING, ENCRYPTION, PUBLIC_ACCESS, OWNERSHIP, TLS_POLICY)


def _tls_statement(partition: str, bucket: str) -> dict:
    return policy.deny_insecure_transport(policy.bucket_arns(partition, bucket))


def _canonical(value):
    """Policy JSON up to the rewrites AWS may apply when it stores a policy: a one-item
    list is its item, list order does not matter, ``{"AWS": "*"}`` is ``"*"``."""
    if isinstance(value, dict):
        if value == {"AWS": "*"}:
            return "*"
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return items[0] if len(items) == 1 else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def bucket_missing(s3, bucket: str) -> bool:
    """Whether ``bucket`` does not exist; :class:`BucketNotAccessible` if it exists elsewhere."""
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return True
        if error_code(exc) in ("403", "AccessDenied", "Forbidden"):
            raise BucketNotAccessible(bucket) from None
        raise


def _get(call, absent: tuple[str, ...]):
    """Result of a read call, or None when AWS says the configuration does not exist."""
    try:
        return call()
    except ClientError as exc:
        if error_code(exc) in absent:
            return None
        raise


def guardrail_fixes(s3, bucket: str) -> list[tuple[str, Callable[[], object]]]:
    """(description, apply) for every guardrail the bucket lacks; all of them for a new bucket.
    ``s3`` is a client of the bucket's region (its partition names the bucket in the TLS policy)."""
    partition = arns.partition_of(s3.meta.region_name)
    fixes: list[tuple[str, Callable[[], object]]] = []
    versioning = _get(lambda: s3.get_bucket_versioning(Bucket=bucket), ())
    if (versioning or {}).get("Status") != "Enabled":
        fixes.append(
            (VERSIONING, lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}))
        )
    encryption = _get(
        lambda: s3.get_bucket_encryption(Bucket=bucket), ("ServerSideEncryptionConfigurationNotFoundError",)
    )
    if not (encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules"):
        fixes.append(
            (
                ENCRYPTION,
                lambda: s3.put_bucket_encryption(
                    Bucket=bucket,
                    ServerSideEncryptionConfiguration={
                        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                    },
                ),
            )
        )
    wanted_pab = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    pab = _get(lambda: s3.get_public_access_block(Bucket=bucket), ("NoSuchPublicAccessBlockConfiguration",))
    if (pab or {}).get("PublicAccessBlockConfiguration") != wanted_pab:
        fixes.append(
            (
                PUBLIC_ACCESS,
                lambda: s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=wanted_pab),
            )
        )
    owner = _get(lambda: s3.get_bucket_ownership_controls(Bucket=bucket), ("OwnershipControlsNotFoundError",))
    rules = (owner or {}).get("OwnershipControls", {}).get("Rules", [])
    if [r.get("ObjectOwnership") for r in rules] != ["BucketOwnerEnforced"]:
        fixes.append(
            (
                OWNERSHIP,
                lambda: s3.put_bucket_ownership_controls(
                    Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
                ),
            )
        )
    current = _get(lambda: s3.get_bucket_policy(Bucket=bucket), ("NoSuchBucketPolicy",))
    doc = json.loads(current["Policy"]) if current else policy.document([])
    present = doc.get("Statement", [])
    present = [present] if isinstance(present, dict) else present
    statements = [s for s in present if s.get("Sid") != _TLS_SID]
    wanted = _canonical(_tls_statement(partition, bucket))
    if not any(_canonical(s) == wanted for s in present):
        # Other statements someone added are kept: only ours is (re)placed.
        new_doc = policy.document([_tls_statement(partition, bucket), *statements])
        fixes.append((TLS_POLICY, lambda: s3.put_bucket_policy(Bucket=bucket, Policy=policy.to_json(new_doc))))
    return fixes
