"""Issue 22 leftover: a headerless CSV flow reprocessed after a column was added at the end keeps the rows of
its older files (the new column NULL), as a header-based flow does; a column removed from the end refuses
the run with how to backfill. Read back with DuckDB and pyarrow."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from . import hostile_corpus as corpus
from .sample_data import spec
from .test_hostile_files import DAY, arrow_rows, duck_rows, rejects, run

pytestmark = pytest.mark.slow

HEADERLESS = {"delimiter": ",", "header": False}


def _new(path: Path) -> None:
    now = time.time()  # landed after the previous run finished
    os.utime(path, (now, now))


def test_old_headerless_files_are_mapped_forward_and_new_short_rows_stay_malformed(spark, tmp_path: Path) -> None:
    v1 = [("id", "string"), ("name", "string")]
    corpus.write_bytes(tmp_path, DAY, "p__old.csv", b"1,alpha\n4,delta\n")
    run(spark, spec(tmp_path, fmt="csv", columns=v1, csv=HEADERLESS))
    assert duck_rows(tmp_path, v1) == [("1", "alpha"), ("4", "delta")]

    v2 = [*v1, ("note", "string")]  # a column added at the end
    _new(corpus.write_bytes(tmp_path, DAY, "p__new.csv", b"2,beta,hello\n"))
    _new(corpus.write_bytes(tmp_path, DAY, "p__short.csv", b"3,gamma\n"))  # new, and one field short
    result = run(spark, spec(tmp_path, fmt="csv", columns=v2, csv=HEADERLESS))  # reprocesses DAY

    assert (result.rows_read, result.rows_rejected) == (4, 1)
    expected = [("1", "alpha", None), ("2", "beta", "hello"), ("4", "delta", None)]
    assert duck_rows(tmp_path, v2) == arrow_rows(tmp_path, v2) == expected
    assert rejects(tmp_path) == [("p__short.csv", "3", "malformed CSV record (not 3 fields)")]


def test_a_column_removed_from_the_end_refuses_and_says_how_to_backfill(spark, tmp_path: Path) -> None:
    from conform_read import SchemaChangeRefused

    v1 = [("id", "string"), ("name", "string")]
    corpus.write_bytes(tmp_path, DAY, "p__old.csv", b"1,alpha\n")
    run(spark, spec(tmp_path, fmt="csv", columns=v1, csv=HEADERLESS))
    before = duck_rows(tmp_path, v1)

    with pytest.raises(SchemaChangeRefused) as refused:
        run(spark, spec(tmp_path, fmt="csv", columns=[("id", "string")], csv=HEADERLESS))
    message = str(refused.value)
    assert "p__old.csv has 2 fields but the flow declares 1 columns" in message
    assert "reprocessing ingest_date=2024-05-01 would drop its last 1 field(s)" in message
    assert "To backfill: declare the column(s) again at the end" in message
    assert duck_rows(tmp_path, v1) == before
