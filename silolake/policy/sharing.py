"""Cross-account sharing statements, scoped to organizational-unit paths.

Pure functions of the catalog (no cdktf import): the datalake stack puts the
artifacts statements on its bucket and key, each silo stack puts the analytics
statements on its *processed* bucket, its key and its Glue catalog. Keeping them
here, as plain dicts, lets the segregation proof evaluate exactly what is deployed.

Every grant carries the same three conditions (see :func:`principal_scope`):

* ``ArnLike aws:PrincipalArn`` - the caller is a role with the expected *name*
  (``silolake-*-pipeline``, or a consumer's reader roles);
* ``ForAnyValue:StringLike aws:PrincipalOrgPaths`` - the caller's account sits in the
  silos (or analytics) OU or below it. The key is multivalued, hence ``ForAnyValue``;
  the value is the OU path followed by ``*``, which matches the OU itself (an account
  directly in it reports ``o-x/r-x/ou-dl/ou-silos/``) and any nested OU;
* ``StringEquals aws:PrincipalOrgID`` - a *fixed* value. It adds no restriction the
  path does not already imply, but S3 Block Public Access treats a ``Principal: *``
  policy as public unless it is pinned to a fixed value such as the organization id,
  and would refuse the policy (``BlockPublicPolicy``) or ignore it
  (``RestrictPublicBuckets``). With it the buckets keep all four blocks on.

Nothing names a silo account: accounts join and leave the silos OU without any
policy changing. The organization and OU ids come from ``accounts.lock.json``
(recorded by ``silolake bootstrap``); without them no grant is produced at all
(fail closed) and :func:`notices` tells the user what to run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..aws import arns, delivery_names, names
from ..catalog.model import AnalyticsConsumer, Catalog, DeployedSilo, OrgLayout, Silo
from . import documents as policy
from .documents import Statement
from .scp import organization_partition

#: Role in the datalake account that publishes deployment bundles to the artifacts bucket.
PUBLISHER_PURPOSE = delivery_names.PUBLISHER_PURPOSE

#: Read-only object access: versions too, since bundles are pinned by version id.
ARTIFACT_OBJECT_READ = ("s3:GetObject", "s3:GetObjectVersion")
ARTIFACT_BUCKET_READ = ("s3:ListBucket",)
#: Bucket settings a CodePipeline S3 source reads (versioning status, region); no object data.
ARTIFACT_BUCKET_SETTINGS = ("s3:GetBucketLocation", "s3:GetBucketVersioning")
ARTIFACT_WRITE = ("s3:PutObject",)
#: Every request that creates, replaces or removes a bundle object (or its retention,
#: tags or ACL): denied to everyone but the publisher.
ARTIFACT_MUTATIONS = (
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionAcl",
    "s3:ReplicateDelete",
    "s3:ReplicateObject",
    "s3:ReplicateTags",
    "s3:RestoreObject",
)

#: What Athena needs on a source bucket to scan it (GetBucketLocation is called first).
PROCESSED_OBJECT_READ = ("s3:GetObject",)
PROCESSED_BUCKET_READ = ("s3:GetBucketLocation", "s3:ListBucket")

#: Read-only Data Catalog calls Athena makes for a query (no Create/Update/Delete).
GLUE_READ = (
    "glue:BatchGetPartition",
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
    "glue:GetTables",
)

#: S3 only ever asks KMS to decrypt on a reader's behalf; DescribeKey lets SDKs check the key.
KEY_READ = ("kms:Decrypt", "kms:DescribeKey")


def org_path_pattern(path: str) -> str:
    """``o-x/r-x/ou-a/ou-b/`` -> ``o-x/r-x/ou-a/ou-b/*``: the OU and every OU below it."""
    if not path.endswith("/"):
        raise ValueError(f"OU path must end with '/': {path!r}")
    return path + "*"


def principal_scope(layout: OrgLayout, ou_path: str, role_arns: Sequence[str]) -> dict:
    """The condition block every sharing grant carries (see the module docstring)."""
    arns = sorted(role_arns)
    return {
        "ArnLike": {"aws:PrincipalArn": arns[0] if len(arns) == 1 else arns},
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": org_path_pattern(ou_path)},
        "StringEquals": {"aws:PrincipalOrgID": layout.org_id},
    }


def _sid(*parts: str) -> str:
    """Statement ids must be alphanumeric: ``("AnalyticsRead", "company-bi")`` -> ``AnalyticsReadCompanyBi``."""
    return "".join(w[:1].upper() + w[1:] for p in parts for w in re.split(r"[^A-Za-z0-9]+", p) if w)


# --- the central artifacts bucket (datalake account) -------------------------------------------


def silo_pipeline_role_pattern(partition: str) -> str:
    """Every silo's pipeline role, in any account of ``partition`` (the OU path decides which
    accounts count)."""
    return arns.role(partition, "*", names.silo_role_pattern("pipeline"))


def publisher_role_arn(catalog: Catalog) -> str:
    return arns.role(
        organization_partition(catalog), catalog.datalake.account_id, names.datalake_role(PUBLISHER_PURPOSE)
    )


def own_bundles_arn(partition: str, bucket: str) -> str:
    """Objects under the *calling* account's bundle prefix (IAM policy variable)."""
    return arns.s3(partition, bucket, f"{delivery_names.bundle_prefix(policy.PRINCIPAL_ACCOUNT)}*")


def silolake_wheels_arn(partition: str, bucket: str) -> str:
    """Every silolake wheel in the artifacts bucket (``tools/silolake/*``)."""
    return arns.s3(partition, bucket, f"{delivery_names.SILOLAKE_WHEEL_PREFIX}*")


def provider_mirror_arn(partition: str, bucket: str) -> str:
    """Objects of the provider mirror (``providers/...``) in the artifacts bucket."""
    return arns.s3(partition, bucket, f"{delivery_names.PROVIDER_MIRROR_PREFIX}*")


def artifacts_bucket_statements(catalog: Catalog, bucket: str) -> list[Statement]:
    """Bucket policy statements added after the TLS-only deny of :class:`SecureBucket`.

    The publisher statement names its own account as principal and pins the role by
    ``aws:PrincipalArn``: the policy then never depends on the role existing (S3
    rejects policies naming missing roles) and grants nothing else in that account.
    ``OnlyPublisherWrites`` denies every object mutation to any other principal, so an
    ``s3:*`` identity policy in the datalake account cannot replace a bundle either.

    Silo pipelines read and list only ``bundles/${aws:PrincipalAccount}/``: the prefix of
    their own account (AWS sets the variable from the signed request, so a pipeline
    cannot claim another account's), and read the provider mirror under ``providers/``.
    The policy still lists no silo account.
    """
    partition = organization_partition(catalog)
    object_arn, bucket_arn = arns.s3(partition, bucket, "*"), arns.s3(partition, bucket)
    publisher = publisher_role_arn(catalog)
    statements: list[Statement] = [
        {
            "Sid": "OnlyPublisherWrites",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": list(ARTIFACT_MUTATIONS),
            "Resource": object_arn,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": publisher}},
        },
        {
            "Sid": "PublisherWritesBundles",
            "Effect": "Allow",
            "Principal": {"AWS": policy.account_root(partition, catalog.datalake.account_id)},
            "Action": list(ARTIFACT_WRITE),
            "Resource": object_arn,
            "Condition": {"ArnEquals": {"aws:PrincipalArn": publisher}},
        },
    ]
    if catalog.layout is None:
        return statements
    scope = principal_scope(catalog.layout, catalog.layout.silos_path, [silo_pipeline_role_pattern(partition)])
    list_scope = {**scope, "StringLike": {"s3:prefix": delivery_names.bundle_prefix(policy.PRINCIPAL_ACCOUNT) + "*"}}
    statements += [
        {
            "Sid": "SiloPipelinesReadOwnBundles",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(ARTIFACT_OBJECT_READ),
            "Resource": own_bundles_arn(partition, bucket),
            "Condition": scope,
        },
        {
            "Sid": "SiloPipelinesListOwnBundles",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(ARTIFACT_BUCKET_READ),
            "Resource": bucket_arn,
            "Condition": list_scope,
        },
        {
            # CodePipeline's S3 source (the silo pipeline) checks the source bucket is versioned.
            "Sid": "SiloPipelinesReadBucketSettings",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(ARTIFACT_BUCKET_SETTINGS),
            "Resource": bucket_arn,
            "Condition": scope,
        },
        {
            # The pinned Terraform provider and the silolake wheels (silolake.release.publish): the
            # same objects for every silo, so no account prefix; read-only, and written only by
            # the publisher (above).
            "Sid": "SiloPipelinesReadProviderMirrorAndTools",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(ARTIFACT_OBJECT_READ),
            "Resource": [provider_mirror_arn(partition, bucket), silolake_wheels_arn(partition, bucket)],
            "Condition": scope,
        },
    ]
    return statements


def artifacts_key_statements(catalog: Catalog) -> list[Statement]:
    """Key policy statements: silo pipelines decrypt bundles, only through S3."""
    if catalog.layout is None:
        return []
    pipelines = silo_pipeline_role_pattern(organization_partition(catalog))
    scope = principal_scope(catalog.layout, catalog.layout.silos_path, [pipelines])
    scope["StringEquals"]["kms:ViaService"] = arns.service_endpoint("s3", catalog.datalake.region)
    return [
        {
            "Sid": "SiloPipelinesDecryptBundles",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(KEY_READ),
            "Resource": "*",
            "Condition": scope,
        }
    ]


# --- silo side: analytics consumers read processed data ---------------------------------------


def reader_role_arns(consumer: AnalyticsConsumer) -> list[str]:
    return [arns.role(arns.partition_of(consumer.region), consumer.account_id, role) for role in consumer.reader_roles]


def _readers(catalog: Catalog, silo: Silo) -> tuple[AnalyticsConsumer, ...]:
    """Entitled consumers; none without OU ids (fail closed) or for a decommissioned silo."""
    return () if catalog.layout is None else catalog.readers_of(silo)


def _reader_scope(catalog: Catalog, consumer: AnalyticsConsumer) -> dict:
    """The OU-path condition admitting ``consumer``'s reader roles (only called for readers,
    and :func:`_readers` yields none until the lock file holds the OU ids)."""
    layout = catalog.layout
    assert layout is not None
    return principal_scope(layout, layout.analytics_path, reader_role_arns(consumer))


def processed_bucket_statements(catalog: Catalog, silo: DeployedSilo, bucket: str | None = None) -> list[Statement]:
    """Read-only grants on the silo's *processed* bucket, one statement per entitled consumer.

    ``bucket`` defaults to the name :mod:`silolake.aws.names` derives; never pass the raw or
    dropzone bucket here - analytics only ever reads processed data.
    """
    bucket = bucket or names.silo_bucket(
        catalog.organization.name, silo.name, "processed", silo.account_id, silo.region
    )
    statements = []
    for consumer in _readers(catalog, silo):
        statements.append(
            {
                "Sid": _sid("AnalyticsRead", consumer.name),
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [*PROCESSED_BUCKET_READ, *PROCESSED_OBJECT_READ],
                "Resource": policy.bucket_arns(arns.partition_of(silo.region), bucket),
                "Condition": _reader_scope(catalog, consumer),
            }
        )
    return statements


def processed_key_statements(catalog: Catalog, silo: DeployedSilo) -> list[Statement]:
    """Key policy statements: entitled readers decrypt, only through S3 or Glue in the silo's region.

    The key also protects raw data and the (encrypted) Glue catalog; ``kms:ViaService``
    confines its use to requests S3 or Glue make for the reader, and those services only
    serve what the processed bucket policy and the Glue resource policy grant.
    """
    statements = []
    for consumer in _readers(catalog, silo):
        scope = _reader_scope(catalog, consumer)
        scope["StringEquals"]["kms:ViaService"] = [arns.service_endpoint(svc, silo.region) for svc in ("glue", "s3")]
        statements.append(
            {
                "Sid": _sid("AnalyticsDecrypt", consumer.name),
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(KEY_READ),
                "Resource": "*",
                "Condition": scope,
            }
        )
    return statements


def glue_arns(silo: DeployedSilo) -> list[str]:
    """The silo catalog, its database and its tables (Glue checks all three on a table read)."""
    db = silo.glue_database
    return [
        arns.regional("glue", silo.region, silo.account_id, resource)
        for resource in ("catalog", f"database/{db}", f"table/{db}/*")
    ]


def glue_catalog_policy(catalog: Catalog, silo: DeployedSilo) -> dict | None:
    """Resource policy for the silo account's Glue Data Catalog, or ``None`` if nobody reads it.

    Glue refuses wildcard principals, so each statement names the consumer *account*
    root and narrows to its reader roles and the analytics OU path by condition,
    exactly like the S3 and KMS grants.
    """
    statements = [
        {
            "Sid": _sid("AnalyticsCatalogRead", consumer.name),
            "Effect": "Allow",
            "Principal": {"AWS": policy.account_root(arns.partition_of(silo.region), consumer.account_id)},
            "Action": list(GLUE_READ),
            "Resource": glue_arns(silo),
            "Condition": _reader_scope(catalog, consumer),
        }
        for consumer in _readers(catalog, silo)
    ]
    return policy.document(statements) if statements else None


# --- user-facing notices ---------------------------------------------------------------------


def notices(catalog: Catalog) -> list[str]:
    """Why some sharing is absent from this synth (printed by ``silolake synth``)."""
    out = []
    if catalog.layout is None:
        out.append(
            "accounts.lock.json records no organization ids: cross-account sharing is disabled "
            "(silo pipelines cannot read artifacts, analytics consumers cannot read silos). "
            "Apply the org stack, then run `silolake bootstrap` and synthesize again."
        )
    for silo in catalog.silos:
        if silo.decommission:
            out.append(f"silo '{silo.name}' is decommissioned: it shares nothing with analytics consumers.")
    return out
