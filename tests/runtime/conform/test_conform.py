"""The default conform job on local PySpark: types, rejects, dedupe, partitions, idempotent reruns."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from .sample_data import ALL_TYPES, EPOCH, MALFORMED, good_record, malformed_record, raw_partition, spec, write_lines

pytestmark = pytest.mark.slow

DAY_A, DAY_B, DAY_C = "2024-05-01", "2024-05-02", "2024-05-03"
UPDATED = Decimal("7.77")


def _run(spark, spec_dict: dict[str, Any]):
    from conform import conform
    from conform_spec import parse_spec

    return conform(spark, parse_spec(spec_dict))


def _rows(root: Path, sub: str = "processed/things") -> list[dict[str, Any]]:
    dataset = ds.dataset(root / sub, format="parquet", partitioning="hive")
    return sorted(dataset.to_table().to_pylist(), key=lambda r: json.dumps(r, default=str, sort_keys=True))


def _rejects(root: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((root / "processed/_rejects/things").glob("ingest_date=*/*.json")):
        day = path.parent.name.split("=")[1]
        for line in path.read_text().splitlines():
            row = json.loads(line)
            out.append(dict(row, ingest_date=day, source_file=Path(row["source_file"]).name))
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))


def _partition_dirs(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, str], dict[str, Any]]]:
    """Raw json files over two days and what each processed row must be, keyed by (ingest_date, id).

    Day A: file 1 has rows 0-79, one id twice (the later line wins) and the malformed tail;
    file 2, written a minute later, updates rows 0-9. Day B: rows 80-119 and row 0 again.
    """
    root = tmp_path_factory.mktemp("conform")
    rng = random.Random(7)
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    file1, file2, file3 = [], [], []
    for i in range(80):
        raw, exp = good_record(i, rng)
        file1.append(json.dumps(raw))
        expected[(DAY_A, raw["id"])] = exp
    template, _ = good_record(500, rng)
    for price in ("1.00", "2.00"):
        raw, exp = good_record(500, random.Random(1))
        raw.update(id="id-dup", price=price)
        file1.append(json.dumps(raw))
        expected[(DAY_A, "id-dup")] = dict(exp, id="id-dup", price=Decimal(price))
    file1 += [malformed_record(template, ident, change) for ident, change, _ in MALFORMED]
    for i in range(10):
        raw, exp = good_record(i, random.Random(100 + i))
        raw["price"] = str(UPDATED)
        file2.append(json.dumps(raw))
        expected[(DAY_A, raw["id"])] = dict(exp, price=UPDATED)
    for i in [*range(80, 120), 0]:
        raw, exp = good_record(i, rng)
        file3.append(json.dumps(raw))
        expected[(DAY_B, raw["id"])] = exp
    write_lines(raw_partition(root, DAY_A) / "partner__orders-1.json", file1, EPOCH)
    write_lines(raw_partition(root, DAY_A) / "partner__orders-2.json", file2, EPOCH + dt.timedelta(minutes=1))
    write_lines(raw_partition(root, DAY_B) / "partner__orders-3.json", file3, EPOCH + dt.timedelta(days=1))
    return root, expected


@pytest.fixture(scope="module")
def first_run(spark, dataset):
    root, expected = dataset
    return root, expected, _run(spark, spec(root))


def test_counts_and_partitions(first_run) -> None:
    root, expected, result = first_run
    assert result.raw_partitions == [DAY_A, DAY_B]
    assert result.rows_read == 80 + 2 + len(MALFORMED) + 10 + 41
    assert result.rows_rejected == len(MALFORMED)
    assert result.processed_partitions == [{"ingest_date": DAY_A}, {"ingest_date": DAY_B}]
    assert _partition_dirs(root / "processed/things") == [f"ingest_date={DAY_A}", f"ingest_date={DAY_B}"]
    assert _partition_dirs(root / "processed/_rejects/things") == [f"ingest_date={DAY_A}"]
    state = json.loads((root / "processed/things/_silolake/conform_state.json").read_text())
    assert state["raw_partitions_through"] == DAY_B and state["rows_rejected"] == len(MALFORMED)


def test_every_type_cast_and_latest_arrival_wins(first_run) -> None:
    root, expected, _ = first_run
    rows = _rows(root)
    got = {(r.pop("ingest_date"), r["id"]): r for r in rows}
    assert len(rows) == len(got) == len(expected) == 81 + 41  # one row per key and partition
    for key, want in expected.items():
        row = dict(got[key], labels=sorted(got[key]["labels"] or []))
        assert row == want, key
    assert got[(DAY_A, "id-0000003")]["price"] == UPDATED  # later file wins
    assert got[(DAY_A, "id-dup")]["price"] == Decimal("2.00")  # later line wins
    assert got[(DAY_B, "id-0000000")]["price"] != got[(DAY_A, "id-0000000")]["price"]  # each day keeps its row


def test_rejects_name_each_failure(first_run) -> None:
    root, _, _ = first_run
    rejects = _rejects(root)
    assert len(rejects) == len(MALFORMED)
    assert {r["ingest_date"] for r in rejects} == {DAY_A}
    assert {r["source_file"] for r in rejects} == {"partner__orders-1.json"}
    for ident, _, fragment in MALFORMED:
        matching = [r for r in rejects if fragment in r["reason"]]
        assert matching, f"no reject with reason containing {fragment!r}: {[r['reason'] for r in rejects]}"
        if ident:
            assert any(r["record"].get("id") == ident for r in matching), (ident, matching)
    malformed = next(r for r in rejects if "malformed JSON record" in r["reason"])
    assert malformed["malformed_record"] == "{this is not json"


def test_parquet_schema_matches_the_processed_table(first_run) -> None:
    root, _, _ = first_run
    file = next((root / "processed/things" / f"ingest_date={DAY_A}").glob("*.parquet"))
    schema = pq.read_schema(file)
    assert schema.names == [name for name, _ in ALL_TYPES]  # declared order; the partition is the folder
    got = {f.name: str(f.type) for f in schema}
    assert got == {
        "id": "string",
        "seq": "int64",
        "qty": "int32",
        "small": "int16",
        "tiny": "int8",
        "price": "decimal128(12, 2)",
        "ratio": "double",
        "score": "float",
        "active": "bool",
        "code": "string",
        "label": "string",
        "day": "date32[day]",
        "at": "timestamp[us]",  # INT64 TIMESTAMP(MICROS, not adjusted to UTC), not INT96
        "payload": "binary",
        "lines": "list<element: struct<sku: string, qty: int32, unit_price: decimal128(12, 2)>>",
        "labels": got["labels"],
        "pos": "struct<lat: double, lon: double>",
    }
    labels = schema.field("labels").type
    assert (str(labels.key_type), str(labels.item_type)) == ("string", "string")
    assert pq.ParquetFile(file).metadata.row_group(0).column(0).compression == "SNAPPY"


def test_rerun_changes_nothing_and_new_partitions_are_picked_up(spark, first_run, tmp_path: Path) -> None:
    root, _, _ = first_run
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    rows_before, rejects_before = _rows(copy), _rejects(copy)

    again = _run(spark, spec(copy))
    assert again.raw_partitions == [DAY_A, DAY_B]  # the watermark is B: B and the day before
    assert (_rows(copy), _rejects(copy)) == (rows_before, rejects_before)

    late = json.dumps(good_record(900, random.Random(3))[0])
    write_lines(raw_partition(copy, DAY_C) / "p__late.json", [late], EPOCH + dt.timedelta(days=2))
    later = _run(spark, spec(copy))
    assert later.raw_partitions == [DAY_A, DAY_B, DAY_C] and later.rows_read == again.rows_read + 1
    assert len(_rows(copy)) == len(rows_before) + 1


CSV_COLUMNS = [
    ("reseller_id", "string"),
    ("period", "date"),
    ("units_sold", "bigint"),
    ("revenue", "decimal(14,2)"),
    ("tags", "array<string>"),
]


def test_csv_with_declared_partition_merges_later_arrivals(spark, tmp_path: Path) -> None:
    """csv (';', header, quoted fields, nested JSON in a field), partitioned by a declared date column."""
    flow = spec(
        tmp_path,
        fmt="csv",
        partition_by=["period"],
        keys=["reseller_id", "period"],
        columns=CSV_COLUMNS,
        csv={"delimiter": ";", "header": True},
    )
    header = "reseller_id;period;units_sold;revenue;tags"
    write_lines(
        raw_partition(tmp_path, DAY_A) / "p__march.csv",
        [
            header,
            'r1;2024-03-01;10;100.50;"[""a"",""b""]"',
            "r2;2024-03-01;20;200;",
            '"r3;quoted";2024-04-01;5;5.5;[]',
            "r1;2024-04-01;7;70;",
            "r4;2024-13-01;1;1;",  # no such month
            "r5;2024-04-01;1",  # too few fields
            "r6;2024-04-01;x;1;",  # not a number
            ";2024-04-01;1;1;",  # missing key
            "r7;2024-04-01;1;1;[1,",  # broken nested JSON
        ],
        EPOCH,
    )
    first = _run(spark, flow)
    assert (first.rows_read, first.rows_rejected) == (9, 5)
    assert first.processed_partitions == [{"period": "2024-03-01"}, {"period": "2024-04-01"}]
    reasons = sorted(r["reason"] for r in _rejects(tmp_path))
    assert reasons == sorted(
        [
            "period: '2024-13-01' is not a valid date",
            "malformed CSV record (not 5 fields)",
            "units_sold: 'x' is not a valid bigint",
            "reseller_id: missing key",
            "tags: '[1,' is not a valid array<string>",
        ]
    )

    write_lines(
        raw_partition(tmp_path, DAY_C) / "p__fix.csv", [header, "r1;2024-04-01;8;80.25;"], EPOCH + dt.timedelta(days=2)
    )
    second = _run(spark, flow)
    assert second.raw_partitions == [DAY_A, DAY_C]  # A again: on or after the day before the newest seen

    # Day D: days C and D are read now; rows that came from day A survive only through the merge.
    write_lines(
        raw_partition(tmp_path, "2024-05-04") / "p__late.csv",
        [header, "r2;2024-03-01;21;210;"],
        EPOCH + dt.timedelta(days=3),
    )
    third = _run(spark, flow)
    assert third.raw_partitions == [DAY_C, "2024-05-04"]
    assert third.processed_partitions == [{"period": "2024-03-01"}, {"period": "2024-04-01"}]
    rows = _rows(tmp_path)
    assert sorted(
        (r["reseller_id"], str(r["period"]), r["units_sold"], str(r["revenue"]), r["tags"]) for r in rows
    ) == [
        ("r1", "2024-03-01", 10, "100.50", ["a", "b"]),  # stored, kept by the merge
        ("r1", "2024-04-01", 8, "80.25", None),  # the later arrival replaced the first one
        ("r2", "2024-03-01", 21, "210.00", None),  # the stored row replaced by a later arrival
        ("r3;quoted", "2024-04-01", 5, "5.50", []),
    ]
    _run(spark, flow)
    assert _rows(tmp_path) == rows


def test_parquet_source_unpartitioned_without_keys(spark, tmp_path: Path) -> None:
    """Typed Parquet input (as Firehose writes), narrowing casts that overflow, no partitions, no keys."""
    import pyarrow as pa

    columns = [("name", "string"), ("n", "int"), ("at", "timestamp"), ("tags", "map<string,int>")]
    flow = spec(tmp_path, fmt="parquet", partition_by=[], keys=[], columns=columns)
    table = pa.table(
        {
            "name": ["a", "b", "b", "c"],
            "n": pa.array([1, 2, 2, 2**40], pa.int64()),  # 2**40 does not fit an int
            "at": pa.array([dt.datetime(2024, 5, 1, 12)] * 4, pa.timestamp("us")),
            "tags": pa.array([[("x", "1")], [("y", "2")], [("y", "2")], []], pa.map_(pa.string(), pa.string())),
        }
    )
    path = raw_partition(tmp_path, DAY_A) / "p__batch.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(table, path)
    result = _run(spark, flow)
    assert (result.rows_read, result.rows_rejected) == (4, 1)
    assert _rejects(tmp_path)[0]["reason"] == "n: '1099511627776' is not a valid int"
    rows = _rows(tmp_path)
    assert [(r["name"], r["n"], r["tags"]) for r in rows] == [("a", 1, [("x", 1)]), ("b", 2, [("y", 2)])]
    _run(spark, flow)
    assert _rows(tmp_path) == rows  # identical rows are one row; a rerun appends nothing


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_no_raw_data_is_a_no_op(spark, tmp_path: Path, fmt: str) -> None:
    assert _run(spark, spec(tmp_path, fmt=fmt)).raw_partitions == []
    raw_partition(tmp_path, DAY_A).mkdir(parents=True)  # a partition folder without files
    result = _run(spark, spec(tmp_path, fmt=fmt))
    assert result.raw_partitions == [DAY_A] and result.rows_read == 0
    assert not (tmp_path / "processed" / "things").exists() or not list((tmp_path / "processed").rglob("*.parquet"))


def test_watermark_selects_the_day_before_the_newest_read_onwards() -> None:
    from conform import _select_partitions

    days = ["2024-04-29", "2024-04-30", "2024-05-01", "2024-05-02", "2024-05-03"]
    assert _select_partitions(days, None) == days  # first run: everything
    assert _select_partitions(days, {"raw_partitions_through": "2024-05-02"}) == days[2:]
    assert _select_partitions(days, {"raw_partitions_through": "2024-05-01"}) == days[1:]
    assert _select_partitions(days[:2], {"raw_partitions_through": "2024-05-03"}) == []
