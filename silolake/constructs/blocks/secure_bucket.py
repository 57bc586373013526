"""An S3 bucket with every guardrail silolake requires, in one place.

Versioning, default encryption (SSE-KMS with bucket keys, or SSE-S3 where AWS allows
nothing else: server access log targets), all public access blocked, ACLs disabled,
a TLS-only bucket policy, server access logging and lifecycle hygiene. Buckets are
protected from ``terraform destroy`` and never ``force_destroy``: removing data must be
a deliberate act outside the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ... import policy
from ...engine.cdk import Construct, aws, typed


@dataclass(frozen=True)
class Lifecycle:
    noncurrent_version_days: int = 90
    abort_multipart_days: int = 7
    transition_days: int | None = None  # to STANDARD_IA
    expire_days: int | None = None  # only for scratch data such as query results
    #: ``(prefix, days)``: current objects under ``prefix`` expire after ``days`` (records
    #: that lose their use, such as the dropzone's status records).
    expire_prefixes: tuple[tuple[str, int], ...] = ()


class SecureBucket(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        partition: str,
        kms_key_arn: str | None,
        access_log_bucket: str | None,
        access_log_prefix: str = "",
        lifecycle: Lifecycle = Lifecycle(),
        statements: Sequence[policy.Statement] = (),
        protect: bool = True,
        object_lock_days: int | None = None,
        object_ownership: str = "BucketOwnerEnforced",
    ) -> None:
        """``partition``: the bucket's (its region's, :func:`silolake.aws.arns.partition_of`),
        for the ARNs of its policy. ``kms_key_arn=None`` selects SSE-S3 (only for access-log targets, which AWS
        cannot deliver to with SSE-KMS). ``access_log_bucket=None`` only for the log
        bucket itself. ``statements`` are added after the TLS-only deny.
        ``object_lock_days``: S3 Object Lock default retention in governance mode (see
        :meth:`_object_lock`); ``None`` leaves Object Lock off.
        ``object_ownership="BucketOwnerPreferred"`` (ACLs enabled) only for the one target
        that still requires ACLs: CloudFront standard logging."""
        super().__init__(scope, id)
        self.name = name
        self.bucket = aws.s3_bucket.S3Bucket(
            self, "bucket", bucket=name, force_destroy=False, lifecycle={"prevent_destroy": protect}
        )
        bucket_id = self.bucket.id
        versioning = aws.s3_bucket_versioning.S3BucketVersioningA(
            self, "versioning", bucket=bucket_id, versioning_configuration={"status": "Enabled"}
        )
        if object_lock_days:
            self._object_lock(bucket_id, object_lock_days, versioning)
        rule = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": kms_key_arn} if kms_key_arn else {"sseAlgorithm": "AES256"}
        typed(aws.s3_bucket_server_side_encryption_configuration.S3BucketServerSideEncryptionConfigurationA)(
            self,
            "encryption",
            bucket=bucket_id,
            rule=[{"applyServerSideEncryptionByDefault": rule, "bucketKeyEnabled": bool(kms_key_arn)}],
        )
        self.public_access = aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self,
            "public-access",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        aws.s3_bucket_ownership_controls.S3BucketOwnershipControls(
            self, "ownership", bucket=bucket_id, rule={"object_ownership": object_ownership}
        )
        if access_log_bucket:
            aws.s3_bucket_logging.S3BucketLoggingA(
                self,
                "logging",
                bucket=bucket_id,
                target_bucket=access_log_bucket,
                target_prefix=access_log_prefix or f"{name}/",
            )
        rules = [
            {
                "id": "abort-incomplete-multipart-uploads",
                "status": "Enabled",
                "filter": [{}],
                "abortIncompleteMultipartUpload": [{"daysAfterInitiation": lifecycle.abort_multipart_days}],
            },
            {
                "id": "expire-noncurrent-versions",
                "status": "Enabled",
                "filter": [{}],
                "noncurrentVersionExpiration": [{"noncurrentDays": lifecycle.noncurrent_version_days}],
            },
        ]
        if lifecycle.transition_days:
            rules.append(
                {
                    "id": "transition-to-infrequent-access",
                    "status": "Enabled",
                    "filter": [{}],
                    "transition": [{"days": lifecycle.transition_days, "storageClass": "STANDARD_IA"}],
                }
            )
        if lifecycle.expire_days:
            rules.append(
                {
                    "id": "expire-objects",
                    "status": "Enabled",
                    "filter": [{}],
                    "expiration": [{"days": lifecycle.expire_days}],
                }
            )
        for prefix, days in lifecycle.expire_prefixes:
            rules.append(
                {
                    "id": f"expire-{prefix.strip('/_').replace('/', '-')}",
                    "status": "Enabled",
                    "filter": [{"prefix": prefix}],
                    "expiration": [{"days": days}],
                }
            )
        typed(aws.s3_bucket_lifecycle_configuration.S3BucketLifecycleConfiguration)(
            self, "lifecycle", bucket=bucket_id, rule=rules
        )
        self.statements = [policy.deny_insecure_transport(policy.bucket_arns(partition, name)), *statements]
        self.policy = aws.s3_bucket_policy.S3BucketPolicy(
            self,
            "policy",
            bucket=bucket_id,
            policy=policy.render(policy.document(self.statements)),
            depends_on=[self.public_access],
        )

    def _object_lock(self, bucket_id: str, days: int, versioning) -> None:
        """Every new object version is retained ``days`` days in GOVERNANCE mode.

        Enabled through ``aws_s3_bucket_object_lock_configuration`` (``object_lock_enabled
        = "Enabled"``), not the bucket's own ``object_lock_enabled`` argument: in provider
        6.x that argument forces a new bucket, while S3 now enables Object Lock on an
        existing *versioned* bucket in place (the resource's ``token`` is deprecated and
        no longer needed), hence the dependency on versioning. Irreversible on AWS's side:
        a bucket with Object Lock keeps it (the default retention can still be changed).

        Governance, not compliance: a principal with ``s3:BypassGovernanceRetention`` can
        still remove a version (a court order, a GDPR erasure), and the silos-OU SCP
        grants that to the deploy role only. Lifecycle expiry waits for the retention.
        """
        aws.s3_bucket_object_lock_configuration.S3BucketObjectLockConfigurationA(
            self,
            "object-lock",
            bucket=bucket_id,
            object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": "GOVERNANCE", "days": days}},
            depends_on=[versioning],
        )


def access_log_bucket(
    scope: Construct, id: str, *, name: str, partition: str, account_id: str, lifecycle: Lifecycle = Lifecycle()
) -> SecureBucket:
    """The S3 server access log target of an account's buckets: SSE-S3 (log delivery cannot
    use SSE-KMS), not logged itself, writable only by log delivery for this account."""
    return SecureBucket(
        scope,
        id,
        name=name,
        partition=partition,
        kms_key_arn=None,
        access_log_bucket=None,
        lifecycle=lifecycle,
        statements=[policy.s3_log_delivery_statement(partition, name, account_id)],
    )
