"""Issue 22: a catalog schema change never fails every run and never removes rows valid when written.

- A flow partitioned by a declared column (not ``ingest_date``) merges with stored rows:
  after ``int`` -> ``bigint`` the stored INT32 files are cast forward; a narrowing that
  would change a stored value refuses the run and leaves processed as it was.
- Reprocessing a CSV day after a column was added maps the older files by header name
  (the new column NULL), so a reordered header never swaps values; a header column the
  flow no longer declares refuses the run with how to backfill.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from . import hostile_corpus as corpus
from .sample_data import spec
from .test_hostile_files import DAY, NEXT, arrow_rows, duck_rows, rejects, run

pytestmark = pytest.mark.slow


def _processed(root: Path) -> dict[str, bytes]:
    base = root / "processed/things"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*.parquet"))}


def test_type_change_on_a_flow_not_partitioned_by_ingest_date(spark, tmp_path: Path) -> None:
    from conform_read import SchemaChangeRefused

    def flow(n_type: str):
        cols = [("id", "string"), ("n", n_type), ("day", "date")]
        return spec(tmp_path, fmt="json", columns=cols, partition_by=["day"]), cols

    corpus.json_lines(tmp_path, DAY, "p__1.json", ['{"id": "a", "n": 1, "day": "2024-05-01"}'])
    run(spark, flow("int")[0])

    corpus.json_lines(tmp_path, NEXT, "p__2.json", ['{"id": "b", "n": 5000000000, "day": "2024-05-01"}'])
    wide, cols = flow("bigint")
    result = run(spark, wide)  # the stored INT32 file is read as int and cast to bigint
    assert result.processed_partitions == [{"day": "2024-05-01"}]
    expected = [("a", 1), ("b", 5_000_000_000)]
    assert duck_rows(tmp_path, cols[:2]) == arrow_rows(tmp_path, cols[:2]) == expected

    before = _processed(tmp_path)
    narrow, _ = flow("smallint")
    with pytest.raises(SchemaChangeRefused, match="no longer fit the declared column types.*To backfill"):
        run(spark, narrow)
    assert _processed(tmp_path) == before  # nothing removed, nothing rewritten


def test_reprocess_after_a_column_is_added_maps_old_csv_files_by_header(spark, tmp_path: Path) -> None:
    v1 = [("id", "string"), ("name", "string")]
    corpus.write_bytes(tmp_path, DAY, "p__old.csv", b"id,name\n1,alpha\n")
    run(spark, spec(tmp_path, fmt="csv", columns=v1))

    v2 = [*v1, ("note", "string")]  # a nullable column added at the end
    corpus.write_bytes(tmp_path, DAY, "p__new.csv", b"id,name,note\n2,beta,hello\n", 1)
    corpus.write_bytes(tmp_path, DAY, "p__reordered.csv", b"name,note,id\ngamma,x,3\n", 2)
    result = run(spark, spec(tmp_path, fmt="csv", columns=v2))  # reprocesses DAY: it is the newest day

    assert (result.rows_read, result.rows_rejected) == (3, 0)
    assert rejects(tmp_path) == []
    expected = [("1", "alpha", None), ("2", "beta", "hello"), ("3", "gamma", "x")]
    assert duck_rows(tmp_path, v2) == arrow_rows(tmp_path, v2) == expected


def test_a_breaking_change_refuses_and_says_how_to_backfill(spark, tmp_path: Path) -> None:
    from conform_read import SchemaChangeRefused

    v1 = [("id", "string"), ("name", "string")]
    corpus.write_bytes(tmp_path, DAY, "p__old.csv", b"id,name\n1,alpha\n")
    run(spark, spec(tmp_path, fmt="csv", columns=v1))
    before = _processed(tmp_path)

    v2 = [("id", "string"), ("label", "string")]  # 'name' renamed: its values would be lost
    with pytest.raises(SchemaChangeRefused) as refused:
        run(spark, spec(tmp_path, fmt="csv", columns=v2))
    message = str(refused.value)
    assert "p__old.csv has column(s) name that the flow no longer declares" in message
    assert "reprocessing ingest_date=2024-05-01 would drop their values" in message
    assert (
        "To backfill: declare the column(s) again, or rewrite the day's raw files with the header id,label" in message
    )
    assert _processed(tmp_path) == before
    shutil.rmtree(tmp_path / "raw")


def test_a_type_change_that_makes_an_old_parquet_file_uncastable_refuses(spark, tmp_path: Path) -> None:
    from conform_read import SchemaChangeRefused

    table = pa.table({"id": ["f1"], "flag": pa.array([True])})
    corpus.write_parquet(tmp_path, DAY, "p__flags.parquet", table)
    run(spark, spec(tmp_path, fmt="parquet", columns=[("id", "string"), ("flag", "boolean")]))
    before = _processed(tmp_path)

    with pytest.raises(SchemaChangeRefused) as refused:
        run(spark, spec(tmp_path, fmt="parquet", columns=[("id", "string"), ("flag", "date")]))
    message = str(refused.value)
    assert "p__flags.parquet (ingest_date=2024-05-01) was read by an earlier run" in message
    assert "but now flag: boolean cannot be cast to date" in message
    assert "To backfill" in message
    assert _processed(tmp_path) == before

    # A new file of the same shape, never read before, is an input fault: rejected, the run goes on.
    shutil.rmtree(tmp_path / "processed")
    result = run(spark, spec(tmp_path, fmt="parquet", columns=[("id", "string"), ("flag", "date")]))
    assert result.files_rejected == 1
