"""The warehouse load of a day replaces the day: run twice, or again after a redrive, it never duplicates rows.

The load transaction (:func:`~silolake.constructs.etl.warehouse_sql.load_statements`, filled for one
partition as ``States.Format`` does) is executed in DuckDB, every statement transpiled from Redshift SQL
by sqlglot, except ``COPY``, which only Redshift runs: it is played by reading the partition's Parquet
files into the stage by position, which is what ``COPY ... FORMAT AS PARQUET`` does. The Parquet files
carry the conform job's encodings (timestamps ``INT64`` microseconds without zone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

from silolake.catalog.flow import Column
from silolake.constructs.etl import warehouse_sql
from tests.flows import file_flow

FLOW = file_flow(
    "payments",
    (Column("id", "string"), Column("amount", "decimal(12,2)"), Column("paid_at", "timestamp")),
    keys=("id",),
)
DAY, OTHER = "2026-11-20", "2026-11-21"


def _write_day(root: Path, day: str, rows: list[tuple[str, str, dt.datetime]]) -> None:
    folder = root / "payments" / f"ingest_date={day}"
    for old in folder.glob("*.parquet"):
        old.unlink()  # the job's dynamic overwrite replaces the partition's files
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "id": [r[0] for r in rows],
            "amount": pa.array([Decimal(r[1]) for r in rows], pa.decimal128(12, 2)),
            "paid_at": pa.array([r[2] for r in rows], pa.timestamp("us")),
        }
    )
    pq.write_table(table, folder / "part-00000.snappy.parquet")


def _load(con: duckdb.DuckDBPyConnection, root: Path, day: str) -> None:
    """One load transaction of ``day``, as the state machine's Map runs it."""
    target = warehouse_sql.LoadTarget(f"s3://processed/{FLOW.storage_name}/", "arn:aws:iam::444444444444:role/r")
    statements = [
        warehouse_sql.render(s, {"ingest_date": day}, FLOW) for s in warehouse_sql.load_statements(FLOW, target)
    ]
    # The column procedure (CREATE PROCEDURE, CALL) is PL/pgSQL, which DuckDB does not run; it only
    # adds columns a table lacks, and tests/etl/test_warehouse_evolution.py runs it on PostgreSQL.
    evolve = {warehouse_sql.render(s, {"ingest_date": day}, FLOW) for s in warehouse_sql.evolve_statements(FLOW)}
    con.execute("BEGIN")
    for statement in statements:
        if statement in evolve:
            continue
        if statement.startswith("COPY "):
            stage = statement.split()[1]
            files = (root / "payments" / f"ingest_date={day}" / "*.parquet").as_posix()
            assert f"/{FLOW.storage_name}/ingest_date={day}/'" in statement
            con.execute(
                f"INSERT INTO {stage} SELECT * FROM read_parquet('{files}', hive_partitioning = false)"
            )  # by position, as COPY
            continue
        con.execute(sqlglot.transpile(statement, read="redshift", write="duckdb")[0])
    con.execute("COMMIT")


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute('SELECT * FROM public."payments" ORDER BY ingest_date, id').fetchall()


def test_loading_a_day_again_replaces_it_and_leaves_other_days(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA public")
    at = dt.datetime(2026, 11, 20, 8, 0, 0, 123456)
    _write_day(tmp_path, DAY, [("p1", "10.50", at), ("p2", "0.01", at)])
    _write_day(tmp_path, OTHER, [("p9", "7.00", at)])
    _load(con, tmp_path, DAY)
    _load(con, tmp_path, OTHER)
    first = _rows(con)
    assert first == [
        ("p1", Decimal("10.50"), at, dt.date(2026, 11, 20)),
        ("p2", Decimal("0.01"), at, dt.date(2026, 11, 20)),
        ("p9", Decimal("7.00"), at, dt.date(2026, 11, 21)),
    ]

    _load(con, tmp_path, DAY)  # a rerun, or a retry after a failure
    assert _rows(con) == first

    # A redrive rewrote the day with a row the fix made valid: the day is replaced, the other day stays.
    _write_day(tmp_path, DAY, [("p1", "10.50", at), ("p2", "0.01", at), ("p3", "99.99", at)])
    _load(con, tmp_path, DAY)
    _load(con, tmp_path, DAY)
    assert _rows(con) == [*first[:2], ("p3", Decimal("99.99"), at, dt.date(2026, 11, 20)), first[2]]
