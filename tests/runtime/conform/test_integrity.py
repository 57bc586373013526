"""Issue 22: inputs the conform job used to corrupt silently are now kept exactly or rejected with a reason.

Multi-line quoted CSV fields, strict date/timestamp text, non-UTF-8 files, a mis-cased ``.GZ``
suffix, missing partition values, and dedupe without keys at microsecond precision. The
processed output is read back with DuckDB and pyarrow, independently of Spark.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.dataset as ds
import pytest

from .sample_data import EPOCH, raw_partition, spec, write_lines

pytestmark = pytest.mark.slow

DAY = "2024-05-01"
UTC = dt.UTC


def _run(spark, spec_dict: dict[str, Any]):
    from conform import conform
    from conform_spec import parse_spec

    return conform(spark, parse_spec(spec_dict))


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = EPOCH.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


def _rejects(root: Path, flow: str = "things") -> list[tuple[str, str | None, str]]:
    """(source file name, id of the record, reason) for every reject, sorted."""
    out = []
    for path in sorted((root / f"processed/_rejects/{flow}").glob("ingest_date=*/*.json")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            out.append((Path(row["source_file"]).name, (row.get("record") or {}).get("id"), row["reason"]))
    return sorted(out, key=lambda r: json.dumps(r))


def _duck(root: Path, sql: str, flow: str = "things") -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    glob = (root / f"processed/{flow}/**/*.parquet").as_posix()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
    return con.execute(sql).fetchall()


def _arrow(root: Path, flow: str = "things") -> list[dict[str, Any]]:
    dataset = ds.dataset(root / f"processed/{flow}", format="parquet", partitioning="hive")
    return dataset.to_table().to_pylist()


def _micros(at: dt.datetime) -> int:
    return (at - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)


CSV_COLUMNS = [("id", "string"), ("addr", "string"), ("day", "date"), ("at", "timestamp")]
HEADER = "id,addr,day,at"
GOOD_CSV = (
    HEADER
    + "\n"
    + "r1,plain,2024-05-01,2024-05-01T08:00:00Z\n"
    + 'r4,"1 Main St, Apt 2\nSpringfield, IL",2024-05-01,2024-05-01T08:00:00.123456+02:00\n'
    + "r5,x,45413,2024-05-01T08:00:00\n"
    + "r6,x,2024,2024-05-01 08:00:00\n"
    + "r7,x,2024-05-02,171455\n"
    + "r8,x,,2024-05-01T08:00:00\n"
    + "r9,x,2024-05-02,2024-05-01T08:00:00.1234567Z\n"
    + "r10,x,2024-05-02,2024-05-01 08:00:00+0530\n"
    + 'r11,"say ""hi""\r\nbye",2024-05-02,2024-05-01T08:00:00.5\n'
)


@pytest.fixture(scope="module")
def csv_run(spark, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("integrity_csv")
    part = raw_partition(root, DAY)
    _write_bytes(part / "p__good.csv", GOOD_CSV.encode())
    _write_bytes(part / "p__latin.csv", f"{HEADER}\nr20,Zoë,2024-05-01,2024-05-01T08:00:00Z\n".encode("latin-1"))
    many = HEADER + "\n" + "".join(f"z{i},a,2024-05-03,2024-05-03T00:00:00Z\n" for i in range(50))
    _write_bytes(part / "p__UPPER.CSV.GZ", gzip.compress(many.encode(), mtime=0))
    lower = HEADER + "\n" + 'g1,"two\nlines",2024-05-03,2024-05-03T00:00:01Z\n'
    _write_bytes(part / "p__lower.CSV.gz", gzip.compress(lower.encode(), mtime=0))
    result = _run(spark, spec(root, fmt="csv", columns=CSV_COLUMNS, partition_by=["day"]))
    return root, result


def test_csv_keeps_exactly_the_valid_rows(csv_run) -> None:
    root, result = csv_run
    want = [
        ("g1", "two\nlines", dt.date(2024, 5, 3), dt.datetime(2024, 5, 3, 0, 0, 1, tzinfo=UTC)),
        ("r1", "plain", dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("r10", "x", dt.date(2024, 5, 2), dt.datetime(2024, 5, 1, 2, 30, tzinfo=UTC)),
        ("r11", 'say "hi"\r\nbye', dt.date(2024, 5, 2), dt.datetime(2024, 5, 1, 8, 0, 0, 500000, tzinfo=UTC)),
        (
            "r4",
            "1 Main St, Apt 2\nSpringfield, IL",
            dt.date(2024, 5, 1),
            dt.datetime(2024, 5, 1, 6, 0, 0, 123456, tzinfo=UTC),
        ),
    ]
    got = _duck(root, 'SELECT id, addr, CAST(day AS DATE), epoch_us("at") FROM t ORDER BY id')
    assert got == [(i, a, d, _micros(t)) for i, a, d, t in want]
    arrow = sorted(
        ((r["id"], r["addr"], dt.date.fromisoformat(str(r["day"])), r["at"].replace(tzinfo=UTC)) for r in _arrow(root)),
        key=lambda r: r[0],
    )
    assert arrow == want
    assert result.processed_partitions == [{"day": "2024-05-01"}, {"day": "2024-05-02"}, {"day": "2024-05-03"}]
    assert sorted(p.name for p in (root / "processed/things").iterdir() if not p.name.startswith("_")) == [
        "day=2024-05-01",
        "day=2024-05-02",
        "day=2024-05-03",
    ]
    state = json.loads((root / "processed/things/_silolake/conform_state.json").read_text())
    assert "None" not in json.dumps(state["processed_partitions"])


def test_csv_rejects_name_the_column_or_the_file(csv_run) -> None:
    root, result = csv_run
    rejects = _rejects(root)
    upper = [r for r in rejects if r[0] == "p__UPPER.CSV.GZ"]
    # The whole file is one reject line: its gzip bytes are never read as text rows.
    assert upper == [("p__UPPER.CSV.GZ", None, "file rejected: compressed file suffix '.GZ' is not lower-case '.gz'")]
    assert [r for r in rejects if r[0] != "p__UPPER.CSV.GZ"] == sorted(
        [
            ("p__good.csv", "r5", "day: '45413' is not a valid date"),
            ("p__good.csv", "r6", "day: '2024' is not a valid date"),
            ("p__good.csv", "r7", "at: '171455' is not a valid timestamp"),
            ("p__good.csv", "r8", "day: missing partition value"),
            ("p__good.csv", "r9", "at: '2024-05-01T08:00:00.1234567Z' is not a valid timestamp"),
            ("p__latin.csv", "r20", "file rejected: not valid UTF-8 text"),
        ],
        key=lambda r: json.dumps(r),
    )
    assert result.rows_rejected + result.files_rejected == len(rejects) and result.rows_accepted == 5


@pytest.mark.parametrize("partition_by", [["ingest_date"], []])
def test_dedupe_without_keys_keeps_microseconds(spark, tmp_path: Path, partition_by: list[str]) -> None:
    """Three readings 100 µs apart stay three rows (also nested); an exact repeat is one row; a rerun adds none."""
    columns = [("sensor", "string"), ("at", "timestamp"), ("v", "double"), ("ev", "struct<t:timestamp>")]
    base = "2024-05-01T08:00:00.000"
    lines = [json.dumps({"sensor": "s1", "at": f"{base}{u}00Z", "v": 1.0}) for u in (1, 2, 3, 3)]
    lines += [json.dumps({"sensor": "s2", "at": f"{base}100Z", "v": 0.1, "ev": {"t": f"{base}{u}00Z"}}) for u in (1, 2)]
    lines += [json.dumps({"sensor": "s3", "at": None, "v": None}), json.dumps({"sensor": "s3", "v": None})]
    write_lines(raw_partition(tmp_path, DAY) / "p__r.json", lines, EPOCH)
    flow = spec(tmp_path, keys=[], columns=columns, partition_by=partition_by)
    first = _run(spark, flow)
    assert (first.rows_read, first.rows_rejected) == (8, 0)
    for _ in range(2 if not partition_by else 1):
        if _:
            _run(spark, flow)  # unpartitioned: the rerun merges with the stored rows
        got = _duck(
            tmp_path,
            'SELECT sensor, epoch_us("at"), v, epoch_us(ev.t) FROM t ORDER BY sensor, epoch_us("at"), epoch_us(ev.t)',
        )
        micros = int(dt.datetime(2024, 5, 1, 8, tzinfo=UTC).timestamp()) * 1_000_000
        assert got == [
            ("s1", micros + 100, 1.0, None),
            ("s1", micros + 200, 1.0, None),
            ("s1", micros + 300, 1.0, None),
            ("s2", micros + 100, 0.1, micros + 100),
            ("s2", micros + 100, 0.1, micros + 200),
            ("s3", None, None, None),
        ]
        assert len(_arrow(tmp_path)) == 6
