"""``silo-<name>`` stack: everything one silo account runs."""

from __future__ import annotations

from ..aws import names, partner_access_names
from ..catalog.model import Catalog, DeployedSilo
from ..channels import API
from ..constructs import partner
from ..constructs.account import AccountBaseline
from ..constructs.context import SiloAddress, SiloContext
from ..constructs.delivery import silo_pipeline
from ..constructs.etl import SiloEtl, hold_statements
from ..constructs.health import HealthSharing, SiloHealth
from ..constructs.ingestion import ApiIngestion
from ..constructs.storage import GlueCatalog, SiloStorage
from ..engine.cdk import Construct
from ..health import check_delivery
from ..policy import dead_letter, delivery, health_sharing, quicksight, sharing
from .base import AccountStack


class SiloStack(AccountStack):
    """``silo-<name>`` in the silo's own account: its key and zone buckets, Glue catalog,
    ingestion API and the sharing of processed data. Only deployed silos get one; the
    catalog is read here to compute grants, constructs only get the silo's context
    (:mod:`silolake.constructs.context`, built once here) and the grants."""

    def __init__(self, scope: Construct, *, catalog: Catalog, silo: DeployedSilo) -> None:
        super().__init__(
            scope, silo.stack_name, catalog=catalog, account_id=silo.account_id, region=silo.region, silo=silo.name
        )
        self.silo = silo
        address = SiloAddress.of(catalog.organization.name, silo)
        # Account-wide settings live as long as the account, whatever features the silo uses.
        self.baseline = AccountBaseline(self, "baseline", ctx=address)
        # Decommission keeps every resource and all data: sharing statements come out empty
        # and the ingestion API refuses calls (pipelines are stopped, nothing is destroyed).
        # QuickSight's service role (a flow with quicksight: true) reads processed data and
        # Athena results through resource policies: the role itself is QuickSight's.
        org_name = catalog.organization.name
        self.storage = SiloStorage(
            self,
            "storage",
            ctx=address,
            processed_statements=[
                *sharing.processed_bucket_statements(catalog, silo),
                *quicksight.processed_statements(org_name, silo),
            ],
            key_statements=[
                *sharing.processed_key_statements(catalog, silo),
                *quicksight.key_statements(silo),
                # The silo's alarms publish to the owners' topic, which the silo key encrypts.
                *health_sharing.alarm_key_statements(silo),
                # Scheduler dead-letters a check or pipeline start it could not deliver (silo key).
                *(dead_letter.dlq_key_statements(silo) if check_delivery.needs_queue(silo) else []),
            ],
            athena_statements=quicksight.results_statements(org_name, silo),
            # The malware hold: unscanned dropzone objects stay unreadable (empty without it).
            dropzone_statements=hold_statements(address),
        )
        ctx = self.ctx = address.with_storage(self.storage.key, self.storage.buckets)
        self.glue = GlueCatalog(self, "glue", ctx=ctx, resource_policy=sharing.glue_catalog_policy(catalog, silo))
        self.ingestion = None
        if silo.flows_from(API.name):
            self.ingestion = ApiIngestion(
                self,
                "ingestion",
                ctx=ctx,
                glue=self.glue,
                account_settings=self.baseline.api_gateway_account,
            )
        # Every flow becomes a scheduled pipeline; a decommissioned silo keeps it, disabled.
        self.etl = SiloEtl(self, "etl", ctx=ctx, catalog_dir=catalog.base_dir)
        # Partner access (credential admin and sessions; SFTP, upload page) for silos that take
        # partner files or have flow APIs partners sign calls to.
        self.partner = None
        if partner.wanted(silo):
            self.partner = partner.PartnerAccess(self, "partner", ctx=ctx, flow_api=self.ingestion)
        self._health(catalog, ctx)
        self.pipeline: silo_pipeline.SiloPipeline | None = self._delivery_pipeline(catalog, silo)

    def _delivery_pipeline(self, catalog: Catalog, silo: DeployedSilo) -> silo_pipeline.SiloPipeline | None:
        """The silo's own deployment pipeline (docs/delivery.md), in the artifacts bucket's
        region. It holds the same resources whatever capabilities the silo has, so the
        ghost of :mod:`.continuity` leaves it out."""
        org = catalog.organization
        bundles = silo_pipeline.BundleSource(
            bucket=names.account_bucket(org.name, "artifacts", catalog.datalake.account_id, catalog.datalake.region),
            account_id=catalog.datalake.account_id,
            region=catalog.datalake.region,
        )
        here = delivery.pipeline_region(silo, bundles.region)
        return silo_pipeline.SiloPipeline(
            self,
            "pipeline",
            ctx=self.ctx,
            state_bucket=names.state_bucket(org.state_bucket_prefix, silo.account_id, silo.region),
            source=bundles,
            provider=None if here == silo.region else self.regional_provider(here),
        )

    def _health(self, catalog: Catalog, ctx: SiloContext) -> None:
        """Alarms, freshness checks and the dashboard (docs/operations.md); the sharing role the
        organization dashboard reads through exists once bootstrap recorded the organization id
        (before that it would trust nothing pinnable: fail closed, like the other sharing)."""
        org, silo = ctx.org, ctx.silo
        functions = [names.etl_silo_name(silo.name, "landing")] if self.etl.landing else []
        sftp_logs = None
        if self.partner is not None:
            functions += [
                partner_access_names.partner_function(org, silo.name, kind) for kind in self.partner.functions.functions
            ]
            if self.partner.sftp is not None:
                sftp_logs = partner_access_names.transfer_log_group(
                    partner_access_names.partner_sftp_server(org, silo.name)
                )
        self.health = SiloHealth(self, "health", ctx=ctx, functions=functions, sftp_log_group=sftp_logs)
        if self.health.dead_letters is not None:  # the pipelines' schedules dead-letter into it
            queue = self.health.dead_letters.queue
            after = f"{queue.terraform_resource_type}.{queue.friendly_unique_id}"  # depends_on's address form
            for schedule in self.etl.schedules.values():
                schedule.depends_on = [*(schedule.depends_on or []), after]
        self.health_sharing = (
            HealthSharing(
                self,
                "health-sharing",
                partition=ctx.partition,
                datalake_account=catalog.datalake.account_id,
                org_id=catalog.layout.org_id,
            )
            if catalog.layout
            else None
        )
