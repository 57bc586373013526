"""A real reader agrees with the synthesized tables: DuckDB reads the conform job's output of sales.orders.

The flow spec and the raw Parquet files are derived from the synthesized raw Glue table
(as Firehose writes api flows); DuckDB then reads the processed output declaring exactly
the column types of the synthesized processed table, and must return the expected rows.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silolake.catalog.types import ArrayType, GlueType, MapType, Primitive, StructType, parse_type

from .sample_data import EPOCH, raw_partition, spec

pytestmark = pytest.mark.slow

_ARROW = {
    "string": pa.string(),
    "char": pa.string(),
    "varchar": pa.string(),
    "boolean": pa.bool_(),
    "tinyint": pa.int8(),
    "smallint": pa.int16(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "binary": pa.binary(),
}
_DUCK = {
    "string": "VARCHAR",
    "char": "VARCHAR",
    "varchar": "VARCHAR",
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "binary": "BLOB",
}


def arrow_type(t: GlueType) -> pa.DataType:
    """How a Parquet writer (Firehose) stores a Glue type."""
    if isinstance(t, ArrayType):
        return pa.list_(arrow_type(t.element))
    if isinstance(t, MapType):
        return pa.map_(arrow_type(t.key), arrow_type(t.value))
    if isinstance(t, StructType):
        return pa.struct([(n, arrow_type(f)) for n, f in t.fields])
    assert isinstance(t, Primitive)
    return pa.decimal128(*t.params) if t.name == "decimal" else _ARROW[t.name]


def duckdb_type(t: GlueType) -> str:
    """The DuckDB type a Glue column type means (char/varchar have no length in DuckDB)."""
    if isinstance(t, ArrayType):
        return f"{duckdb_type(t.element)}[]"
    if isinstance(t, MapType):
        return f"MAP({duckdb_type(t.key)}, {duckdb_type(t.value)})"
    if isinstance(t, StructType):
        return "STRUCT(" + ", ".join(f"{n} {duckdb_type(f)}" for n, f in t.fields) + ")"
    assert isinstance(t, Primitive)
    return f"DECIMAL({t.params[0]},{t.params[1]})" if t.name == "decimal" else _DUCK[t.name]


def _table(synth: Any, name: str) -> dict[str, Any]:
    tables = synth.resources("silo-sales", "aws_glue_catalog_table").values()
    return next(t for t in tables if t["name"] == name)


def _order(i: int, amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {
        "order_id": f"o{i}",
        "customer_id": f"c{i % 2}",
        "amount": Decimal(amount),
        "currency": currency,
        "ordered_at": EPOCH + dt.timedelta(minutes=i),
        "lines": [{"sku": f"s{i}", "qty": i, "unit_price": Decimal(amount)}],
    }


def test_duckdb_reads_processed_orders_with_the_processed_table_types(
    spark, example_synth, example_catalog, tmp_path: Path
) -> None:
    raw_table, processed_table = _table(example_synth, "orders_raw"), _table(example_synth, "orders_processed")
    flow = next(f for s in example_catalog.silos if s.name == "sales" for f in s.flows if f.name == "orders")
    raw_columns = [(c["name"], c["type"]) for c in raw_table["storage_descriptor"]["columns"]]
    assert raw_table["parameters"]["classification"] == "parquet"  # api flows land as Firehose Parquet

    schema = pa.schema([(n, arrow_type(parse_type(t))) for n, t in raw_columns])
    first = [_order(1, "10.00"), _order(2, "20.50"), _order(3, "30.00", currency="EURO")]  # o3: char(3) too long
    later = [_order(2, "25.75")]  # o2 again, a minute later: it wins
    for name, rows, minute in (("part-0.parquet", first, 0), ("part-1.parquet", later, 1)):
        path = raw_partition(tmp_path, "2024-05-01", "orders") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        stamp = (EPOCH + dt.timedelta(minutes=minute)).replace(tzinfo=dt.UTC).timestamp()
        os.utime(path, (stamp, stamp))

    from conform import conform
    from conform_spec import parse_spec

    flow_spec = spec(
        tmp_path,
        fmt="parquet",
        partition_by=list(flow.partition_by),
        keys=list(flow.keys),
        columns=raw_columns,
        flow="orders",
    )
    result = conform(spark, parse_spec(flow_spec))
    assert (result.rows_read, result.rows_rejected) == (4, 1)

    columns = [
        (c["name"], duckdb_type(parse_type(c["type"]))) for c in processed_table["storage_descriptor"]["columns"]
    ]
    partitions = [(p["name"], duckdb_type(parse_type(p["type"]))) for p in processed_table["partition_keys"]]
    assert partitions == [("ingest_date", "VARCHAR")]
    con = duckdb.connect()
    source = (
        f"read_parquet('{tmp_path}/processed/orders/**/*.parquet', hive_partitioning = true, "
        f"hive_types = {{'ingest_date': 'VARCHAR'}})"
    )
    described = [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    assert described == columns + partitions  # every column with exactly the table's type, in table order

    names = ", ".join(n for n, _ in columns + partitions)
    got = con.execute(f"SELECT {names} FROM {source} ORDER BY order_id").fetchall()
    assert got == [
        (
            "o1",
            "c1",
            Decimal("10.00"),
            "EUR",
            EPOCH + dt.timedelta(minutes=1),
            [{"sku": "s1", "qty": 1, "unit_price": Decimal("10.00")}],
            "2024-05-01",
        ),
        (
            "o2",
            "c0",
            Decimal("25.75"),
            "EUR",
            EPOCH + dt.timedelta(minutes=2),
            [{"sku": "s2", "qty": 2, "unit_price": Decimal("25.75")}],
            "2024-05-01",
        ),
    ]
