"""``SecureBucket`` and ``access_log_bucket``: every guardrail silolake requires of a bucket,
read from the synthesized stack (S3 User Guide, "Security best practices for Amazon S3")."""

from __future__ import annotations

from tests.constructs.blocks.conftest import ACCOUNT, only
from tests.stackjson import policy_json

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
READ = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}


def _bucket(block_stack, **kwargs) -> dict:
    from silolake.constructs.blocks import SecureBucket

    SecureBucket(block_stack.scope, "raw", name="acme-sales-raw", partition="aws", **kwargs)
    return block_stack.synth()


def test_a_data_bucket_is_versioned_kms_encrypted_private_logged_and_tls_only(block_stack) -> None:
    doc = _bucket(block_stack, kms_key_arn=KEY, access_log_bucket="acme-logs", statements=[READ])
    bucket = only(doc, "aws_s3_bucket")
    assert bucket["bucket"] == "acme-sales-raw"
    assert bucket["force_destroy"] is False and bucket["lifecycle"]["prevent_destroy"] is True
    assert only(doc, "aws_s3_bucket_versioning")["versioning_configuration"] == {"status": "Enabled"}
    [sse] = only(doc, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert sse["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}
    assert sse["bucket_key_enabled"] is True
    block = only(doc, "aws_s3_bucket_public_access_block")
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert only(doc, "aws_s3_bucket_ownership_controls")["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    logging = only(doc, "aws_s3_bucket_logging")
    assert logging["target_bucket"] == "acme-logs" and logging["target_prefix"] == "acme-sales-raw/"
    bucket_policy = only(doc, "aws_s3_bucket_policy")
    deny, read = policy_json(bucket_policy["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {r.split(":::")[1] for r in deny["Resource"]} == {"acme-sales-raw", "acme-sales-raw/*"}
    assert read == READ
    # the policy waits for the public access block: a policy first could be public for a moment
    assert any("aws_s3_bucket_public_access_block" in d for d in bucket_policy["depends_on"])
    assert "aws_s3_bucket_object_lock_configuration" not in doc["resource"]


def test_lifecycle_aborts_uploads_expires_old_versions_and_each_listed_prefix(block_stack) -> None:
    from silolake.constructs.blocks import Lifecycle

    lifecycle = Lifecycle(transition_days=30, expire_days=5, expire_prefixes=(("_status/", 14),))
    doc = _bucket(block_stack, kms_key_arn=KEY, access_log_bucket="acme-logs", lifecycle=lifecycle)
    rules = {r["id"]: r for r in only(doc, "aws_s3_bucket_lifecycle_configuration")["rule"]}
    assert rules["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload"] == [
        {"days_after_initiation": 7}
    ]
    assert rules["expire-noncurrent-versions"]["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rules["transition-to-infrequent-access"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert rules["expire-objects"]["expiration"] == [{"days": 5}]
    assert rules["expire-status"]["filter"] == [{"prefix": "_status/"}]
    assert rules["expire-status"]["expiration"] == [{"days": 14}]
    assert all(r["status"] == "Enabled" for r in rules.values())


def test_object_lock_is_governance_retention_after_versioning(block_stack) -> None:
    doc = _bucket(block_stack, kms_key_arn=KEY, access_log_bucket="acme-logs", object_lock_days=30)
    lock = only(doc, "aws_s3_bucket_object_lock_configuration")
    assert lock["object_lock_enabled"] == "Enabled"
    assert lock["rule"]["default_retention"] == {"mode": "GOVERNANCE", "days": 30}
    assert any("aws_s3_bucket_versioning" in d for d in lock["depends_on"])


def test_the_access_log_bucket_is_sse_s3_unlogged_and_written_only_by_log_delivery_for_its_account(
    block_stack,
) -> None:
    from silolake.constructs.blocks import access_log_bucket

    access_log_bucket(block_stack.scope, "logs", name="acme-logs", partition="aws", account_id=ACCOUNT)
    doc = block_stack.synth()
    [sse] = only(doc, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert sse["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    assert sse["bucket_key_enabled"] is False
    assert "aws_s3_bucket_logging" not in doc["resource"]
    _, delivery = policy_json(only(doc, "aws_s3_bucket_policy")["policy"])["Statement"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"} and delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"].endswith(":::acme-logs/*")
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
