"""Typed, immutable model of a validated catalog.

Built once at the edge (:func:`silolake.catalog.load_catalog`) from data that already
passed schema and semantic validation; everything downstream (stacks, constructs,
bootstrap) trusts it and never re-reads YAML. Defaults live in the JSON Schema and are
applied here, so the schema stays the single documented source of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .. import names

Source = Literal["api", "sftp", "upload"]
Format = Literal["json", "csv", "parquet"]

#: Partition columns silolake derives itself instead of reading them from the data.
BUILTIN_PARTITIONS = {"ingest_date": "date the record or file arrived (UTC), from the delivery time"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # canonical Glue/Hive type string
    comment: str = ""


@dataclass(frozen=True)
class Flow:
    name: str
    source: Source
    format: Format
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    partition_by: tuple[str, ...]
    schedule: str
    job: str  # "default" or a path relative to the catalog directory
    buffer_seconds: int = 300
    buffer_mb: int = 128
    csv_delimiter: str = ","
    csv_header: bool = True
    warehouse: bool = False
    quicksight: bool = False
    renamed_from: str | None = None

    @property
    def storage_name(self) -> str:
        """Name in AWS (S3 prefix, tables, stream, log group, API path): the former name of a
        renamed flow, since AWS cannot rename those in place (docs/day-2.md)."""
        return self.renamed_from or self.name

    @property
    def custom_job(self) -> bool:
        return self.job != "default"

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Ingestion:
    sftp_enabled: bool = False
    sftp_allowed_cidrs: tuple[str, ...] = ()
    web_upload_enabled: bool = False
    partner_credential_max_days: int = 30


@dataclass(frozen=True)
class Storage:
    noncurrent_version_days: int = 90
    raw_transition_days: int | None = None


@dataclass(frozen=True)
class Silo:
    name: str
    account_id: str | None  # None until the organization created the account (email-only)
    email: str | None
    region: str
    owners: tuple[str, ...]
    ingestion: Ingestion
    storage: Storage
    flows: tuple[Flow, ...]
    decommission: bool = False
    #: Flows taken out on purpose: synth emits ``removed`` (destroy = false) for their resources.
    removed_flows: tuple[str, ...] = ()

    @property
    def stack_name(self) -> str:
        return names.stack_name("silo", self.name)

    @property
    def glue_database(self) -> str:
        return names.glue_database(self.name)

    def flows_from(self, *sources: Source) -> tuple[Flow, ...]:
        return tuple(f for f in self.flows if f.source in sources)


@dataclass(frozen=True)
class AnalyticsConsumer:
    name: str
    account_id: str
    region: str
    reader_roles: tuple[str, ...]
    silos: tuple[str, ...]  # resolved: "all" becomes every silo name in the catalog
    all_silos: bool

    @property
    def stack_name(self) -> str:
        return names.stack_name("analytics", self.name)

    def reads(self, silo: Silo) -> bool:
        """Whether this consumer is entitled to ``silo``; decommissioned silos share nothing."""
        return silo.name in self.silos and not silo.decommission


@dataclass(frozen=True)
class OuNames:
    datalake: str = "DataLake"
    silos: str = "Silos"
    analytics: str = "Analytics"


@dataclass(frozen=True)
class Organization:
    name: str
    management_account_id: str
    home_region: str
    allowed_regions: tuple[str, ...]
    deploy_role_name: str
    state_bucket_prefix: str
    tags: tuple[tuple[str, str], ...]
    ous: OuNames

    def deploy_role_arn(self, account_id: str) -> str:
        return f"arn:aws:iam::{account_id}:role/{self.deploy_role_name}"


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
    account_id: str
    region: str


@dataclass(frozen=True)
class Catalog:
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

    @property
    def base_dir(self) -> Path:
        """Directory relative to which catalog paths (custom jobs) resolve."""
        return self.source.resolve().parent

    def silo(self, name: str) -> Silo:
        return next(s for s in self.silos if s.name == name)

    @property
    def deployable_silos(self) -> tuple[Silo, ...]:
        """Silos whose account exists (given in the catalog or resolved by bootstrap)."""
        return tuple(s for s in self.silos if s.account_id)

    @property
    def pending_silos(self) -> tuple[Silo, ...]:
        """Email-only silos the organization has not created (or bootstrap not recorded) yet."""
        return tuple(s for s in self.silos if not s.account_id)

    def readers_of(self, silo: Silo) -> tuple[AnalyticsConsumer, ...]:
        return tuple(c for c in self.analytics if c.reads(silo))


def _flow(raw: dict) -> Flow:
    from .types import glue_type  # local: keeps model importable without the parser in tooling

    buffer = raw.get("buffer", {})
    csv = raw.get("csv", {})
    return Flow(
        name=raw["name"],
        source=raw["source"],
        format="json" if raw["source"] == "api" else raw.get("format", "json"),
        columns=tuple(Column(c["name"], glue_type(c["type"]), c.get("comment", "")) for c in raw["columns"]),
        keys=tuple(raw.get("keys", ())),
        partition_by=tuple(raw.get("partition_by", ("ingest_date",))),
        schedule=raw.get("schedule", "rate(1 day)"),
        job=raw.get("job", "default"),
        buffer_seconds=buffer.get("seconds", 300),
        buffer_mb=buffer.get("mb", 128),
        csv_delimiter=csv.get("delimiter", ","),
        csv_header=csv.get("header", True),
        warehouse=raw.get("warehouse", False),
        quicksight=raw.get("quicksight", False),
        renamed_from=raw.get("renamed_from"),
    )


def build_catalog(raw: dict, source: Path, accounts: dict[str, str], layout: OrgLayout | None) -> Catalog:
    """Turn validated raw data into the model; ``accounts`` are ids resolved by bootstrap."""
    org_raw = raw["organization"]
    home = org_raw["home_region"]
    org = Organization(
        name=org_raw["name"],
        management_account_id=org_raw["management_account_id"],
        home_region=home,
        allowed_regions=tuple(org_raw["allowed_regions"]),
        deploy_role_name=org_raw.get("deploy_role_name", "OrganizationAccountAccessRole"),
        state_bucket_prefix=org_raw["state_bucket_prefix"],
        tags=tuple(sorted(org_raw.get("tags", {}).items())),
        ous=OuNames(**org_raw.get("ous", {})),
    )
    silos = []
    for s in raw["silos"]:
        ing = s.get("ingestion", {})
        sftp = ing.get("sftp", {})
        storage = s.get("storage", {})
        silos.append(
            Silo(
                name=s["name"],
                account_id=s.get("account_id") or accounts.get(s["name"]),
                email=s.get("email"),
                region=s.get("region", home),
                owners=tuple(s["owners"]),
                ingestion=Ingestion(
                    sftp_enabled=sftp.get("enabled", False),
                    sftp_allowed_cidrs=tuple(sftp.get("allowed_cidrs", ())),
                    web_upload_enabled=ing.get("web_upload", {}).get("enabled", False),
                    partner_credential_max_days=ing.get("partner_credential_max_days", 30),
                ),
                storage=Storage(
                    noncurrent_version_days=storage.get("noncurrent_version_days", 90),
                    raw_transition_days=storage.get("raw_transition_days"),
                ),
                flows=tuple(_flow(f) for f in s.get("flows", ())),
                decommission=s.get("decommission", False),
                removed_flows=tuple(s.get("removed_flows", ())),
            )
        )
    all_names = tuple(s.name for s in silos)
    analytics = tuple(
        AnalyticsConsumer(
            name=a["name"],
            account_id=a["account_id"],
            region=a.get("region", home),
            reader_roles=tuple(a["reader_roles"]),
            silos=all_names if a.get("silos", "all") == "all" else tuple(a["silos"]),
            all_silos=a.get("silos", "all") == "all",
        )
        for a in raw.get("analytics", ())
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
    )
