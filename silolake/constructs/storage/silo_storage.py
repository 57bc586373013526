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

from ... import policy
from ...aws import names
from ...catalog.model import Silo
from ...engine.cdk import Construct, aws
from ...policy import dropzone
from ...policy.storage import deny_foreign_encryption, deny_outside_account
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import Lifecycle, SecureBucket
from ..context import SiloAddress

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


class SiloStorage(Construct):
    """The key and zone buckets of the silo in its own account (``ctx``: :class:`SiloAddress`).

    ``processed_statements`` are added to the processed bucket policy and
    ``key_statements`` to the key policy: the analytics sharing grants. They exist only
    for ``processed``; every other zone denies all principals of other accounts
    (:func:`silolake.policy.storage.deny_outside_account`), so raw and dropzone data can never be shared.
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
        ctx: SiloAddress,
        processed_statements: Sequence[policy.Statement] = (),
        key_statements: Sequence[policy.Statement] = (),
        dropzone_statements: Sequence[policy.Statement] = (),
        athena_statements: Sequence[policy.Statement] = (),
    ) -> None:
        super().__init__(scope, id)
        silo = self.silo = ctx.silo
        account_id, region, partition = ctx.account_id, ctx.region, ctx.partition
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
        bucket_names = {zone: ctx.bucket_name(zone) for zone in names.ZONES}
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
                    deny_outside_account(partition, logs_name, account_id),
                    policy.s3_log_delivery_statement(partition, logs_name, account_id),
                ],
                partition=partition,
            ),
        }
        for zone in KMS_ZONES:
            name = bucket_names[zone]
            extra = (
                list(processed_statements)
                if zone == "processed"
                else [deny_outside_account(partition, name, account_id)]
            )
            if zone == "dropzone":
                extra += [policy.deny_customer_keys(partition, name), *dropzone_statements]
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
                statements=[*deny_foreign_encryption(partition, name, self.key.arn), *extra],
                object_lock_days=silo.storage.object_lock_days if zone in RECOVERY_ZONES else None,
                partition=partition,
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
