"""The Glue Data Catalog of one silo: a database and, per flow, a raw and a processed table.

The tables are the contract between the pieces of the data plane: Firehose converts
api records to Parquet with the raw table as its schema, ETL reads raw and writes
processed, and analytics accounts query processed through the silo's catalog. Column
types come from :func:`silolake.catalog.types.glue_type` (applied once by the model), so
Glue, Athena, Firehose and the Parquet files agree on one spelling.

Layout (the same for every flow, so ETL and sharing need no per-flow knowledge):

- raw: ``s3://<raw bucket>/<flow>/ingest_date=YYYY-MM-DD/...``, partitioned by the
  ``ingest_date`` string the landing path carries (Firehose prefix or file mover), in the
  format the data arrives in (Parquet for api flows, since Firehose converts).
- processed: ``s3://<processed bucket>/<flow>/<partition_by...>/``, always Parquet
  (Snappy), partitioned by the flow's ``partition_by``: declared columns move from the
  column list to the partition keys, the built-in ``ingest_date`` is a string key.

Partitions are registered by whoever writes them (ETL, ``MSCK REPAIR TABLE``); no
partition projection, because Glue ETL jobs reading through the catalog ignore it.

Catalog metadata (schemas, locations) is encrypted at rest with the silo key, so the
key policy governs catalog reads like data reads: cross-account readers decrypt through
Glue (``kms:ViaService``, see :func:`silolake.policy.sharing.processed_key_statements`) and
need ``kms:Decrypt`` on the silo key in their own identity policy too.

The database carries ``prevent_destroy`` in every silo state (decommission included):
its tables are metadata rebuilt from the catalog, the database is the name analytics
catalogs point at. Tables are not protected: removing or renaming a flow drops its
table definitions, never its data (external tables).
"""

from __future__ import annotations

from typing import Any

from ... import policy
from ...aws import names
from ...aws.terraform_text import literal_except_tokens
from ...catalog.flow import BUILTIN_PARTITIONS, Column, Flow
from ...catalog.model import Silo
from ...engine.cdk import Construct, aws
from ..context import SiloContext

_PARQUET = {
    "input_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "output_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "serde": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
}
_TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
_TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
# LazySimpleSerDe rather than OpenCSVSerde: it reads typed columns natively (int,
# decimal, date as yyyy-MM-dd, timestamp) where OpenCSVSerde wants dates as epoch
# numbers. It does not unquote fields; quoted CSV is cleaned up by ETL into processed.
CSV_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
PARQUET_SERDE = _PARQUET["serde"]

#: The partition key every raw table has: the landing date in the path.
RAW_PARTITION = "ingest_date"


def raw_format(flow: Flow) -> str:
    """Format of a flow's raw data: api records are converted to Parquet by Firehose
    (:attr:`Flow.raw_format`, the channel's rule)."""
    return flow.raw_format


def storage_format(fmt: str, flow: Flow) -> tuple[dict[str, Any], dict[str, str]]:
    """(storage descriptor fields, table parameters) for data in ``fmt``."""
    if fmt == "parquet":
        return (
            {
                "input_format": _PARQUET["input_format"],
                "output_format": _PARQUET["output_format"],
                "ser_de_info": {
                    "name": "parquet",
                    "serialization_library": PARQUET_SERDE,
                    "parameters": {"serialization.format": "1"},
                },
            },
            {"classification": "parquet", "parquet.compression": "SNAPPY"},
        )
    if fmt == "json":
        return (
            {
                "input_format": _TEXT_INPUT,
                "output_format": _TEXT_OUTPUT,
                "ser_de_info": {
                    "name": "json",
                    "serialization_library": JSON_SERDE,
                    "parameters": {"ignore.malformed.json": "FALSE", "case.insensitive": "TRUE"},
                },
            },
            {"classification": "json"},
        )
    if fmt == "csv":
        serde = {"field.delim": flow.csv_delimiter, "serialization.format": flow.csv_delimiter}
        params = {"classification": "csv", "delimiter": flow.csv_delimiter}
        if flow.csv_header:
            params["skip.header.line.count"] = "1"
        return (
            {
                "input_format": _TEXT_INPUT,
                "output_format": _TEXT_OUTPUT,
                "ser_de_info": {"name": "csv", "serialization_library": CSV_SERDE, "parameters": serde},
            },
            params,
        )
    raise ValueError(f"unsupported format {fmt!r}")  # the schema admits no other


def _column(col: Column) -> dict[str, str]:
    out = {"name": col.name, "type": col.type}
    if col.comment:
        out["comment"] = col.comment
    return out


def _builtin(name: str) -> dict[str, str]:
    return {"name": name, "type": "string", "comment": BUILTIN_PARTITIONS[name]}


def raw_layout(flow: Flow) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(columns, partition keys) of the raw table: every declared column, ``ingest_date``."""
    return [_column(c) for c in flow.columns], [_builtin(RAW_PARTITION)]


def processed_layout(flow: Flow) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(columns, partition keys) of the processed table, in ``partition_by`` order.

    A declared column named in ``partition_by`` becomes a partition key (Hive tables
    cannot hold a name in both lists); an undeclared one is a built-in (validated).
    """
    partitions = []
    for name in flow.partition_by:
        col = flow.column(name)
        partitions.append(_column(col) if col else _builtin(name))
    columns = [_column(c) for c in flow.columns if c.name not in flow.partition_by]
    return columns, partitions


def table_spec(flow: Flow, zone: str, location: str) -> dict[str, Any]:
    """Keyword arguments of the ``aws_glue_catalog_table`` of a flow in ``raw``/``processed``."""
    if zone == "raw":
        fmt, (columns, partitions) = raw_format(flow), raw_layout(flow)
    elif zone == "processed":
        fmt, (columns, partitions) = "parquet", processed_layout(flow)
    else:
        raise ValueError(f"flows have tables in raw and processed only, not {zone!r}")
    descriptor, parameters = storage_format(fmt, flow)
    return {
        "name": names.glue_table(flow.data_name, zone),
        "description": f"{zone} data of flow '{flow.name}' ({flow.source}, {fmt})",
        "table_type": "EXTERNAL_TABLE",
        "parameters": {"EXTERNAL": "TRUE", **parameters},
        "partition_keys": partitions,
        "storage_descriptor": {**descriptor, "location": location, "columns": columns},
    }


#: Columns of the silo's quality results table (restated from the conform job's
#: ``conform_quality.RESULT_COLUMNS``; ``tests/etl/test_quality_contract.py`` keeps them equal).
QUALITY_COLUMNS = (
    ("run_id", "string", "conform run: YYYYMMDDTHHMMSSZ-<8 hex>"),
    ("run_time", "timestamp", "start of the run (UTC)"),
    ("source_file", "string", "the raw file (S3 URI), the batch the rule was evaluated on"),
    ("rule", "string", "the rule: check(columns), e.g. not_null(order_id)"),
    ("check_name", "string", "not_null, unique, range, allowed_values, pattern or min_rows"),
    ("columns", "string", "the checked column(s), comma-separated"),
    ("severity", "string", "fail or warn (on_failure)"),
    ("rows_checked", "bigint", "rows of the file that passed the type checks"),
    ("rows_violating", "bigint", "rows violating the rule (min_rows: the shortfall)"),
    ("outcome", "string", "passed, warned or failed (the file was rejected)"),
)
#: First day partition projection offers (earlier results cannot exist: the table is newer).
QUALITY_PROJECTION_START = "2024-01-01"


def quality_table_spec(silo: Silo, processed_bucket: str) -> dict[str, Any]:
    """Keyword arguments of the silo's quality results table (``silolake_quality``).

    Parquet under ``<processed>/_quality/flow=<flow>/ingest_date=<raw partition>/``, written by
    the conform job. Partitions come from **partition projection** (Athena computes them from
    the table properties: ``flow`` an enum of the silo's flows, ``ingest_date`` a date range up
    to today), so a new day's results are queryable without ``MSCK REPAIR TABLE``
    (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html). Nothing but
    Athena reads this table, so projection's limit (Glue ETL ignores it) does not apply. The
    table holds no partition index to lose: it is plain metadata, rebuilt from the catalog.
    """
    flows = sorted({f.storage_name for f in silo.flows})
    root = f"s3://{processed_bucket}/{names.QUALITY_PREFIX}"
    descriptor, parameters = storage_format("parquet", silo.flows[0])
    projection = {
        "projection.enabled": "true",
        "projection.flow.type": "enum",
        "projection.flow.values": ",".join(flows),
        "projection.ingest_date.type": "date",
        "projection.ingest_date.format": "yyyy-MM-dd",
        "projection.ingest_date.range": f"{QUALITY_PROJECTION_START},NOW",
        "projection.ingest_date.interval": "1",
        "projection.ingest_date.interval.unit": "DAYS",
        # Athena reads ${...} here; Terraform must not (literal_except_tokens keeps the bucket token live).
        "storage.location.template": literal_except_tokens(root + "flow=${flow}/ingest_date=${ingest_date}/"),
    }
    return {
        "name": names.QUALITY_TABLE,
        "description": "data-quality results of the conform jobs: one row per run, raw file and rule",
        "table_type": "EXTERNAL_TABLE",
        "parameters": {"EXTERNAL": "TRUE", **parameters, **projection},
        "partition_keys": [
            {"name": "flow", "type": "string", "comment": "the flow (its S3 name: the catalog name unless renamed)"},
            {"name": "ingest_date", "type": "string", "comment": "raw partition (arrival date) of the file"},
        ],
        "storage_descriptor": {
            **descriptor,
            "location": root,
            "columns": [{"name": n, "type": t, "comment": c} for n, t, c in QUALITY_COLUMNS],
        },
    }


def table_id(flow: Flow, zone: str) -> str:
    """Construct id of a flow's table: each schema version's tables have their own address,
    so raising ``schema_version`` creates the new tables beside the old ones (which
    :mod:`silolake.stacks.continuity` forgets) instead of replacing them (a Glue table's
    ``name`` is ForceNew)."""
    version = f"-v{flow.schema_version}" if flow.schema_version > 1 else ""
    return f"{flow.name}{version}-{zone}"


class GlueCatalog(Construct):
    """Database and per-flow tables of ``silo``.

    The context's silo key encrypts the catalog metadata (an account-wide setting: a silo
    account holds one silo); tables locate in its ``raw`` and ``processed`` buckets.
    ``resource_policy`` (a policy document, from :mod:`silolake.policy.sharing`) becomes the
    account's Glue catalog resource policy; ``None`` (nobody reads the silo, or it is
    decommissioned) creates none, so a previous one is removed on apply. Attributes:
    ``database``, ``raw_tables`` / ``processed_tables`` (flow name -> table resource).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        resource_policy: dict | None = None,
    ) -> None:
        super().__init__(scope, id)
        silo, buckets, key_arn = ctx.silo, ctx.bucket_names, ctx.key.arn
        self.database = aws.glue_catalog_database.GlueCatalogDatabase(
            self,
            "database",
            name=names.glue_database(silo.name),
            description=f"silolake silo '{silo.name}': raw and processed tables per flow",
            location_uri=f"s3://{buckets['processed']}/",
            lifecycle={"prevent_destroy": True},
        )
        self.encryption = aws.glue_data_catalog_encryption_settings.GlueDataCatalogEncryptionSettings(
            self,
            "encryption",
            data_catalog_encryption_settings={
                "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": key_arn},
                "connection_password_encryption": {
                    "return_connection_password_encrypted": True,
                    "aws_kms_key_id": key_arn,
                },
            },
        )
        self.raw_tables: dict[str, Any] = {}
        self.processed_tables: dict[str, Any] = {}
        for flow in silo.flows:
            for zone, tables in (("raw", self.raw_tables), ("processed", self.processed_tables)):
                spec = table_spec(flow, zone, f"s3://{buckets[zone]}/{flow.data_name}/")
                # Protected: the table is the schema contract Firehose converts against and the
                # partitions analysts query; dropping it loses the partition index.
                tables[flow.name] = aws.glue_catalog_table.GlueCatalogTable(
                    self,
                    table_id(flow, zone),
                    database_name=self.database.name,
                    lifecycle={"prevent_destroy": True},
                    **spec,
                )
        # Every silo with flows has the table, rules or not: adding or removing a rule never adds or
        # drops it (a flow without rules simply has no results).
        self.quality_table = None
        if silo.flows:
            self.quality_table = aws.glue_catalog_table.GlueCatalogTable(
                self,
                "quality-results",
                database_name=self.database.name,
                # Protected like every table: its results are queried through it (partition
                # projection, so no index is lost, but a destroy still drops what readers use).
                lifecycle={"prevent_destroy": True},
                **quality_table_spec(silo, buckets["processed"]),
            )
        self.resource_policy = None
        if resource_policy is not None:
            # One per account and region; a silo account holds exactly one silo.
            self.resource_policy = aws.glue_resource_policy.GlueResourcePolicy(
                self, "resource-policy", policy=policy.render(resource_policy)
            )
