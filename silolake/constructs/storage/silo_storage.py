"""The storage of one silo: its customer-managed key and one bucket per data zone.

Zones (``names.ZONES``) and why each is its own bucket rather than a prefix:

- ``dropzone``: partner file uploads (SFTP, web upload) exactly as received.
- ``raw``: landed data (Firehose Parquet output, files moved out of the dropzone).
- ``processed``: conformed Parquet; the *only* zone analytics consumers may read.
- ``athena``: query results of the silo's own Athena use; scratch, expires.
- ``logs``: S3 server access logs of all the other buckets.

A bucket per zone means sharing is a bucket policy on ``processed`` alone: no prefix
condition that a later policy edit could widen to raw or dropzone data by accident.

Every data bucket is SSE-KMS with the silo key (bucket keys on, so KMS request costs do
not scale with object count). The logs bucket is the one exception, SSE-S3, because S3
server access logging cannot deliver to a bucket whose default encryption is SSE-KMS.

Data safety: buckets and key keep ``prevent_destroy`` in every silo state, including
decommission. Decommission revokes sharing (the caller passes no sharing statements)
but never deletes data; deleting a silo's data is a deliberate act outside the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import names, policy
from ...catalog.model import DeployedSilo, Silo
from ...cdk import Construct, aws
from ...policy import dropzone
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import Lifecycle, SecureBucket

#: Athena query results are scratch data: re-running a query recreates them.
ATHENA_RESULTS_EXPIRE_DAYS = 30
#: Zones whose data is encrypted with the silo key (all but the access-log target).
KMS_ZONES = tuple(z for z in names.ZONES if z != "logs")
#: Zones that get the silo's recovery floor (``storage.recovery.object_lock_days``): the
#: landed and the conformed data. The dropzone is a transit area emptied by the mover,
#: athena holds scratch results and logs must stay a valid access-log target (S3 cannot
#: deliver server access logs to a bucket with Object Lock).
RECOVERY_ZONES = ("raw", "processed")
#: Zones whose object events go to EventBridge: pipelines react to arrivals there.
EVENT_ZONES = ("dropzone", "raw", "processed")


def zone_lifecycle(silo: Silo, zone: str) -> Lifecycle:
    """Lifecycle rules of one zone, from the silo's ``storage`` settings.

    Noncurrent versions expire after ``storage.noncurrent_version_days`` everywhere
    (versioning protects against overwrites, not forever); only ``raw`` transitions to
    infrequent access (landed data is read once by ETL, then rarely); only ``athena``
    expires current objects, and ``dropzone`` its status records after
    :data:`silolake.policy.dropzone.STATUS_RECORD_DAYS`.
    """
    storage = silo.storage
    return Lifecycle(
        noncurrent_version_days=storage.noncurrent_version_days,
        transition_days=storage.raw_transition_days if zone == "raw" else None,
        expire_days=ATHENA_RESULTS_EXPIRE_DAYS if zone == "athena" else None,
        expire_prefixes=((names.STATUS_PREFIX, dropzone.STATUS_RECORD_DAYS),) if zone == "dropzone" else (),
    )


def deny_foreign_encryption(bucket: str, key_arn: str) -> list[policy.Statement]:
    """Refuse uploads that ask for another encryption than the silo key.

    Writers that rely on the bucket default and send no encryption header (Firehose,
    Transfer, Glue) are unaffected: each statement only fires when the request *carries*
    a header (``Null: false``) with a wrong value. Denied: SSE-S3; another key (objects no
    reader of this silo could decrypt); and ``aws:kms`` without a key id, for which S3
    would use the account's AWS managed ``aws/s3`` key, which no cross-account reader
    can use. ``StringNotEquals`` or ``...IfExists`` alone would also deny a missing header.
    """
    algorithm, key_id = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"

    def deny(sid: str, condition: dict) -> policy.Statement:
        return {
            "Sid": sid,
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": condition,
        }

    return [
        deny("DenyNonKmsEncryption", {"Null": {algorithm: "false"}, "StringNotEquals": {algorithm: "aws:kms"}}),
        deny("DenyForeignKmsKey", {"Null": {key_id: "false"}, "StringNotEquals": {key_id: key_arn}}),
        deny("DenyAwsManagedKmsKey", {"Null": {algorithm: "false", key_id: "true"}}),
    ]


def deny_outside_account(bucket: str, account_id: str) -> policy.Statement:
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
        "Resource": policy.bucket_arns(bucket),
        "Condition": {
            "StringNotEquals": {"aws:PrincipalAccount": account_id},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }


class SiloStorage(Construct):
    """The key and zone buckets of ``silo`` in its own account.

    ``processed_statements`` are added to the processed bucket policy and
    ``key_statements`` to the key policy: the analytics sharing grants. They exist only
    for ``processed``; every other zone denies all principals of other accounts
    (:func:`deny_outside_account`), so raw and dropzone data can never be shared.
    ``dropzone_statements`` are added to the dropzone's policy (the ETL's malware hold),
    after :func:`silolake.policy.deny_customer_keys`; ``athena_statements`` to the athena bucket's policy
    (QuickSight's access to query results).

    Attributes: ``key`` (:class:`CustomerKey`), ``buckets`` (zone -> :class:`SecureBucket`),
    ``notifications`` (zone -> EventBridge notification of dropzone, raw, processed).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        org: str,
        silo: DeployedSilo,
        processed_statements: Sequence[policy.Statement] = (),
        key_statements: Sequence[policy.Statement] = (),
        dropzone_statements: Sequence[policy.Statement] = (),
        athena_statements: Sequence[policy.Statement] = (),
    ) -> None:
        super().__init__(scope, id)
        self.silo = silo
        account_id, region = silo.account_id, silo.region
        self.key = CustomerKey(
            self,
            "key",
            alias=names.silo_key_alias(silo.name),
            description=f"silolake silo '{silo.name}': data at rest in every data zone and the Glue catalog",
            account_id=account_id,
            region=region,
            statements=key_statements,
            protect=True,
        )
        bucket_names = {zone: names.silo_bucket(org, silo.name, zone, account_id, region) for zone in names.ZONES}
        logs_name = bucket_names["logs"]
        self.buckets: dict[str, SecureBucket] = {
            "logs": SecureBucket(
                self,
                "logs",
                name=logs_name,
                kms_key_arn=None,
                access_log_bucket=None,
                lifecycle=zone_lifecycle(silo, "logs"),
                statements=[
                    deny_outside_account(logs_name, account_id),
                    policy.s3_log_delivery_statement(logs_name, account_id),
                ],
            ),
        }
        for zone in KMS_ZONES:
            name = bucket_names[zone]
            extra = list(processed_statements) if zone == "processed" else [deny_outside_account(name, account_id)]
            if zone == "dropzone":
                extra += [policy.deny_customer_keys(name), *dropzone_statements]
            if zone == "athena":
                extra += athena_statements
            self.buckets[zone] = SecureBucket(
                self,
                zone,
                name=name,
                kms_key_arn=self.key.arn,
                access_log_bucket=logs_name,
                access_log_prefix=f"{zone}/",
                lifecycle=zone_lifecycle(silo, zone),
                statements=[*deny_foreign_encryption(name, self.key.arn), *extra],
                object_lock_days=silo.storage.object_lock_days if zone in RECOVERY_ZONES else None,
            )
        # S3 allows one notification configuration per bucket; routing every event to
        # EventBridge lets later pipelines (file mover, ETL triggers) attach rules
        # without editing it. Query results and access logs trigger nothing.
        self.notifications = {
            zone: aws.s3_bucket_notification.S3BucketNotification(
                self, f"{zone}-events", bucket=self.buckets[zone].bucket.id, eventbridge=True
            )
            for zone in EVENT_ZONES
        }
