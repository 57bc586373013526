"""Generated raw data for the conform job: every declared type, duplicates, and a malformed tail.

Used by the tests and by ``benchmarks/conform.py``. Deterministic for a seed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

#: One column of every type the catalog admits (nested included).
ALL_TYPES: list[tuple[str, str]] = [
    ("id", "string"),
    ("seq", "bigint"),
    ("qty", "int"),
    ("small", "smallint"),
    ("tiny", "tinyint"),
    ("price", "decimal(12,2)"),
    ("ratio", "double"),
    ("score", "float"),
    ("active", "boolean"),
    ("code", "char(3)"),
    ("label", "varchar(10)"),
    ("day", "date"),
    ("at", "timestamp"),
    ("payload", "binary"),
    ("lines", "array<struct<sku:string,qty:int,unit_price:decimal(12,2)>>"),
    ("labels", "map<string,string>"),
    ("pos", "struct<lat:double,lon:double>"),
]

EPOCH = dt.datetime(2024, 5, 1, 8, 0, 0)


def spec(
    root: Path,
    fmt: str = "json",
    partition_by: list[str] | None = None,
    keys: list[str] | None = None,
    columns: list[tuple[str, str]] | None = None,
    csv: dict[str, Any] | None = None,
    flow: str = "things",
) -> dict[str, Any]:
    """A flow spec (the documented shape) over local folders under ``root``."""
    base = root.resolve().as_uri()
    return {
        "flow": flow,
        "format": fmt,
        "csv": csv or {"delimiter": ",", "header": True},
        "columns": [{"name": n, "type": t} for n, t in (columns or ALL_TYPES)],
        "keys": ["id"] if keys is None else keys,
        "partition_by": ["ingest_date"] if partition_by is None else partition_by,
        "raw_path": f"{base}/raw/{flow}/",
        "processed_path": f"{base}/processed/{flow}/",
        "rejects_path": f"{base}/processed/_rejects/{flow}/",
    }


def good_record(i: int, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """(raw JSON record, expected typed row as pyarrow returns it) for row ``i``; spellings vary on purpose."""
    cents = rng.randrange(0, 10**9)
    price = Decimal(cents) / 100
    at = EPOCH + dt.timedelta(seconds=i * 37)
    payload = f"blob-{i}".encode()
    n_lines = i % 3
    lines = [{"sku": f"sku-{i}-{k}", "qty": k + 1, "unit_price": f"{k + 1}.50"} for k in range(n_lines)]
    raw = {
        "id": f"id-{i:07d}",
        "seq": 2**40 + i if i % 2 else str(2**40 + i),
        "qty": i % 1000,
        "small": -32768 if i % 7 == 0 else 32767,
        "tiny": -128 if i % 5 == 0 else 127,
        "price": float(price) if i % 2 and cents < 10**7 else str(price),
        "ratio": i / 8,
        "score": 0.5,
        "active": (i % 2 == 0) if i % 3 else ("true" if i % 2 == 0 else "false"),
        "code": "EU" if i % 4 == 0 else "EUR",
        "label": "héllo" if i % 6 == 0 else f"l{i % 100}",
        "day": (dt.date(2024, 1, 1) + dt.timedelta(days=i % 366)).isoformat(),
        "at": at.isoformat() + "Z" if i % 2 else (at + dt.timedelta(hours=2)).isoformat() + "+02:00",
        "payload": base64.b64encode(payload).decode(),
        "lines": lines if n_lines else None,
        "labels": {"src": "gen", "i": str(i)} if i % 4 else {},
        "pos": {"lat": 48.0 + i / 1000, "lon": 2.25},
    }
    expected = {
        "id": raw["id"],
        "seq": 2**40 + i,
        "qty": i % 1000,
        "small": raw["small"],
        "tiny": raw["tiny"],
        "price": price,
        "ratio": i / 8,
        "score": 0.5,
        "active": i % 2 == 0,
        "code": raw["code"],
        "label": raw["label"],
        "day": dt.date.fromisoformat(raw["day"]),
        "at": at,
        "payload": payload,
        "lines": [{"sku": x["sku"], "qty": x["qty"], "unit_price": Decimal(x["unit_price"])} for x in lines] or None,
        "labels": sorted(raw["labels"].items()),
        "pos": raw["pos"],
    }
    return raw, expected


#: (id, record overrides or a raw line, fragment the reject reason must contain). Each row fails one way.
MALFORMED: list[tuple[str | None, dict[str, Any] | str, str]] = [
    ("bad-qty", {"qty": "many"}, "qty: 'many' is not a valid int"),
    ("bad-tiny", {"tiny": 300}, "tiny: '300' is not a valid tinyint"),
    ("bad-small", {"small": "40000"}, "small: '40000' is not a valid smallint"),
    ("bad-seq", {"seq": "12.5"}, "seq: '12.5' is not a valid bigint"),
    ("bad-price", {"price": "1,50"}, "price: '1,50' is not a valid decimal(12,2)"),
    ("big-price", {"price": 12345678901234}, "price: '12345678901234' is not a valid decimal(12,2)"),
    ("bad-ratio", {"ratio": "abc"}, "ratio: 'abc' is not a valid double"),
    ("bad-active", {"active": "maybe"}, "active: 'maybe' is not a valid boolean"),
    ("long-code", {"code": "EURO"}, "code: 'EURO' is not a valid char(3)"),
    ("long-label", {"label": "x" * 11}, "label: 'xxxxxxxxxxx' is not a valid varchar(10)"),
    ("bad-day", {"day": "2024-02-30"}, "day: '2024-02-30' is not a valid date"),
    ("bad-at", {"at": "yesterday"}, "at: 'yesterday' is not a valid timestamp"),
    ("bad-payload", {"payload": "@@not base64@@"}, "payload: '@@not base64@@' is not a valid binary"),
    ("bad-line-qty", {"lines": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": "two"}]}, "lines: "),
    ("bad-lines-shape", {"lines": "nope"}, "lines: 'nope' is not a valid array<struct<"),
    ("bad-pos", {"pos": {"lat": "north", "lon": 1}}, "pos: "),
    (None, {"id": None}, "id: missing key"),
    (None, "{this is not json", "malformed JSON record"),
]


def malformed_record(base: dict[str, Any], ident: str | None, change: dict[str, Any] | str) -> str:
    if isinstance(change, str):
        return change
    record = dict(base, **change)
    if ident is not None:
        record["id"] = ident
    elif "id" not in change:
        record.pop("id")
    return json.dumps(record)


def write_lines(path: Path, lines: list[str], mtime: dt.datetime) -> None:
    """Write a raw file and set its modification time (the job's arrival order after ``ingest_date``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    stamp = mtime.replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))


def raw_partition(root: Path, day: str, flow: str = "things") -> Path:
    return root / "raw" / flow / f"ingest_date={day}"
