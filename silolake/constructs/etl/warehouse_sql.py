"""Redshift SQL of the warehouse load: table DDL from catalog columns and an idempotent load.

Pure (never imports cdktf). The state machine sends :func:`load_statements` through the
Redshift Data API's ``BatchExecuteStatement``, which runs them as **one transaction**,
once per processed partition the conform job wrote. Each statement is a template whose
``{}`` are filled, in ``partition_by`` order, with that partition's values (Step
Functions ``States.Format``); :func:`render` fills them the same way for tests.

Idempotent per partition: the transaction deletes the partition's rows and inserts the
partition's Parquet files again, so loading a partition twice leaves the same rows
(a rerun, a retry, or a partition a later run rewrote). A failure rolls everything back.

Column evolution (docs/day-2.md): a compatible catalog change appends nullable columns at
the end of a warehouse flow (``silolake.catalog.changes.columns`` refuses anything else).
The table was created once, with the columns of its day, so before every load the
transaction adds each catalog column the table lacks, and only those: Redshift has no
``ADD COLUMN IF NOT EXISTS``, so a per-flow stored procedure (:func:`evolve_statements`,
re-created from the catalog by every load) looks each column up in the system catalog and
runs ``ALTER TABLE ... ADD COLUMN`` for a missing one. Rows loaded before hold NULL in
it; the INSERT names its target columns, so the new column's place at the table's end
(after the partition columns) never shifts a value. A partition written by the conform
job before the change has fewer columns than the stage: COPY from Parquet refuses such a
file (the column counts must match), so reloading it fails loudly; re-run the conform
job for that day first (it rewrites the partition with every column).

Type mapping (Glue -> Redshift; `Data types <https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html>`_):
``string`` -> ``VARCHAR(65535)``; ``char(n)``/``varchar(n)`` -> ``VARCHAR(4n)`` (Redshift
counts bytes, UTF-8 needs up to 4 per character; Redshift ``CHAR`` holds single-byte
characters only); ``decimal(p,s)`` -> ``DECIMAL(p,s)``; ``timestamp`` -> ``TIMESTAMP``;
``binary`` -> ``VARBYTE``; ``array``/``map``/``struct`` -> ``SUPER`` (loaded with
``SERIALIZETOJSON``); the built-in ``ingest_date`` -> ``DATE``.

Partition values become SQL literals, so only partition columns whose values cannot
contain a quote or a character Spark escapes in paths are accepted for warehouse flows:
the built-in ``ingest_date``, ``date`` and integer columns (:data:`WAREHOUSE_PARTITION_TYPES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...catalog.flow import BUILTIN_PARTITIONS, WAREHOUSE_PARTITION_TYPES, Flow

STAGE_PREFIX = "stage_"
SCHEMA = "public"
VARCHAR_MAX = 65535

_SIMPLE = {
    "boolean": "BOOLEAN",
    "tinyint": "SMALLINT",  # Redshift has no 1-byte integer
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "REAL",
    "double": "DOUBLE PRECISION",
    "string": f"VARCHAR({VARCHAR_MAX})",
    "binary": "VARBYTE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_LENGTH = re.compile(r"(char|varchar)\((\d+)\)")
_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")


def redshift_type(glue_type: str) -> str:
    """Redshift column type of a canonical Glue type string (mapping in the module docstring)."""
    if glue_type in _SIMPLE:
        return _SIMPLE[glue_type]
    if glue_type.startswith(("array<", "map<", "struct<")):
        return "SUPER"
    if m := _LENGTH.fullmatch(glue_type):
        return f"VARCHAR({min(4 * int(m.group(2)), VARCHAR_MAX)})"
    if m := _DECIMAL.fullmatch(glue_type):
        return f"DECIMAL({m.group(1)},{m.group(2)})"
    if glue_type == "decimal":
        return "DECIMAL(10,0)"
    raise ValueError(f"no Redshift mapping for Glue type {glue_type!r}")


def quote(identifier: str) -> str:
    """A Redshift delimited identifier (catalog names never contain quotes; doubled anyway)."""
    return '"' + identifier.replace('"', '""') + '"'


def _partition_type(flow: Flow, name: str) -> str:
    col = flow.column(name)
    return col.type if col else "date"  # the only built-in partition is ingest_date (a date)


def check_warehouse_flow(flow: Flow) -> None:
    """Raise ``ValueError`` when ``flow``'s partitions cannot be loaded safely (see module doc);
    catalog validation refuses such flows first, with a located message."""
    if not flow.partition_by:
        raise ValueError(f"flow '{flow.name}': warehouse loads need partition_by (one load per partition)")
    for name in flow.partition_by:
        if name in BUILTIN_PARTITIONS:
            continue
        col = flow.column(name)
        if col is None or col.type not in WAREHOUSE_PARTITION_TYPES:
            raise ValueError(
                f"flow '{flow.name}': warehouse partition column '{name}' must be ingest_date or of type "
                + "/".join(WAREHOUSE_PARTITION_TYPES)
            )


@dataclass(frozen=True)
class LoadTarget:
    """Where one flow loads: the processed prefix (``s3://bucket/flow/``) and the COPY role."""

    processed_path: str
    role_arn: str


def table_name(flow: Flow) -> str:
    # The AWS name: a renamed flow (``renamed_from``) keeps loading into its table.
    return f"{SCHEMA}.{quote(flow.data_name)}"


def file_columns(flow: Flow) -> list[tuple[str, str]]:
    """(name, Redshift type) of the columns inside the Parquet files (partition columns are in the path)."""
    return [(c.name, redshift_type(c.type)) for c in flow.columns if c.name not in flow.partition_by]


def table_columns(flow: Flow) -> list[tuple[str, str]]:
    """Columns of the warehouse table: the file columns, then the partition columns (like the Glue table)."""
    return [*file_columns(flow), *((p, redshift_type(_partition_type(flow, p))) for p in flow.partition_by)]


def create_table(flow: Flow) -> str:
    cols = ", ".join(f"{quote(n)} {t}" for n, t in table_columns(flow))
    return f"CREATE TABLE IF NOT EXISTS {table_name(flow)} ({cols})"


def evolve_procedure(flow: Flow) -> str:
    """Name of the per-flow procedure adding missing columns (one per flow: concurrent loads
    of two flows never replace each other's procedure)."""
    return f"{SCHEMA}.{quote('silolake_columns_' + flow.data_name)}"


def evolve_statements(flow: Flow) -> list[str]:
    """``CREATE OR REPLACE PROCEDURE`` then ``CALL``: add every column of :func:`table_columns`
    the table lacks (``ALTER TABLE ... ADD COLUMN``), leave the others; idempotent.

    The lookup reads ``pg_catalog`` (``pg_attribute`` of the table's ``pg_class`` in the
    schema's ``pg_namespace``), which Redshift keeps on the leader node like PostgreSQL,
    inside the load's transaction. Redshift folds identifiers to lower case, and catalog
    flow and column names are lower case. Procedures: `CREATE PROCEDURE
    <https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_PROCEDURE.html>`_, dynamic SQL
    with ``EXECUTE`` (`PL/pgSQL statements
    <https://docs.aws.amazon.com/redshift/latest/dg/c_PLpgSQL-statements.html>`_).
    """
    checks = []
    for name, rs_type in table_columns(flow):
        found = (
            "SELECT 1 FROM pg_catalog.pg_attribute a"
            " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            f" WHERE n.nspname = '{SCHEMA}' AND c.relname = '{flow.data_name.lower()}'"
            f" AND a.attname = '{name.lower()}' AND NOT a.attisdropped"
        )
        ddl = f"ALTER TABLE {table_name(flow)} ADD COLUMN {quote(name)} {rs_type}"
        checks.append(f"IF NOT EXISTS ({found}) THEN EXECUTE '{ddl}'; END IF;")
    body = " ".join(checks)
    return [
        f"CREATE OR REPLACE PROCEDURE {evolve_procedure(flow)}() AS $$ BEGIN {body} END; $$ LANGUAGE plpgsql",
        f"CALL {evolve_procedure(flow)}()",
    ]


def load_statements(flow: Flow, target: LoadTarget) -> list[str]:
    """The load transaction of one partition; ``{}`` stand for its values in ``partition_by`` order."""
    check_warehouse_flow(flow)
    stage = quote(STAGE_PREFIX + flow.data_name)
    stage_cols = ", ".join(f"{quote(n)} {t}" for n, t in file_columns(flow))
    path = target.processed_path + "".join(f"{p}={{}}/" for p in flow.partition_by)
    where = " AND ".join(f"{quote(p)} = '{{}}'::{redshift_type(_partition_type(flow, p))}" for p in flow.partition_by)
    values = ", ".join(f"'{{}}'::{redshift_type(_partition_type(flow, p))}" for p in flow.partition_by)
    selected = ", ".join([*(quote(n) for n, _ in file_columns(flow)), values])
    # The INSERT names its target columns: a table whose columns were added to or reordered since it
    # was created gets each value in the column of the same name, never the one at the same position.
    # COPY from Parquet takes no column list and maps the file's columns by position into the stage
    # (https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html); the stage
    # is created here from the same file_columns the conform job writes, in the same order.
    targets = ", ".join(quote(n) for n, _ in table_columns(flow))
    return [
        create_table(flow),
        *evolve_statements(flow),
        f"CREATE TEMP TABLE {stage} ({stage_cols})",
        f"COPY {stage} FROM '{path}' IAM_ROLE '{target.role_arn}' FORMAT AS PARQUET SERIALIZETOJSON",
        f"DELETE FROM {table_name(flow)} WHERE {where}",
        f"INSERT INTO {table_name(flow)} ({targets}) SELECT {selected} FROM {stage}",
        f"DROP TABLE {stage}",
    ]


def placeholders(statement: str) -> int:
    return statement.count("{}")


def render(statement: str, partition: dict[str, str], flow: Flow) -> str:
    """Fill a template like ``States.Format`` does at run time (``partition_by`` values in order)."""
    values = [partition[p] for p in flow.partition_by]
    count = placeholders(statement)
    if count not in (0, len(values)):
        raise ValueError(f"template has {count} placeholders for {len(values)} partition values")
    return statement.format(*values) if count else statement
