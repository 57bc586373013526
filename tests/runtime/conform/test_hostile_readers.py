"""Issue 22: every reader agrees on what the conform job wrote.

- A map whose keys repeat (in the JSON text, or after the key cast: ``"1"`` and ``"01"``)
  is rejected with its reason, never written as a map DuckDB refuses to read.
- Timestamps are INT64 microseconds without zone: pyarrow and DuckDB read
  0001-01-01..9999-12-31 exactly, where the INT96 encoding misreads them in pyarrow;
  the warehouse load's SQL loads them into a ``TIMESTAMP`` column, named.
- Warehouse flows reject, per row, values over Redshift's byte limits before the load.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from silolake.catalog.flow import Column, Flow
from silolake.constructs.etl import warehouse_sql
from tests.flows import file_flow

from . import hostile_corpus as corpus
from .sample_data import spec
from .test_hostile_files import DAY, arrow_rows, duck_rows, rejects, run

pytestmark = pytest.mark.slow


def test_repeated_map_keys_are_rejected(spark, tmp_path: Path) -> None:
    cols = [("id", "string"), ("labels", "map<string,string>"), ("counts", "map<int,int>")]
    lines = [
        '{"id": "m1", "labels": {"a": "1", "a": "2"}}',
        '{"id": "m2", "counts": {"1": 1, "01": 2}}',
        '{"id": "m3", "labels": {"a": "1", "b": "2"}, "counts": {"1": 1, "2": 2}}',
    ]
    corpus.json_lines(tmp_path, DAY, "p__maps.json", lines)
    result = run(spark, spec(tmp_path, fmt="json", columns=cols))
    assert (result.rows_read, result.rows_rejected) == (3, 2)
    assert rejects(tmp_path) == [
        ("p__maps.json", "m1", 'labels: \'{"a":"1","a":"2"}\' is not a valid map<string,string>'),
        ("p__maps.json", "m2", 'counts: \'{"1":"1","01":"2"}\' is not a valid map<int,int>'),
    ]
    assert duck_rows(tmp_path, cols) == [("m3", {"a": "1", "b": "2"}, {1: 1, 2: 2})]
    assert arrow_rows(tmp_path, cols) == [("m3", [("a", "1"), ("b", "2")], [(1, 1), (2, 2)])]


EDGES = [
    ("t1", "0001-01-01T00:00:00Z", dt.datetime(1, 1, 1), "0001-01-01"),
    ("t2", "9999-12-31T23:59:59.999999Z", dt.datetime(9999, 12, 31, 23, 59, 59, 999999), "9999-12-31"),
    ("t3", "1500-06-15T12:00:00.5+02:00", dt.datetime(1500, 6, 15, 10, 0, 0, 500000), "1500-06-15"),
    ("t4", "2262-04-12T00:00:00Z", dt.datetime(2262, 4, 12), "2262-04-12"),
]


def test_timestamps_read_the_same_in_pyarrow_and_duckdb_across_the_whole_range(spark, tmp_path: Path) -> None:
    cols = [("id", "string"), ("at", "timestamp"), ("day", "date")]
    lines = [json.dumps({"id": i, "at": text, "day": day}) for i, text, _, day in EDGES]
    corpus.json_lines(tmp_path, DAY, "p__edges.json", lines)
    run(spark, spec(tmp_path, fmt="json", columns=cols))
    expected = [(i, at, dt.date.fromisoformat(day)) for i, _, at, day in EDGES]
    assert duck_rows(tmp_path, cols) == arrow_rows(tmp_path, cols) == expected

    file = next((tmp_path / "processed/things").rglob("*.parquet"))
    column = pq.ParquetFile(file).schema.column(1)
    assert (column.name, column.physical_type) == ("at", "INT64")
    logical = str(column.logical_type)
    assert logical.startswith("Timestamp(isAdjustedToUTC=false, timeUnit=microseconds"), logical


def test_int96_is_what_pyarrow_misreads(spark, tmp_path: Path) -> None:
    """Why the job does not write INT96: the same values, written so, come back wrong in pyarrow."""
    from pyspark.sql import Row

    spark.conf.set("spark.sql.parquet.outputTimestampType", "INT96")
    spark.conf.set("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    out = tmp_path / "int96"
    spark.createDataFrame([Row(at=at) for *_, at, _ in EDGES]).coalesce(1).write.parquet(out.as_uri())
    file = next(out.glob("*.parquet"))
    assert pq.ParquetFile(file).schema.column(0).physical_type == "INT96"
    try:
        got = pq.read_table(file).column("at").to_pylist()
    except Exception:  # noqa: BLE001 - an overflow error is a misread too
        got = None
    assert got != [at for *_, at, _ in EDGES]


def _flow(columns: tuple[Column, ...]) -> Flow:
    return file_flow("edges", columns, format="json", keys=("id",))


def test_the_warehouse_sql_loads_the_timestamp_into_a_timestamp_column_by_name() -> None:
    flow = _flow((Column("id", "string"), Column("at", "timestamp"), Column("day", "date")))
    target = warehouse_sql.LoadTarget("s3://bucket/edges/", "arn:aws:iam::444444444444:role/r")
    # By their first two words: the load also creates and calls the column procedure.
    statements = {
        " ".join(s.split()[:2]): warehouse_sql.render(s, {"ingest_date": DAY}, flow)
        for s in warehouse_sql.load_statements(flow, target)
    }
    stage = sqlglot.parse_one(statements["CREATE TEMP"], read="redshift")
    columns = {c.name: c.args["kind"].sql("redshift") for c in stage.find_all(exp.ColumnDef)}
    assert columns == {"id": "VARCHAR(65535)", "at": "TIMESTAMP", "day": "DATE"}  # the file's columns, in order
    insert = sqlglot.parse_one(statements["INSERT INTO"], read="redshift")
    assert [c.name for c in insert.this.expressions] == ["id", "at", "day", "ingest_date"]


def test_values_over_redshift_byte_limits_are_rejected_per_row_on_warehouse_flows(spark, tmp_path: Path) -> None:
    cols = [("id", "string"), ("note", "string"), ("blob", "binary")]
    rows = {
        "w1": ("é" * 32767 + "a", b""),  # 65,535 bytes: fits VARCHAR(65535)
        "w2": ("é" * 32768, b""),  # 65,536 bytes
        "w3": ("", b"x" * 64000),  # fits the default VARBYTE
        "w4": ("", b"x" * 64001),
    }
    lines = [json.dumps({"id": i, "note": n, "blob": base64.b64encode(b).decode()}) for i, (n, b) in rows.items()]
    corpus.json_lines(tmp_path, DAY, "p__big.json", lines)
    flow = spec(tmp_path, fmt="json", columns=cols)
    result = run(spark, {**flow, "warehouse": True})
    assert (result.rows_read, result.rows_rejected) == (4, 2)
    assert [(f, i, r) for f, i, r in rejects(tmp_path)] == [
        ("p__big.json", "w2", "note: 65536 bytes exceed Redshift's VARCHAR limit of 65535 bytes"),
        ("p__big.json", "w4", "blob: 64001 bytes exceed Redshift's VARBYTE limit of 64000 bytes"),
    ]
    kept = [(i, rows[i][0], rows[i][1]) for i in ("w1", "w3")]
    assert duck_rows(tmp_path, cols) == arrow_rows(tmp_path, cols) == kept

    plain = run(spark, flow)  # not a warehouse flow: nothing to fit into Redshift
    assert (plain.rows_read, plain.rows_rejected) == (4, 0)
