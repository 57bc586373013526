"""Issue 22: a file is the unit of failure, and a poisoned file never blocks later batches.

One partition mixes writers (int32 and int64, decimal scales 2 and 3, zoned microseconds
and pandas' nanoseconds, a date before 1582) with files that cannot be read (no footer,
a damaged data page, a type with no cast). The readable files are kept exactly, each
unreadable file is one reject line with its reason, and the output reads back the same in
DuckDB and pyarrow with the declared types.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from silolake.catalog.types import parse_type

from . import hostile_corpus as corpus
from .sample_data import spec
from .test_reader_agrees import arrow_type, duckdb_type

pytestmark = pytest.mark.slow

DAY, NEXT = "2024-05-01", "2024-05-02"


def run(spark, flow: dict[str, Any]):
    from conform import conform
    from conform_spec import parse_spec

    return conform(spark, parse_spec(flow))


def rejects(root: Path, flow: str = "things") -> list[tuple[str, str | None, str]]:
    """(file name, record id or None for a whole file, reason), sorted."""
    out = []
    for path in sorted((root / f"processed/_rejects/{flow}").glob("ingest_date=*/*.json")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            out.append((Path(row["source_file"]).name, (row.get("record") or {}).get("id"), row["reason"]))
    return sorted(out, key=json.dumps)


def duck_rows(root: Path, columns: list[tuple[str, str]], flow: str = "things") -> list[tuple[Any, ...]]:
    """Every processed row as DuckDB reads it with exactly the declared types (plus ingest_date)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    glob = (root / f"processed/{flow}/**/*.parquet").as_posix()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
    described = {name: kind for name, kind, *_ in con.execute("DESCRIBE t").fetchall()}
    assert {n: described[n] for n, _ in columns} == {n: duckdb_type(parse_type(t)) for n, t in columns}
    names = ", ".join(f'"{n}"' for n, _ in columns)
    return con.execute(f"SELECT {names} FROM t ORDER BY 1").fetchall()


def arrow_rows(root: Path, columns: list[tuple[str, str]], flow: str = "things") -> list[tuple[Any, ...]]:
    """Every processed row as pyarrow reads it, its schema checked against the declared types."""
    table = ds.dataset(root / f"processed/{flow}", format="parquet", partitioning="hive").to_table()
    for name, glue in columns:
        assert table.schema.field(name).type == arrow_type(parse_type(glue)), name
    rows = [tuple(r[n] for n, _ in columns) for r in table.to_pylist()]
    return sorted(rows, key=lambda r: str(r[0]))


KEPT = [
    ("a1", 1, Decimal("1.50"), dt.datetime(2024, 5, 1, 8, 0, 0, 1), dt.date(2024, 5, 1)),
    ("a2", 2, Decimal("2.25"), dt.datetime(2024, 5, 1, 8, 0, 0, 1), dt.date(2024, 5, 1)),
    ("b1", 2**40, Decimal("3.10"), dt.datetime(2024, 5, 1, 8, 0, 0, 1), dt.date(2024, 5, 1)),
    ("b4", 7, Decimal("0.00"), dt.datetime(1700, 1, 1), dt.date(1200, 3, 1)),
]


def test_mixed_writers_merge_and_unreadable_files_are_rejected_whole(spark, tmp_path: Path) -> None:
    for write in (
        corpus.int32_file,
        corpus.pandas_file,
        corpus.not_parquet_file,
        corpus.damaged_page_file,
        corpus.uncastable_file,
    ):
        write(tmp_path, DAY)
    result = run(spark, spec(tmp_path, fmt="parquet", columns=corpus.PARQUET_COLUMNS))

    got = rejects(tmp_path)
    whole = {name: reason for name, ident, reason in got if ident is None}
    assert sorted(whole) == ["p__boolday.parquet", "p__damaged.parquet", "p__notparquet.parquet"]
    assert whole["p__boolday.parquet"] == "file rejected: day: boolean cannot be cast to date"
    assert whole["p__notparquet.parquet"].startswith("file rejected: not a readable Parquet file (")
    assert "is not a Parquet file" in whole["p__notparquet.parquet"]
    assert whole["p__damaged.parquet"].startswith("file rejected: cannot be read (")
    assert [r for r in got if r[1] is not None] == [
        ("p__pandas.parquet", "b2", "price: '2.005' is not a valid decimal(12,2)"),
        ("p__pandas.parquet", "b3", "at: '2024-05-01T08:00:00.000000001' is not a valid timestamp"),
    ]
    assert (result.rows_read, result.rows_rejected, result.files_rejected) == (6, 2, 3)

    assert duck_rows(tmp_path, corpus.PARQUET_COLUMNS) == KEPT
    assert arrow_rows(tmp_path, corpus.PARQUET_COLUMNS) == KEPT


def test_a_poisoned_file_never_blocks_later_batches(spark, tmp_path: Path, monkeypatch) -> None:
    import conform

    flow = spec(tmp_path, fmt="json", columns=[("id", "string"), ("n", "int")])
    corpus.json_lines(tmp_path, DAY, "p__good.json", ['{"id": "g1", "n": 1}'])
    corpus.gzip_garbage(tmp_path, DAY)

    # Run 1 fails after it has read and judged the batch (the processed write breaks).
    def broken(*_: Any) -> None:
        raise OSError("S3 unavailable")

    monkeypatch.setattr(conform, "_write_processed", broken)
    with pytest.raises(OSError, match="S3 unavailable"):
        run(spark, flow)
    state = json.loads((tmp_path / "processed/things/_silolake/conform_state.json").read_text())
    assert state["status"] == "rejects_written" and state["raw_partitions_through"] is None
    assert [Path(f["path"]).name for f in state["rejected_files"]] == ["p__garbage.json.gz"]
    monkeypatch.undo()

    # Runs 2 and 3: the known-bad file is never read again, and every later batch is processed.
    read: list[str] = []
    real = conform.read_batch

    def spy(spark_, spec_, targets, files):
        read.extend(Path(f.path).name for f in files)
        return real(spark_, spec_, targets, files)

    monkeypatch.setattr(conform, "read_batch", spy)
    second = run(spark, flow)
    corpus.json_lines(tmp_path, NEXT, "p__next.json", ['{"id": "g2", "n": 2}'])
    third = run(spark, flow)

    assert "p__garbage.json.gz" not in read
    assert (second.rows_read, second.files_rejected, third.rows_read, third.files_rejected) == (1, 1, 2, 1)
    assert third.processed_partitions == [{"ingest_date": DAY}, {"ingest_date": NEXT}]
    assert rejects(tmp_path) == [("p__garbage.json.gz", None, rejects(tmp_path)[0][2])]
    assert rejects(tmp_path)[0][2].startswith("file rejected: cannot be read (")
    columns = [("id", "string"), ("n", "int")]
    assert duck_rows(tmp_path, columns) == arrow_rows(tmp_path, columns) == [("g1", 1), ("g2", 2)]
    state = json.loads((tmp_path / "processed/things/_silolake/conform_state.json").read_text())
    assert state["status"] == "finished" and state["raw_partitions_through"] == NEXT


def test_the_first_run_finds_a_garbage_gzip_among_good_files(spark, tmp_path: Path) -> None:
    """Without state: one pass fails, each file is read alone, only the culprit is rejected."""
    flow = spec(tmp_path, fmt="json", columns=[("id", "string"), ("n", "int")])
    corpus.json_lines(tmp_path, DAY, "p__a.json.gz", ['{"id": "g1", "n": 1}'], gz=True)
    corpus.gzip_garbage(tmp_path, DAY)
    corpus.json_lines(tmp_path, DAY, "p__b.json", ['{"id": "g2", "n": 2}'], minute=6)
    result = run(spark, flow)
    assert (result.rows_read, result.rows_rejected, result.files_rejected) == (2, 0, 1)
    assert [r[:2] for r in rejects(tmp_path)] == [("p__garbage.json.gz", None)]
    table = pa.table({"id": ["g1", "g2"]})
    assert [r[0] for r in arrow_rows(tmp_path, [("id", "string"), ("n", "int")])] == table["id"].to_pylist()


def test_nested_nanoseconds_reject_the_file_not_read_as_seconds(spark, tmp_path: Path) -> None:
    cols = [("id", "string"), ("qty", "bigint"), ("meta", "struct<seen:timestamp>")]
    corpus.nested_nanos_file(tmp_path, DAY)
    good = {"id": ["k1"], "qty": pa.array([3], pa.int64())}
    corpus.write_parquet(tmp_path, DAY, "p__good.parquet", pa.table(good), 7)
    result = run(spark, spec(tmp_path, fmt="parquet", columns=cols))
    assert (result.rows_read, result.files_rejected) == (1, 1)
    assert rejects(tmp_path) == [
        ("p__nestednanos.parquet", None, "file rejected: meta: nanosecond timestamps inside a nested value")
    ]
    assert duck_rows(tmp_path, cols[:2]) == arrow_rows(tmp_path, cols[:2]) == [("k1", 3)]
