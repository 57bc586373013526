"""Typed model of one data flow of a silo (``silos[].flows[]``): its columns, keys, partitions,
channel and format, and the names silolake reserves in it (built-in partitions, column
prefixes of its own jobs, the SFTP status folder).

Part of the catalog model (:mod:`silolake.catalog.model`, whose :class:`~silolake.catalog.model.Silo`
holds a tuple of flows and whose builder makes them from validated data); semantic
validation reads the reserved names here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..channels import ChannelName, Format, channel
from .expect import FlowExpectations
from .quality import QualityRule

#: A flow's ``source``: the name of an ingestion channel (:mod:`silolake.channels`).
Source = ChannelName


#: Partition column types a ``warehouse: true`` flow may use: their values are plain ``[0-9-]``
#: text, safe as SQL literals in the Redshift load and unescaped in S3 paths (docs/etl.md).
WAREHOUSE_PARTITION_TYPES = ("date", "tinyint", "smallint", "int", "bigint")
#: Partition columns silolake derives itself instead of reading them from the data.
BUILTIN_PARTITIONS = {"ingest_date": "date the record or file arrived (UTC), from the delivery time"}
#: Column-name prefixes reserved for columns silolake's own jobs add while they work.
RESERVED_COLUMN_PREFIXES = ("__", "_silolake")
#: The SFTP folder that shows a partner's status records (``/status``, beside one ``/<flow>``
#: folder per flow the credential names): a flow of this name would give the partner two
#: folders of one name, so no flow may take it (docs/partners.md).
STATUS_FOLDER = "status"


def reserved_column(name: str) -> str | None:
    """Why ``name`` cannot be a declared column (a name silolake adds itself), or None.

    Built-in partitions are partition keys of every table: a declared column of the same
    name would appear twice in the table (Glue and Athena refuse that)."""
    if name in BUILTIN_PARTITIONS:
        return (
            f"'{name}' is a built-in partition silolake adds to every table ({BUILTIN_PARTITIONS[name]}); "
            "give the column another name"
        )
    for prefix in RESERVED_COLUMN_PREFIXES:
        if name.startswith(prefix):
            fix = name.lstrip("_")
            hint = f"; write '{fix}'" if fix and not fix.startswith(RESERVED_COLUMN_PREFIXES) else ""
            return f"column names starting with '{prefix}' are reserved for silolake's own columns{hint}"
    return None


@dataclass(frozen=True)
class Column:
    """One declared column of a flow (``silos[].flows[].columns[]``).

    ``type`` is the canonical Glue/Hive type string (``decimal(12,2)``,
    ``array<struct<sku:string,qty:int>>``); ``comment`` becomes the Glue column comment.
    """

    name: str
    type: str  # canonical Glue/Hive type string
    comment: str = ""


@dataclass(frozen=True)
class Flow:
    """One data flow of a silo (``silos[].flows[]``): how records or files arrive and what they hold.

    - ``source``: the ingestion channel (:mod:`silolake.channels`): ``api`` (HTTPS records ->
      Firehose -> Parquet), ``sftp`` or ``upload`` (files).
    - ``format``: the data format as delivered (``json`` for api flows, the channel's
      ``catalog_format``; ``csv``/``json``/``parquet`` for files).
    - ``keys``: columns identifying a record (deduplication); ``partition_by``: partition
      columns of the processed table (``ingest_date`` is built in).
    - ``schedule``: EventBridge ``rate(...)``/``cron(...)`` expression of the flow's pipeline.
    - ``job``: ``"default"`` (the framework's conform job) or a path under ``glue_src/``
      relative to the catalog directory.
    - ``buffer_seconds`` (60-900 s) and ``buffer_mb`` (64-128 MB): Firehose buffering of api flows.
    - ``csv_delimiter``/``csv_header``: CSV reading options; ``warehouse``: load into Redshift;
      ``quicksight``: expose through a QuickSight data source; ``glue_worker_type`` /
      ``glue_workers``: size of the flow's Glue job (``glue.worker_type`` / ``glue.workers``).
    """

    name: str
    source: Source
    format: Format
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    partition_by: tuple[str, ...]
    schedule: str
    job: str  # "default" or a path relative to the catalog directory
    buffer_seconds: int
    buffer_mb: int
    #: Ingestion API throttle of an api flow (``flows[].throttle``): requests per second
    #: and burst, each of the flow's two methods separately.
    throttle_rate: float
    throttle_burst: int
    csv_delimiter: str
    csv_header: bool
    warehouse: bool
    quicksight: bool
    glue_worker_type: str  # Glue worker type of the flow's job (G.1X, ...)
    glue_workers: int  # number of Glue workers, the driver included
    renamed_from: str | None  # former name, kept as the AWS name (docs/day-2.md)
    #: ``adopt: true``: the flow's AWS name is in its silo's ``removed_flows``; synth imports
    #: the forgotten tables, stream and log groups (``import`` blocks) instead of colliding.
    adopt: bool = False
    #: ``quality``: data-quality rules the conform job evaluates per raw file (:mod:`.quality`).
    quality: tuple[QualityRule, ...] = ()
    #: ``expect``: when data is due, the tolerated reject ratio, per-partner deadlines
    #: (:mod:`.expect`); ``None``: no freshness check (the other alarms still apply).
    expect: FlowExpectations | None = None
    #: ``schema_version``: the version of the flow's data layout (>= 1); a breaking column
    #: change raises it and so starts new tables and prefixes (:attr:`data_name`).
    schema_version: int = 1

    @property
    def storage_name(self) -> str:
        """Name in AWS of what partners and operators know the flow by (stream, roles, log
        groups, state machine, Glue job, API path, dropzone folder, alarms): the former name
        of a renamed flow, since AWS cannot rename those in place (docs/day-2.md)."""
        return self.renamed_from or self.name

    @property
    def data_name(self) -> str:
        """Name of what holds the flow's data layout (Glue tables, the raw, processed and
        rejects prefixes, the conform state, the Redshift table, stage and procedure):
        :attr:`storage_name`, suffixed ``_v<N>`` from ``schema_version`` 2 on, so a breaking
        column change starts a new table and prefix and never rewrites what was landed
        (docs/etl.md, Schema versions)."""
        if self.schema_version == 1:
            return self.storage_name
        return f"{self.storage_name}_v{self.schema_version}"

    @property
    def raw_format(self) -> Format:
        """Format of the flow's raw zone: the channel's conversion (Parquet for api flows,
        written by Firehose), else the format as delivered."""
        return channel(self.source).raw_format or self.format

    @property
    def custom_job(self) -> bool:
        return self.job != "default"

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)
