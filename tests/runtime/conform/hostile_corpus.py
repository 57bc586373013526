"""Hostile but ordinary raw files for the conform job, generated deterministically (issue 22).

Every writer here is one a partner or an AWS service really uses (pyarrow as pandas and
Firehose do, gzip, plain text); each file is small and its bytes depend only on the code.
The tests import the writers and state, next to each, what the job must keep or reject.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .sample_data import EPOCH, raw_partition

UTC = dt.UTC

#: The Parquet flow of the corpus: declared columns as a catalog would have them.
PARQUET_COLUMNS = [
    ("id", "string"),
    ("qty", "bigint"),
    ("price", "decimal(12,2)"),
    ("at", "timestamp"),
    ("day", "date"),
]


def stamp(path: Path, minute: int = 0) -> Path:
    """Set a raw file's modification time (the job's arrival order after ``ingest_date``)."""
    at = (EPOCH + dt.timedelta(minutes=minute)).replace(tzinfo=UTC).timestamp()
    os.utime(path, (at, at))
    return path


def write_bytes(root: Path, day: str, name: str, data: bytes, minute: int = 0, flow: str = "things") -> Path:
    path = raw_partition(root, day, flow) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return stamp(path, minute)


def write_parquet(root: Path, day: str, name: str, table: pa.Table, minute: int = 0, **kw: Any) -> Path:
    buf = io.BytesIO()
    pq.write_table(table, buf, **kw)
    return write_bytes(root, day, name, buf.getvalue(), minute)


def int32_file(root: Path, day: str) -> Path:
    """qty as int32, price as decimal(10,2), at as a zoned microsecond timestamp (a Java writer)."""
    table = pa.table(
        {
            "id": ["a1", "a2"],
            "qty": pa.array([1, 2], pa.int32()),
            "price": pa.array([Decimal("1.50"), Decimal("2.25")], pa.decimal128(10, 2)),
            "at": pa.array([dt.datetime(2024, 5, 1, 8, 0, 0, 1, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC")),
            "day": pa.array([dt.date(2024, 5, 1)] * 2, pa.date32()),
        }
    )
    return write_parquet(root, day, "p__int32.parquet", table, 0)


def pandas_file(root: Path, day: str) -> Path:
    """What pandas writes by default: int64, decimal scale 3, nanosecond timestamps without zone.

    b1 fits exactly; b2's price 2.005 would round to 2.01 (rejected); b3's timestamp has
    nanoseconds a microsecond column cannot hold (rejected); b4's date is before 1582."""
    table = pa.table(
        {
            "id": ["b1", "b2", "b3", "b4"],
            "qty": pa.array([2**40, 5, 6, 7], pa.int64()),
            "price": pa.array(
                [Decimal("3.100"), Decimal("2.005"), Decimal("1.000"), Decimal("0.000")], pa.decimal128(10, 3)
            ),
            "at": pa.array(
                [1714550400_000001000, 1714550400_000000000, 1714550400_000000001, -8520336000_000000000],
                pa.timestamp("ns"),
            ),
            "day": pa.array([dt.date(2024, 5, 1), dt.date(2024, 5, 1), dt.date(2024, 5, 1), dt.date(1200, 3, 1)]),
        }
    )
    return write_parquet(root, day, "p__pandas.parquet", table, 1, coerce_timestamps=None)


def not_parquet_file(root: Path, day: str) -> Path:
    """A CSV export named ``.parquet``: no footer at all."""
    return write_bytes(root, day, "p__notparquet.parquet", b"id,qty\nc1,1\n", 2)


def damaged_page_file(root: Path, day: str) -> Path:
    """A valid footer over a gzip data page with 16 flipped bytes: fails only while decoding."""
    table = pa.table({"id": [f"d{i}" for i in range(200)], "qty": pa.array(range(200), pa.int64())})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="gzip", use_dictionary=False)
    data = bytearray(buf.getvalue())
    chunk = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).column(1)
    middle = chunk.data_page_offset + chunk.total_compressed_size // 2
    for i in range(middle, middle + 16):
        data[i] ^= 0xFF
    return write_bytes(root, day, "p__damaged.parquet", bytes(data), 3)


def uncastable_file(root: Path, day: str) -> Path:
    """``day`` written as booleans: no cast to ``date`` exists."""
    table = pa.table({"id": ["e1"], "qty": pa.array([1], pa.int64()), "day": pa.array([True])})
    return write_parquet(root, day, "p__boolday.parquet", table, 4)


def gzip_garbage(root: Path, day: str, name: str = "p__garbage.json.gz", minute: int = 5) -> Path:
    """A gzip header followed by bytes that are not deflate data."""
    return write_bytes(root, day, name, b"\x1f\x8b\x08\x00" + b"garbage!" * 8, minute)


def json_lines(root: Path, day: str, name: str, lines: list[str], minute: int = 0, gz: bool = False) -> Path:
    data = "".join(line + "\n" for line in lines).encode()
    return write_bytes(root, day, name, gzip.compress(data, mtime=0) if gz else data, minute)


def nested_nanos_file(root: Path, day: str) -> Path:
    """A declared struct holding a nanosecond timestamp (Spark would read it as a plain long)."""
    at = pa.array([{"seen": 1714550400_000000000}], pa.struct([("seen", pa.timestamp("ns"))]))
    table = pa.table({"id": ["n1"], "qty": pa.array([1], pa.int64()), "meta": at})
    return write_parquet(root, day, "p__nestednanos.parquet", table, 6, coerce_timestamps=None)
