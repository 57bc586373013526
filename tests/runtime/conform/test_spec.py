"""The flow spec contract: parsed as documented, every deviation refused with the field named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .sample_data import spec


def _parse(data: Any):
    from conform_spec import parse_spec

    return parse_spec(data)


def test_the_documented_shape_parses(tmp_path: Path) -> None:
    flow = spec(tmp_path, fmt="csv", partition_by=["day", "ingest_date"], columns=[("id", "string"), ("day", "date")])
    parsed = _parse(json.dumps(flow))
    assert parsed.keys == ("id",) and parsed.partition_by == ("day", "ingest_date")
    assert [c.name for c in parsed.data_columns] == ["id"]
    assert parsed.state_path == flow["processed_path"] + "_silolake/conform_state.json"
    minimal = {k: v for k, v in flow.items() if k not in ("csv", "keys", "partition_by")}
    defaults = _parse(dict(minimal, raw_path=flow["raw_path"].rstrip("/")))
    assert (defaults.keys, defaults.partition_by, defaults.csv_delimiter, defaults.csv_header) == (
        (),
        ("ingest_date",),
        ",",
        True,
    )
    assert defaults.raw_path.endswith("/raw/things/")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"flow": "Orders"}, "flow must be a flow name"),
        ({"format": "xml"}, "format must be one of json, csv, parquet"),
        ({"columns": []}, "columns must be a non-empty list"),
        ({"columns": [{"name": "a"}]}, r"columns\[0\] must be"),
        ({"columns": [{"name": "A b", "type": "int"}]}, "is not a Glue column name"),
        ({"columns": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}, "unique"),
        ({"keys": ["nope"]}, "key 'nope' is not a declared column"),
        ({"partition_by": ["nope"]}, "neither declared nor 'ingest_date'"),
        ({"csv": {"delimiter": ";;"}}, "csv.delimiter must be one character"),
        ({"csv": {"header": "yes"}}, "csv.header must be true or false"),
        ({"raw_path": "/tmp/raw"}, "raw_path must be a URI"),
    ],
)
def test_deviations_are_refused(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    from conform_spec import SpecError

    with pytest.raises(SpecError, match=message):
        _parse(dict(spec(tmp_path), **change))
    with pytest.raises(SpecError, match="not JSON"):
        _parse("{")
