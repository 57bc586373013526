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

:func:`silolake.policy.analytics.reader_statements` is the identity side of cross-account reading: silo
resource policies allow the consumer's reader roles (:mod:`silolake.policy.sharing`), but a
cross-account request also needs the caller's own IAM to allow it. The analytics stack
attaches a managed policy with these statements to every reader role of the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...aws import arns, names
from ...catalog.model import AnalyticsConsumer, DeployedSilo
from ...engine.cdk import Construct, TerraformResource, aws
from ..blocks.athena import enforced_workgroup
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import Lifecycle, SecureBucket, access_log_bucket

#: Query results are scratch data: re-running the query recreates them.
RESULTS_EXPIRE_DAYS = 30


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
        logs_name = names.workspace_bucket(org, consumer.name, "logs", account, region)
        access_log_bucket(self, "logs", name=logs_name, account_id=account, partition=arns.partition_of(region))
        results = names.workspace_bucket(org, consumer.name, "athena", consumer.account_id, region)
        self.results = SecureBucket(
            self,
            "results",
            name=results,
            kms_key_arn=self.key.arn,
            access_log_bucket=logs_name,
            lifecycle=Lifecycle(noncurrent_version_days=7, expire_days=RESULTS_EXPIRE_DAYS),
            partition=arns.partition_of(region),
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
