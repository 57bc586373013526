"""Redrive of days (issue 24): after a catalog fix, an old day is reprocessed, its rows appear once, and a
second redrive changes nothing (processed rows, rejects and state alike).

The bad day is older than the watermark's window (the day before the newest raw day), so a scheduled
run never reads it again: only a redrive does. Output is read back with DuckDB and pyarrow.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from . import hostile_corpus as corpus
from .sample_data import spec
from .test_hostile_files import arrow_rows, duck_rows, rejects

pytestmark = pytest.mark.slow

D1, D2, D3, D4 = "2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"


def run(spark, flow: dict[str, Any], days: tuple[str, ...] = ()):
    from conform import conform
    from conform_redrive import parse_days
    from conform_spec import parse_spec

    return conform(spark, parse_spec(flow), parse_days(json.dumps(list(days)) if days else None))


def state(root: Path) -> dict[str, Any]:
    body = json.loads((root / "processed/things/_silolake/conform_state.json").read_text())
    body.pop("finished_at")
    return body


def test_a_fixed_day_is_redriven_once_and_a_second_redrive_changes_nothing(spark, tmp_path: Path) -> None:
    before_fix = [("id", "string"), ("code", "varchar(3)")]
    corpus.json_lines(tmp_path, D1, "p__d1.json", ['{"id": "a", "code": "EUR"}', '{"id": "b", "code": "EURO"}'])
    run(spark, spec(tmp_path, columns=before_fix))
    corpus.json_lines(tmp_path, D2, "p__d2.json", ['{"id": "c", "code": "USD"}'])
    run(spark, spec(tmp_path, columns=before_fix))
    corpus.json_lines(tmp_path, D3, "p__d3.json", ['{"id": "d", "code": "CHF"}'])
    run(spark, spec(tmp_path, columns=before_fix))
    assert rejects(tmp_path) == [("p__d1.json", "b", "code: 'EURO' is not a valid varchar(3)")]

    fixed = [("id", "string"), ("code", "varchar(4)")]  # the catalog mistake, corrected compatibly
    scheduled = run(spark, spec(tmp_path, columns=fixed))
    assert scheduled.raw_partitions == [D2, D3]  # a scheduled run never reads D1 again
    assert ("b", "EURO") not in duck_rows(tmp_path, fixed)

    first = run(spark, spec(tmp_path, columns=fixed), (D1,))
    assert first.raw_partitions == [D1, D2, D3]
    assert (first.rows_read, first.rows_rejected) == (4, 0)
    want = [("a", "EUR"), ("b", "EURO"), ("c", "USD"), ("d", "CHF")]
    assert duck_rows(tmp_path, fixed) == arrow_rows(tmp_path, fixed) == want
    assert rejects(tmp_path) == []  # b is no longer listed as rejected
    after_first = state(tmp_path)
    assert after_first["raw_partitions_through"] == D3  # the watermark does not move back

    second = run(spark, spec(tmp_path, columns=fixed), (D1,))
    assert (second.rows_read, second.rows_rejected, second.processed_partitions) == (4, 0, first.processed_partitions)
    assert duck_rows(tmp_path, fixed) == arrow_rows(tmp_path, fixed) == want  # each row once
    assert state(tmp_path) == after_first


def test_a_file_rejected_whole_is_read_again_on_its_redriven_day(spark, tmp_path: Path) -> None:
    def flags(day: str, ident: str) -> None:
        table = pa.table({"id": [ident], "flag": pa.array([True])})
        path = corpus.write_parquet(tmp_path, day, f"p__{ident}.parquet", table)
        now = time.time()  # it lands after the previous run finished, as in S3
        os.utime(path, (now, now))

    mistaken = [("id", "string"), ("flag", "date")]  # the partner sends booleans
    for day, ident in [(D1, "x1"), (D2, "x2"), (D3, "x3")]:
        flags(day, ident)
        run(spark, spec(tmp_path, fmt="parquet", columns=mistaken))
    names = ["p__x1.parquet", "p__x2.parquet", "p__x3.parquet"]
    assert [Path(f["path"]).name for f in state(tmp_path)["rejected_files"]] == names

    fixed = [("id", "string"), ("flag", "boolean")]
    # Remembered whole-file rejects are not read again by a scheduled run, even after the fix ...
    scheduled = run(spark, spec(tmp_path, fmt="parquet", columns=fixed))
    assert (scheduled.raw_partitions, scheduled.rows_read, scheduled.files_rejected) == ([D2, D3], 0, 2)
    # ... a redrive of their days reads them again (D1's rejection left the state with its window).
    result = run(spark, spec(tmp_path, fmt="parquet", columns=fixed), (D1, D2, D3))
    assert (result.rows_read, result.rows_rejected, result.files_rejected) == (3, 0, 0)
    want = [("x1", True), ("x2", True), ("x3", True)]
    assert duck_rows(tmp_path, fixed) == arrow_rows(tmp_path, fixed) == want
    assert rejects(tmp_path) == []
    assert state(tmp_path)["rejected_files"] == []


def test_a_merge_flow_redrive_rereads_every_later_day_so_the_latest_arrival_still_wins(spark, tmp_path: Path) -> None:
    before_fix = [("id", "string"), ("code", "varchar(3)"), ("day", "date")]
    line = '{{"id": "{}", "code": "{}", "day": "2024-04-30"}}'
    arrivals = [(D1, "k", "OLDX"), (D2, "k", "NEW"), (D3, "q", "Q"), (D4, "r", "R")]  # D1's k: too long
    for day, ident, code in arrivals:
        corpus.json_lines(tmp_path, day, f"p__{day}.json", [line.format(ident, code)])
        run(spark, spec(tmp_path, columns=before_fix, partition_by=["day"]))

    fixed = [("id", "string"), ("code", "varchar(4)"), ("day", "date")]
    result = run(spark, spec(tmp_path, columns=fixed, partition_by=["day"]), (D1,))
    # k's D1 version is valid now, but D2's arrived later and stays the row.
    want = [("k", "NEW"), ("q", "Q"), ("r", "R")]
    assert duck_rows(tmp_path, fixed[:2]) == arrow_rows(tmp_path, fixed[:2]) == want
    assert result.raw_partitions == [D1, D2, D3, D4]  # D2 is outside the watermark's window, read all the same


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-05-01", "is not JSON"),
        ('"2024-05-01"', "must be a non-empty list"),
        ("[]", "must be a non-empty list"),
        ('["2024-5-1"]', "'2024-5-1' is not a day in the form YYYY-MM-DD"),
        ('["2024-02-30"]', "'2024-02-30' is not a calendar day"),
    ],
)
def test_malformed_redrive_arguments_are_refused(text: str, message: str) -> None:
    from conform_redrive import RedriveError, parse_days

    with pytest.raises(RedriveError, match=message):
        parse_days(text)


def test_a_day_without_raw_data_fails_the_run_with_its_name(spark, tmp_path: Path) -> None:
    from conform_redrive import RedriveError

    corpus.json_lines(tmp_path, D2, "p__d2.json", ['{"id": "c", "code": "USD"}'])
    with pytest.raises(RedriveError, match=r"no raw data for ingest_date 2024-04-01 .*from 2024-05-02 to 2024-05-02"):
        run(spark, spec(tmp_path, columns=[("id", "string"), ("code", "string")]), ("2024-04-01",))
    assert not (tmp_path / "processed/things/_silolake/conform_state.json").exists()
