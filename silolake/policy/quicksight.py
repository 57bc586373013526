"""What QuickSight's service role needs in a silo account, as plain dicts.

A flow with ``quicksight: true`` gets an Athena data source (:mod:`silolake.constructs.etl.pipeline`).
QuickSight runs its Athena queries as its service role, ``aws-quicksight-service-role-v0``
(path ``/service-role/``), which QuickSight creates at subscription and manages itself. That
role must read the processed data, read and write query results under the workgroup's
results prefix, and use the silo key for both (and for the encrypted Glue catalog).

Synthesized (resource policies, so no change to the role QuickSight owns):

- :func:`processed_statements` on the processed bucket: list and read;
- :func:`results_statements` on the athena bucket: list the results prefix, read and write
  objects under it (Athena writes results as the caller);
- :func:`key_statements` on the silo key: decrypt and generate data keys, only through S3 or
  Glue in the silo's region.

Every statement names ``Principal: *`` pinned by ``aws:PrincipalArn`` (the role's exact ARN)
and ``aws:PrincipalAccount`` (the silo account): a principal that names the role directly
would make S3 and KMS refuse the policy ("Invalid principal") until QuickSight is subscribed,
which would block the silo's key and buckets, not just the data source. A fixed principal
ARN keeps the buckets non-public for S3 Block Public Access. Within one account a resource
policy grant is enough for IAM; :func:`role_policy` is the same access as an identity policy
for QuickSight's own "S3 buckets" page (``silolake quicksight-policy``, docs/etl.md).
Nothing here reaches raw or the dropzone, and a decommissioned silo grants none of it.
"""

from __future__ import annotations

from ..aws import arns, names
from ..catalog.model import DeployedSilo
from . import documents as policy
from .documents import Statement

#: QuickSight's default service role (created with the subscription, managed by QuickSight).
SERVICE_ROLE = "aws-quicksight-service-role-v0"
SERVICE_ROLE_PATH = "/service-role/"
#: Name of the inline policy ``silolake quicksight-policy`` tells the admin to put on the role.
INLINE_POLICY = "silolake-athena-data"
BUCKET_READ = ("s3:GetBucketLocation", "s3:ListBucket")
OBJECT_READ = ("s3:GetObject",)
#: Athena writes results (multipart for large ones) as the caller.
RESULT_WRITE = ("s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject")
KEY_USE = ("kms:Decrypt", "kms:GenerateDataKey")


def service_role_arn(partition: str, account_id: str) -> str:
    return arns.role(partition, account_id, SERVICE_ROLE, SERVICE_ROLE_PATH)


def wanted(silo: DeployedSilo) -> bool:
    """Whether the silo has the QuickSight data source (a flow with ``quicksight: true``)."""
    return any(f.quicksight for f in silo.flows)


def granted(silo: DeployedSilo) -> bool:
    """Whether the silo's policies grant QuickSight's role: it has the data source and is not
    decommissioned (decommission revokes every read of processed data from outside the
    pipeline, sharing and QuickSight alike; the data source itself stays)."""
    return wanted(silo) and not silo.decommission


def _bucket(org: str, silo: DeployedSilo, zone: str) -> str:
    return names.silo_bucket(org, silo.name, zone, silo.account_id, silo.region)


def _pinned(partition: str, account_id: str) -> dict:
    return {
        "ArnEquals": {"aws:PrincipalArn": service_role_arn(partition, account_id)},
        "StringEquals": {"aws:PrincipalAccount": account_id},
    }


def _grant(
    sid: str, actions: tuple[str, ...], resource: str | list[str], silo: DeployedSilo, **extra: dict
) -> Statement:
    """Allow QuickSight's role of ``silo``'s account (and only it) ``actions`` on ``resource``."""
    condition = _pinned(arns.partition_of(silo.region), silo.account_id)
    for op, values in extra.items():
        condition.setdefault(op, {}).update(values)
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": list(actions),
        "Resource": resource,
        "Condition": condition,
    }


def processed_statements(org: str, silo: DeployedSilo) -> list[Statement]:
    """Processed bucket policy: QuickSight's role lists and reads (empty without the data source)."""
    if not granted(silo):
        return []
    bucket, partition = _bucket(org, silo, "processed"), arns.partition_of(silo.region)
    return [
        _grant("QuickSightReadsProcessed", (*BUCKET_READ, *OBJECT_READ), policy.bucket_arns(partition, bucket), silo)
    ]


def results_statements(org: str, silo: DeployedSilo) -> list[Statement]:
    """Athena bucket policy: QuickSight's role lists, reads and writes the results prefix only."""
    if not granted(silo):
        return []
    bucket, partition = _bucket(org, silo, "athena"), arns.partition_of(silo.region)
    prefix = names.ATHENA_RESULTS_PREFIX
    return [
        _grant("QuickSightFindsResultsBucket", ("s3:GetBucketLocation",), arns.s3(partition, bucket), silo),
        _grant(
            "QuickSightListsResults",
            ("s3:ListBucket",),
            arns.s3(partition, bucket),
            silo,
            StringLike={"s3:prefix": f"{prefix}*"},
        ),
        _grant(
            "QuickSightReadsWritesResults",
            (*OBJECT_READ, *RESULT_WRITE),
            arns.s3(partition, bucket, f"{prefix}*"),
            silo,
        ),
    ]


def key_statements(silo: DeployedSilo) -> list[Statement]:
    """Key policy: QuickSight's role decrypts and encrypts, only through S3 and Glue."""
    if not granted(silo):
        return []
    via = [arns.service_endpoint(svc, silo.region) for svc in ("glue", "s3")]
    return [_grant("QuickSightUsesKey", KEY_USE, "*", silo, StringEquals={"kms:ViaService": via})]


def role_policy(org: str, silo: DeployedSilo) -> dict:
    """The same access as an identity policy on QuickSight's role (for its "S3 buckets" page).

    The key's id is only known after apply, so the key is named by its alias
    (``kms:ResourceAliases``): any key of the silo account and region carrying it."""
    processed, athena = _bucket(org, silo, "processed"), _bucket(org, silo, "athena")
    prefix, partition = names.ATHENA_RESULTS_PREFIX, arns.partition_of(silo.region)
    via = [arns.service_endpoint(svc, silo.region) for svc in ("glue", "s3")]
    return policy.document(
        [
            {
                "Sid": "ReadProcessed",
                "Effect": "Allow",
                "Action": [*BUCKET_READ, *OBJECT_READ],
                "Resource": policy.bucket_arns(partition, processed),
            },
            {
                "Sid": "FindResultsBucket",
                "Effect": "Allow",
                "Action": "s3:GetBucketLocation",
                "Resource": arns.s3(partition, athena),
            },
            {
                "Sid": "ListResults",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": arns.s3(partition, athena),
                "Condition": {"StringLike": {"s3:prefix": f"{prefix}*"}},
            },
            {
                "Sid": "ReadWriteResults",
                "Effect": "Allow",
                "Action": [*OBJECT_READ, *RESULT_WRITE],
                "Resource": arns.s3(partition, athena, f"{prefix}*"),
            },
            {
                "Sid": "SiloKeyThroughS3AndGlue",
                "Effect": "Allow",
                "Action": list(KEY_USE),
                "Resource": arns.regional("kms", silo.region, silo.account_id, "key/*"),
                "Condition": {
                    "StringEquals": {"kms:ViaService": via},
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": f"alias/{names.silo_key_alias(silo.name)}"},
                },
            },
        ]
    )
