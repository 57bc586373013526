"""``datalake`` stack: the central data lake account (deployment artifacts)."""

from __future__ import annotations

from ..aws import arns
from ..catalog.model import Catalog
from ..constructs.delivery import ArtifactsStore, BundleForwarding, MasterPipeline
from ..constructs.health import OrganizationHealth
from ..engine.cdk import Construct, TerraformOutput
from ..policy import sharing
from .base import AccountStack


class DatalakeStack(AccountStack):
    """Without OU ids in ``accounts.lock.json`` (before the first ``silolake bootstrap``)
    the stack still synthesizes, so the org stack can be applied first; the artifacts
    policies then grant silos nothing (fail closed) and synth prints a notice."""

    def __init__(self, scope: Construct, *, catalog: Catalog) -> None:
        super().__init__(
            scope, "datalake", catalog=catalog, account_id=catalog.datalake.account_id, region=catalog.datalake.region
        )
        self.artifacts = ArtifactsStore(
            self,
            "artifacts",
            org=catalog.organization.name,
            account=catalog.datalake,
            deploy_role_arn=catalog.organization.deploy_role_arn(catalog.datalake.account_id),
            key_statements=sharing.artifacts_key_statements(catalog),
            bucket_statements=lambda bucket: sharing.artifacts_bucket_statements(catalog, bucket),
        )
        self.bundle_events = BundleForwarding(
            self,
            "bundle-events",
            account=catalog.datalake,
            bucket=self.artifacts.bucket.name,
            silos=catalog.deployable_silos,
        )
        self.release = self._master_pipeline(catalog) if catalog.master_pipeline else None
        # Every silo's flow health at a glance, read across accounts (metrics only; docs/operations.md).
        self.health = OrganizationHealth(self, "health", catalog=catalog)
        TerraformOutput(
            self,
            "artifacts_bucket",
            value=self.artifacts.bucket.name,
            description="Bucket silo pipelines read deployment bundles from",
        )
        TerraformOutput(
            self,
            "artifacts_bucket_arn",
            value=arns.s3(arns.partition_of(catalog.datalake.region), self.artifacts.bucket.name),
        )
        TerraformOutput(self, "artifacts_key_arn", value=self.artifacts.key.arn)
        TerraformOutput(self, "publisher_role_arn", value=self.artifacts.publisher.arn)

    def _master_pipeline(self, catalog: Catalog) -> MasterPipeline:
        assert catalog.master_pipeline is not None
        release = MasterPipeline(
            self,
            "release",
            org=catalog.organization.name,
            account=catalog.datalake,
            spec=catalog.master_pipeline,
            key_arn=self.artifacts.key.arn,
            artifacts_bucket=self.artifacts.bucket.name,
            access_log_bucket=self.artifacts.logs.name,
            publisher_arn=sharing.publisher_role_arn(catalog),
        )
        self.artifacts.admit_publishers([release.build_role.arn])
        TerraformOutput(self, "release_pipeline", value=release.pipeline.name)
        if release.connection is not None:
            TerraformOutput(
                self,
                "release_connection_arn",
                value=release.connection.arn,
                description="Complete this connection's handshake once in the console (it is created PENDING)",
            )
        return release
