"""Where an analytics account queries silos: Athena workgroups, catalogs and results.

Athena registers another account's Glue Data Catalog *per region*: a ``GLUE`` data
catalog with ``catalog-id = <silo account>`` created in eu-west-1 sees that account's
eu-west-1 catalog only. So a consumer gets one :class:`RegionalWorkspace` per region
holding silos it reads (its home region always): a customer-managed key, an encrypted
query-results bucket (plus its access-log bucket), an Athena workgroup that enforces
that results configuration, and one data catalog per readable silo of that region.

Data catalogs are named like the silo's Glue database (``silo_sales``), so analysts
write ``SELECT ... FROM silo_sales.silo_sales.<table>`` (catalog.database.table) in
the workgroup of the silo's region.

:func:`reader_statements` is the identity side of cross-account reading: silo
resource policies allow the consumer's reader roles (:mod:`silolake.policy.sharing`), but a
cross-account request also needs the caller's own IAM to allow it. The analytics stack
attaches a managed policy with these statements to every reader role of the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import names, policy
from ...catalog.model import AnalyticsConsumer, Catalog, DeployedSilo
from ...cdk import Construct, TerraformResource, aws
from ...policy import sharing
from ..blocks.athena import enforced_workgroup
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import Lifecycle, SecureBucket, access_log_bucket

#: Query results are scratch data: re-running the query recreates them.
RESULTS_EXPIRE_DAYS = 30

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


def results_bucket_name(org: str, consumer: AnalyticsConsumer, region: str) -> str:
    """Athena results bucket of ``consumer`` in ``region``."""
    return names.account_bucket(org, f"{consumer.name}-athena", consumer.account_id, region)


def reader_statements(
    catalog: Catalog, consumer: AnalyticsConsumer, results_keys: dict[str, str]
) -> list[policy.Statement]:
    """Least-privilege identity policy of a reader role (``results_keys``: region -> key ARN).

    Silo keys are not known by ARN in this account, so decryption is allowed on any key
    *of the readable silo accounts*, only through S3 or Glue; the silo key policies decide
    which keys actually accept these readers.
    """
    account, org = consumer.account_id, catalog.organization.name
    regions = workspace_regions(catalog, consumer)
    silos = readable_silos(catalog, consumer)
    workgroup = names.athena_workgroup(org, consumer.name)
    statements: list[policy.Statement] = [
        {
            "Sid": "QueryInWorkgroups",
            "Effect": "Allow",
            "Action": list(ATHENA_QUERY),
            "Resource": [f"arn:aws:athena:{r}:{account}:workgroup/{workgroup}" for r in regions],
        },
        {
            "Sid": "WriteQueryResults",
            "Effect": "Allow",
            "Action": list(RESULTS_RW),
            "Resource": [f"arn:aws:s3:::{results_bucket_name(org, consumer, r)}/*" for r in regions],
        },
        {
            "Sid": "ListQueryResults",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{results_bucket_name(org, consumer, r)}" for r in regions],
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
    processed = [names.silo_bucket(org, s.name, "processed", s.account_id, s.region) for s in silos]
    statements += [
        {
            "Sid": "UseSiloCatalogs",
            "Effect": "Allow",
            "Action": list(ATHENA_CATALOG),
            "Resource": [
                f"arn:aws:athena:{s.region}:{account}:datacatalog/{names.athena_catalog(s.name)}" for s in silos
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
            "Resource": [f"arn:aws:s3:::{b}/*" for b in processed],
        },
        {
            "Sid": "ListProcessedBuckets",
            "Effect": "Allow",
            "Action": list(sharing.PROCESSED_BUCKET_READ),
            "Resource": [f"arn:aws:s3:::{b}" for b in processed],
        },
        {
            "Sid": "DecryptSiloData",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": sorted({f"arn:aws:kms:{s.region}:{s.account_id}:key/*" for s in silos}),
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": sorted(
                        {f"{svc}.{s.region}.amazonaws.com" for s in silos for svc in ("glue", "s3")}
                    )
                }
            },
        },
    ]
    return statements


def pin_to_region(scope: Construct, region: str) -> None:
    """Create every resource under ``scope`` in ``region`` (AWS provider 6 per-resource
    ``region``), so one stack keeps one provider, one role and one account pin."""
    for child in scope.node.find_all():
        if isinstance(child, TerraformResource):
            child.add_override("region", region)


class RegionalWorkspace(Construct):
    """Key, results and log buckets, enforced workgroup and silo catalogs in one region."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        org: str,
        consumer: AnalyticsConsumer,
        region: str,
        silos: Sequence[DeployedSilo],
    ) -> None:
        """``silos``: the silos of ``region`` the consumer reads; a workspace outside the
        consumer's home region pins its resources to ``region``."""
        super().__init__(scope, id)
        account = consumer.account_id
        self.key = CustomerKey(
            self,
            "key",
            alias=names.analytics_key_alias(consumer.name),
            account_id=account,
            region=region,
            description=f"silolake analytics '{consumer.name}': Athena query results in {region}",
        )
        logs_name = names.account_bucket(org, f"{consumer.name}-logs", account, region)
        access_log_bucket(self, "logs", name=logs_name, account_id=account)
        results = results_bucket_name(org, consumer, region)
        self.results = SecureBucket(
            self,
            "results",
            name=results,
            kms_key_arn=self.key.arn,
            access_log_bucket=logs_name,
            lifecycle=Lifecycle(noncurrent_version_days=7, expire_days=RESULTS_EXPIRE_DAYS),
        )
        self.workgroup = enforced_workgroup(
            self,
            "workgroup",
            name=names.athena_workgroup(org, consumer.name),
            description=f"silolake: {consumer.name} queries over silo data (results encrypted, enforced)",
            output_location=f"s3://{results}/results/",
            account_id=account,
            key_arn=self.key.arn,
        )
        self.catalogs = {
            silo.name: aws.athena_data_catalog.AthenaDataCatalog(
                self,
                f"catalog-{silo.name}",
                name=names.athena_catalog(silo.name),
                type="GLUE",
                description=f"Glue Data Catalog of silo '{silo.name}' (account {silo.account_id})",
                parameters={"catalog-id": silo.account_id},
            )
            for silo in silos
        }
        if region != consumer.region:
            pin_to_region(self, region)

    @property
    def key_arn(self) -> str:
        return self.key.arn
