"""A compatible column change keeps every partition readable: DuckDB reads a processed
partition written before the change and one written after it, declaring the column types
of the processed Glue table synthesized *after* the change (docs/day-2.md).

Readers of Parquet (Athena, Glue, DuckDB) match columns by name: a column appended later is
NULL in old files, a widened type reads the old, narrower values exactly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silolake.catalog.changes.history import base_problems
from silolake.catalog.source import read_yaml
from silolake.catalog.types import parse_type
from tests.runtime.conform.test_reader_agrees import arrow_type, duckdb_type

from .edits import flow, synth_edit

pytestmark = pytest.mark.slow

HUB = "silo-hub"


def _evolve(data: dict[str, Any]) -> None:
    # prices (upload, no warehouse): widen the price, append a column.
    flow(data, "prices")["columns"] = [
        {"name": "sku", "type": "string"},
        {"name": "price", "type": "decimal(14,2)"},
        {"name": "valid_from", "type": "date"},
    ]
    # drops (warehouse): append a column (the load adds it to the Redshift table).
    flow(data, "drops")["columns"].append({"name": "note", "type": "string"})


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """silo-hub of the base catalog and of the edited one (synthesized once for the module)."""
    root = tmp_path_factory.mktemp("evolution")
    before, after = synth_edit(None, root / "base", [HUB]), synth_edit(_evolve, root / "edit", [HUB])
    # validate --base accepts the edit (both changes are compatible).
    assert base_problems(after.catalog, read_yaml(root / "base" / "silos.yaml"), {}) == []
    return before, after


def _processed(synth, table: str) -> tuple[list[tuple[str, str]], str]:
    found = next(t for t in synth.resources(HUB, "aws_glue_catalog_table").values() if t["name"] == table)
    columns = [(c["name"], c["type"]) for c in found["storage_descriptor"]["columns"]]
    return columns, found["storage_descriptor"]["location"]


def _write(root: Path, day: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    schema = pa.schema([(n, arrow_type(parse_type(t))) for n, t in columns])
    path = root / f"ingest_date={day}" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _read(root: Path, columns: list[tuple[str, str]]) -> list[tuple]:
    selected = ", ".join(f'CAST("{n}" AS {duckdb_type(parse_type(t))}) AS "{n}"' for n, t in columns)
    source = f"read_parquet('{root}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
    return duckdb.connect().execute(f"SELECT {selected}, ingest_date FROM {source} ORDER BY ingest_date").fetchall()


@pytest.mark.parametrize(
    ("table", "old_row", "new_row", "expected_old", "expected_new"),
    [
        (
            "prices_processed",
            {"sku": "a", "price": Decimal("9999999999.99")},  # the largest decimal(12,2)
            {"sku": "b", "price": Decimal("999999999999.99"), "valid_from": dt.date(2026, 12, 1)},
            ("a", Decimal("9999999999.99"), None),
            ("b", Decimal("999999999999.99"), dt.date(2026, 12, 1)),
        ),
        (
            "drops_processed",
            {"sku": "a", "units": 2**40},
            {"sku": "b", "units": 3, "note": "late"},
            ("a", 2**40, None),
            ("b", 3, "late"),
        ),
    ],
    ids=["widened-and-appended", "warehouse-appended"],
)
def test_old_and_new_partitions_read_with_the_new_table_types(
    synthesized, tmp_path, table, old_row, new_row, expected_old, expected_new
):
    before, after = synthesized
    old_columns, location = _processed(before, table)
    new_columns, new_location = _processed(after, table)
    assert new_location == location  # same prefix: old and new partitions side by side
    assert len(new_columns) == len(old_columns) + 1  # the Glue table follows the catalog
    root = tmp_path / "processed"
    _write(root, "2026-11-30", old_columns, [old_row])
    _write(root, "2026-12-01", new_columns, [new_row])
    rows = _read(root, new_columns)
    assert [r[:-1] for r in rows] == [expected_old, expected_new]
    assert [str(r[-1]) for r in rows] == ["2026-11-30", "2026-12-01"]
