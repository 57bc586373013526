"""Identity side of analytics reading: what a consumer's reader roles may do, and where.

Silo resource policies allow the consumer's reader roles (:mod:`silolake.policy.sharing`),
but a cross-account request also needs the caller's own IAM to allow it: the analytics stack
attaches a managed policy with :func:`reader_statements` to every reader role of the catalog
(``constructs/analytics/workspace.py`` builds the workspaces). Plain statements, never
imports cdktf; ARNs from :mod:`silolake.aws.arns` in each region's partition.
"""

from __future__ import annotations

from ..aws import arns, names
from ..catalog.model import AnalyticsConsumer, Catalog, DeployedSilo
from . import sharing
from .documents import Statement

ATHENA_QUERY = (
    "athena:BatchGetQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetQueryRuntimeStatistics",
    "athena:GetWorkGroup",
    "athena:ListQueryExecutions",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
)
ATHENA_CATALOG = (
    "athena:GetDataCatalog",
    "athena:GetDatabase",
    "athena:GetTableMetadata",
    "athena:ListDatabases",
    "athena:ListTableMetadata",
)
RESULTS_RW = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject")


def readable_silos(catalog: Catalog, consumer: AnalyticsConsumer) -> tuple[DeployedSilo, ...]:
    """Silos the consumer may query: entitled, not decommissioned, account exists, OU ids known."""
    if catalog.layout is None:
        return ()
    return tuple(s for s in catalog.deployable_silos if consumer.reads(s))


def workspace_regions(catalog: Catalog, consumer: AnalyticsConsumer) -> list[str]:
    """The consumer's home region first, then every other region holding a readable silo.

    A decommissioned silo still counts: decommissioning destroys nothing, so the workspace
    (key, results and log buckets) of a region whose only silo was decommissioned stays.
    """
    entitled = [s for s in catalog.deployable_silos if s.name in consumer.silos] if catalog.layout else []
    others = sorted({s.region for s in entitled} - {consumer.region})
    return [consumer.region, *others]


def reader_statements(catalog: Catalog, consumer: AnalyticsConsumer, results_keys: dict[str, str]) -> list[Statement]:
    """Least-privilege identity policy of a reader role (``results_keys``: region -> key ARN).

    Silo keys are not known by ARN in this account, so decryption is allowed on any key
    *of the readable silo accounts*, only through S3 or Glue; the silo key policies decide
    which keys actually accept these readers.
    """
    account, org = consumer.account_id, catalog.organization.name
    regions = workspace_regions(catalog, consumer)
    silos = readable_silos(catalog, consumer)
    workgroup = names.athena_workgroup(org, consumer.name)
    statements: list[Statement] = [
        {
            "Sid": "QueryInWorkgroups",
            "Effect": "Allow",
            "Action": list(ATHENA_QUERY),
            "Resource": [arns.regional("athena", r, account, f"workgroup/{workgroup}") for r in regions],
        },
        {
            "Sid": "WriteQueryResults",
            "Effect": "Allow",
            "Action": list(RESULTS_RW),
            "Resource": [
                arns.s3(arns.partition_of(r), names.workspace_bucket(org, consumer.name, "athena", account, r), "*")
                for r in regions
            ],
        },
        {
            "Sid": "ListQueryResults",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": [
                arns.s3(arns.partition_of(r), names.workspace_bucket(org, consumer.name, "athena", account, r))
                for r in regions
            ],
        },
        {
            "Sid": "EncryptQueryResults",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [results_keys[r] for r in regions],
        },
    ]
    if not silos:
        return statements
    processed = [
        (arns.partition_of(s.region), names.silo_bucket(org, s.name, "processed", s.account_id, s.region))
        for s in silos
    ]
    statements += [
        {
            "Sid": "UseSiloCatalogs",
            "Effect": "Allow",
            "Action": list(ATHENA_CATALOG),
            "Resource": [
                arns.regional("athena", s.region, account, f"datacatalog/{names.athena_catalog(s.name)}") for s in silos
            ],
        },
        {
            "Sid": "ReadSiloCatalogs",
            "Effect": "Allow",
            "Action": list(sharing.GLUE_READ),
            "Resource": [arn for s in silos for arn in sharing.glue_arns(s)],
        },
        {
            "Sid": "ReadProcessedObjects",
            "Effect": "Allow",
            "Action": list(sharing.PROCESSED_OBJECT_READ),
            "Resource": [arns.s3(p, b, "*") for p, b in processed],
        },
        {
            "Sid": "ListProcessedBuckets",
            "Effect": "Allow",
            "Action": list(sharing.PROCESSED_BUCKET_READ),
            "Resource": [arns.s3(p, b) for p, b in processed],
        },
        {
            "Sid": "DecryptSiloData",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": sorted({arns.regional("kms", s.region, s.account_id, "key/*") for s in silos}),
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": sorted(
                        {arns.service_endpoint(svc, s.region) for s in silos for svc in ("glue", "s3")}
                    )
                }
            },
        },
    ]
    return statements
