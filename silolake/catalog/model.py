"""Typed, immutable model of a validated catalog.

Built once at the edge (:func:`silolake.catalog.load_catalog`) from data that already
passed schema and semantic validation; everything downstream (stacks, constructs,
bootstrap) trusts it and never re-reads YAML. Defaults live in the JSON Schema and are
applied here, so the schema stays the single documented source of them.

A flow's model (:class:`~silolake.catalog.flow.Flow`) is in :mod:`silolake.catalog.flow`, the
delivery settings' (:class:`~silolake.catalog.delivery.DeliveryPipeline`) in
:mod:`silolake.catalog.delivery`; :func:`build_catalog` here builds all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from ..aws import arns, names
from ..channels import CHANNELS, FILE_SOURCES, Channel, channel
from .delivery import DeliveryPipeline, build_master_pipeline
from .expect import build_expectations
from .flow import Column, Flow, Source
from .quality import rules as quality_rules
from .schema import with_defaults


@dataclass(frozen=True)
class Ingestion:
    """Partner channels of a silo (``silos[].ingestion``): SFTP with its source CIDR allow list,
    the web upload page, and the longest a partner credential may live, in days."""

    sftp_enabled: bool
    sftp_allowed_cidrs: tuple[str, ...]
    web_upload_enabled: bool
    partner_credential_max_days: int
    #: ``sftp.keep_server``: SFTP is off (or on) but its Transfer server and logs stay in
    #: configuration, sign-ins refused (the first step of turning SFTP off, docs/day-2.md).
    sftp_server_kept: bool = False

    def switched_on(self, chan: Channel) -> bool:
        """Whether ``ingestion.<chan.switch>.enabled`` is true (the ``<switch>_enabled`` field
        here, one per switched channel); ``False`` for a channel without a switch."""
        return chan.switch is not None and getattr(self, f"{chan.switch}_enabled") is True

    @property
    def takes_files(self) -> bool:
        """Whether partners drop files into the silo's dropzone (a dropzone channel is on)."""
        return any(self.switched_on(c) for c in CHANNELS if c.partner_files)

    @property
    def sftp_server(self) -> bool:
        """Whether the silo's Transfer server is in configuration (SFTP on, or kept)."""
        return self.sftp_enabled or self.sftp_server_kept


@dataclass(frozen=True)
class Storage:
    """Retention of a silo's zone buckets (``silos[].storage``), in days: how long replaced or
    deleted object versions are kept, and (optionally) when raw data moves to infrequent access."""

    noncurrent_version_days: int
    raw_transition_days: int | None
    #: Recovery floor (``storage.recovery.object_lock_days``): S3 Object Lock governance
    #: retention in days on raw and processed; ``None`` leaves Object Lock off.
    object_lock_days: int | None


@dataclass(frozen=True)
class Silo:
    """One internal project's AWS account and everything it receives (``silos[]``).

    ``account_id`` is ``None`` until the organization created the account of an email-only
    silo (see :class:`DeployedSilo`); ``region`` defaults to ``organization.home_region``;
    ``owners`` are e-mail addresses of the people answerable for the silo; ``decommission``
    keeps every resource and all data but revokes sharing and stops intake.
    """

    name: str
    account_id: str | None  # None until the organization created the account (email-only)
    email: str | None
    region: str
    owners: tuple[str, ...]
    ingestion: Ingestion
    storage: Storage
    flows: tuple[Flow, ...]
    decommission: bool
    #: S3 Block Public Access on the whole account (``account_settings.s3_block_public_access``).
    s3_block_public_access: bool
    #: Flows taken out on purpose: synth emits ``removed`` (destroy = false) for their resources.
    removed_flows: tuple[str, ...]
    #: The malware hold (``malware_protection``): GuardDuty Malware Protection for S3 scans every
    #: dropped file, and only files it found clean land in raw (docs/etl.md).
    malware_protection: bool
    #: ``pipeline.approval``: the silo's own pipeline waits for a person between plan and apply.
    pipeline_approval: bool = False
    #: ``pipeline.rollback_to``: the commit (7 to 40 hex digits, a prefix of the bundle's) the
    #: silo's pipeline may apply although it is older than the one it last applied.
    pipeline_rollback_to: str | None = None
    #: ``alerts.webhook_secret``: a Secrets Manager secret (name, in the silo's account) holding
    #: a chat webhook URL every alarm message is also posted to; ``None``: e-mail only.
    alerts_webhook_secret: str | None = None
    #: ``adopt``: capabilities switched on again whose forgotten resources synth imports
    #: (``import`` blocks) instead of colliding with them (:mod:`.adoptable`).
    adopt: tuple[str, ...] = ()

    @property
    def stack_name(self) -> str:
        return names.stack_name("silo", self.name)

    @property
    def glue_database(self) -> str:
        return names.glue_database(self.name)

    def flows_from(self, *sources: Source) -> tuple[Flow, ...]:
        """The flows that receive data through one of ``sources``, in catalog order."""
        return tuple(f for f in self.flows if f.source in sources)

    @property
    def file_flows(self) -> tuple[Flow, ...]:
        """The flows partners send files to through the dropzone (landing checks them), in catalog order."""
        return self.flows_from(*FILE_SOURCES)


@dataclass(frozen=True)
class DeployedSilo(Silo):
    """A silo whose AWS account exists: the only kind that gets a stack.

    ``account_id`` comes from the catalog (``silos[].account_id``) or, for a silo given by
    ``email`` only, from ``accounts.lock.json`` once ``silolake bootstrap`` recorded the
    account the organization created. Stacks and constructs take this type, so they never
    handle a missing account id.
    """

    account_id: str


def with_account(silo: Silo, account_id: str | None) -> Silo:
    """``silo`` with its account id resolved: a :class:`DeployedSilo` once the id is known."""
    if not account_id or isinstance(silo, DeployedSilo):
        return silo
    values = {f.name: getattr(silo, f.name) for f in fields(silo)}
    return DeployedSilo(**{**values, "account_id": account_id})


@dataclass(frozen=True)
class AnalyticsConsumer:
    """A read-only analytics account (``analytics[]``): its reader IAM role names and the silos
    it may query (``"all"`` resolved to every silo name, ``all_silos`` remembering that)."""

    name: str
    account_id: str
    region: str
    reader_roles: tuple[str, ...]
    silos: tuple[str, ...]  # resolved: "all" becomes every silo name in the catalog
    all_silos: bool
    #: ``adopt``: regions whose workspace synth imports (it comes back after being forgotten).
    adopt: tuple[str, ...] = ()

    @property
    def stack_name(self) -> str:
        return names.stack_name("analytics", self.name)

    def reads(self, silo: Silo) -> bool:
        """Whether this consumer is entitled to ``silo``; decommissioned silos share nothing."""
        return silo.name in self.silos and not silo.decommission


@dataclass(frozen=True)
class OuNames:
    """Names of the OUs silolake creates (``organization.ous``)."""

    datalake: str
    silos: str
    analytics: str


@dataclass(frozen=True)
class Organization:
    """The company (``organization``): a short slug prefixed to resource names, the management
    account, the home and allowed regions, the deploy role Terraform assumes in every account,
    the prefix of the per-account state buckets, tags for every resource, and OU names."""

    name: str
    management_account_id: str
    home_region: str
    allowed_regions: tuple[str, ...]
    deploy_role_name: str
    state_bucket_prefix: str
    tags: tuple[tuple[str, str], ...]
    ous: OuNames

    def deploy_role_arn(self, account_id: str) -> str:
        """ARN of the deploy role in ``account_id`` (assumed by the provider and the backend)."""
        return arns.role(arns.partition_of(self.home_region), account_id, self.deploy_role_name)


@dataclass(frozen=True)
class OrgLayout:
    """Organization ids recorded by ``silolake bootstrap`` in the lock file.

    Resource policies in one account must name OU *paths*; those ids only exist once the
    ``org`` stack has been applied, so bootstrap records them and synth reads them.
    """

    org_id: str
    root_id: str
    datalake_ou_id: str
    silos_ou_id: str
    analytics_ou_id: str

    @property
    def silos_path(self) -> str:
        return f"{self.org_id}/{self.root_id}/{self.datalake_ou_id}/{self.silos_ou_id}/"

    @property
    def analytics_path(self) -> str:
        return f"{self.org_id}/{self.root_id}/{self.datalake_ou_id}/{self.analytics_ou_id}/"


@dataclass(frozen=True)
class Account:
    """A central account and the region its stack deploys to (``datalake_account``)."""

    account_id: str
    region: str


@dataclass(frozen=True)
class Catalog:
    """A whole validated ``silos.yaml`` (plus ``accounts.lock.json``): the only input of synth.

    ``source`` is the catalog file (custom job paths resolve from its directory);
    ``layout`` holds the organization and OU ids from the lock file, ``None`` before the
    first ``silolake bootstrap`` (sharing then fails closed).
    """

    version: int
    organization: Organization
    datalake: Account
    analytics: tuple[AnalyticsConsumer, ...]
    silos: tuple[Silo, ...]
    source: Path = field(compare=False)
    layout: OrgLayout | None = None
    #: (silo name, account id) recorded in the lock for accounts the organization created
    #: whose silo is no longer email-only in the catalog (removed after decommission, or
    #: now given by ``account_id``): the org stack must forget them, not remove them.
    retired_accounts: tuple[tuple[str, str], ...] = ()
    #: ``delivery.github.repository`` (``owner/name``): every account stack gets a GitHub OIDC
    #: plan role trusted for it; ``None``: no OIDC access (CI signs in through its own role).
    github_repository: str | None = None
    #: ``delivery.pipeline``: the master leg of the AWS-native pipeline, ``None`` when not asked for.
    master_pipeline: DeliveryPipeline | None = None

    @property
    def base_dir(self) -> Path:
        """Directory relative to which catalog paths (custom jobs) resolve."""
        return self.source.resolve().parent

    def silo(self, name: str) -> Silo:
        return next(s for s in self.silos if s.name == name)

    @property
    def deployable_silos(self) -> tuple[DeployedSilo, ...]:
        """Silos whose account exists (given in the catalog or resolved by bootstrap)."""
        return tuple(s for s in self.silos if isinstance(s, DeployedSilo))

    @property
    def pending_silos(self) -> tuple[Silo, ...]:
        """Email-only silos the organization has not created (or bootstrap not recorded) yet."""
        return tuple(s for s in self.silos if not isinstance(s, DeployedSilo))

    def readers_of(self, silo: Silo) -> tuple[AnalyticsConsumer, ...]:
        return tuple(c for c in self.analytics if c.reads(silo))


def _flow(raw: dict) -> Flow:
    from .types import glue_type  # local: keeps model importable without the parser in tooling

    buffer, csv = raw["buffer"], raw["csv"]
    return Flow(
        name=raw["name"],
        source=raw["source"],
        format=channel(raw["source"]).catalog_format or raw["format"],
        columns=tuple(Column(c["name"], glue_type(c["type"]), c.get("comment", "")) for c in raw["columns"]),
        keys=tuple(raw["keys"]),
        partition_by=tuple(raw["partition_by"]),
        schedule=raw["schedule"],
        job=raw["job"],
        buffer_seconds=buffer["seconds"],
        buffer_mb=buffer["mb"],
        throttle_rate=raw["throttle"]["rate"],
        throttle_burst=raw["throttle"]["burst"],
        csv_delimiter=csv["delimiter"],
        csv_header=csv["header"],
        warehouse=raw["warehouse"],
        quicksight=raw["quicksight"],
        glue_worker_type=raw["glue"]["worker_type"],
        glue_workers=raw["glue"]["workers"],
        renamed_from=raw.get("renamed_from"),
        adopt=raw.get("adopt") is True,
        quality=quality_rules(raw["quality"], {c["name"]: glue_type(c["type"]) for c in raw["columns"]}),
        expect=build_expectations(raw.get("expect")),
        schema_version=raw["schema_version"],
    )


def build_catalog(raw: dict, source: Path, accounts: dict[str, str], layout: OrgLayout | None) -> Catalog:
    """Turn validated raw data into the model; ``accounts`` are ids resolved by bootstrap.

    Omitted keys take their schema defaults (:func:`~.schema.with_defaults`); the only
    defaults written here are the ones no schema can state: regions default to
    ``organization.home_region``.
    """
    raw = with_defaults(raw)
    org_raw = raw["organization"]
    home = org_raw["home_region"]
    org = Organization(
        name=org_raw["name"],
        management_account_id=org_raw["management_account_id"],
        home_region=home,
        allowed_regions=tuple(org_raw["allowed_regions"]),
        deploy_role_name=org_raw["deploy_role_name"],
        state_bucket_prefix=org_raw["state_bucket_prefix"],
        tags=tuple(sorted(org_raw["tags"].items())),
        ous=OuNames(**org_raw["ous"]),
    )
    silos = []
    for s in raw["silos"]:
        ing, storage = s["ingestion"], s["storage"]
        sftp = ing["sftp"]
        account_id = s.get("account_id") or accounts.get(s["name"])
        common = dict(
            name=s["name"],
            email=s.get("email"),
            region=s.get("region", home),
            owners=tuple(s["owners"]),
            ingestion=Ingestion(
                sftp_enabled=sftp["enabled"],
                sftp_allowed_cidrs=tuple(sftp["allowed_cidrs"]),
                web_upload_enabled=ing["web_upload"]["enabled"],
                partner_credential_max_days=ing["partner_credential_max_days"],
                sftp_server_kept=sftp["keep_server"],
            ),
            storage=Storage(
                noncurrent_version_days=storage["noncurrent_version_days"],
                raw_transition_days=storage["raw_transition_days"],
                object_lock_days=storage["recovery"]["object_lock_days"],
            ),
            flows=tuple(_flow(f) for f in s["flows"]),
            decommission=s["decommission"],
            s3_block_public_access=s["account_settings"]["s3_block_public_access"],
            removed_flows=tuple(s["removed_flows"]),
            malware_protection=s["malware_protection"],
            pipeline_approval=s["pipeline"]["approval"],
            pipeline_rollback_to=s["pipeline"].get("rollback_to"),
            alerts_webhook_secret=s.get("alerts", {}).get("webhook_secret"),
            adopt=tuple(s["adopt"]),
        )
        silos.append(DeployedSilo(account_id=account_id, **common) if account_id else Silo(account_id=None, **common))
    all_names = tuple(s.name for s in silos)
    analytics = tuple(
        AnalyticsConsumer(
            name=a["name"],
            account_id=a["account_id"],
            region=a.get("region", home),
            reader_roles=tuple(a["reader_roles"]),
            silos=all_names if a["silos"] == "all" else tuple(a["silos"]),
            all_silos=a["silos"] == "all",
            adopt=tuple(a["adopt"]),
        )
        for a in raw["analytics"]
    )
    dl = raw["datalake_account"]
    email_silos = {s.name for s in silos if s.email}
    return Catalog(
        version=raw["version"],
        organization=org,
        datalake=Account(dl["account_id"], dl.get("region", home)),
        analytics=analytics,
        silos=tuple(silos),
        source=source,
        layout=layout,
        retired_accounts=tuple(sorted((n, a) for n, a in accounts.items() if n not in email_silos)),
        github_repository=raw["delivery"].get("github", {}).get("repository"),
        master_pipeline=build_master_pipeline(raw.get("delivery", {}).get("pipeline")),
    )
