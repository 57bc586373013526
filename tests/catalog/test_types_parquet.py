"""Every catalog column type survives a real Parquet write/read with the expected values.

Firehose converts records to Parquet using the Glue columns we emit, so each type the
parser accepts must map onto a Parquet/Arrow type that round-trips real values. The
GlueType -> Arrow mapping below mirrors what Glue/Athena read from those files.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silolake.catalog.types import ArrayType, GlueType, MapType, Primitive, StructType, glue_type, parse_type

_ARROW_PRIMITIVES = {
    "boolean": pa.bool_(),
    "tinyint": pa.int8(),
    "smallint": pa.int16(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "string": pa.string(),
    "char": pa.string(),
    "varchar": pa.string(),
    "binary": pa.binary(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


def to_arrow(t: GlueType) -> pa.DataType:
    """Map a parsed catalog type to the Arrow type Parquet stores for it."""
    if isinstance(t, Primitive):
        if t.name == "decimal":
            return pa.decimal128(*t.params)
        return _ARROW_PRIMITIVES[t.name]
    if isinstance(t, ArrayType):
        return pa.list_(pa.field("element", to_arrow(t.element)))
    if isinstance(t, MapType):
        return pa.map_(to_arrow(t.key), to_arrow(t.value))
    if isinstance(t, StructType):
        return pa.struct([pa.field(name, to_arrow(ft)) for name, ft in t.fields])
    raise TypeError(f"not a GlueType: {t!r}")


# (column name, type as a user would write it in silos.yaml, sample values incl. null)
COLUMNS: list[tuple[str, str, list[object]]] = [
    ("c_boolean", "BOOLEAN", [True, False, None]),
    ("c_tinyint", "tinyint", [-128, 127, None]),
    ("c_smallint", "smallint", [-32768, 32767, None]),
    ("c_int", "int", [-(2**31), 2**31 - 1, None]),
    ("c_integer", "Integer", [0, 42, None]),
    ("c_bigint", "bigint", [-(2**63), 2**63 - 1, None]),
    ("c_float", "float", [1.5, -0.25, None]),
    ("c_double", "double", [3.141592653589793, -1e300, None]),
    ("c_string", "string", ["héllo", "", None]),
    ("c_char", "char(3)", ["abc", "x", None]),
    ("c_varchar", "varchar(65535)", ["some text", "ü" * 10, None]),
    ("c_binary", "binary", [b"\x00\xff", b"", None]),
    ("c_date", "date", [dt.date(2024, 2, 29), dt.date(1970, 1, 1), None]),
    ("c_timestamp", "timestamp", [dt.datetime(2024, 5, 1, 12, 30, 45, 123456), dt.datetime(1999, 12, 31), None]),
    ("c_decimal_bare", "decimal", [Decimal("1234567890"), Decimal("-1"), None]),
    ("c_decimal_p", "decimal(5)", [Decimal("99999"), Decimal("0"), None]),
    ("c_decimal", "decimal( 12 , 2 )", [Decimal("1234567890.12"), Decimal("-0.01"), None]),
    ("c_decimal_max", "decimal(38,38)", [Decimal("0." + "9" * 38), Decimal("-0." + "0" * 37 + "1"), None]),
    ("c_array", "array<int>", [[1, 2, None], [], None]),
    ("c_array_str", "ARRAY<VARCHAR(10)>", [["a", "b"], [None], None]),
    ("c_map", "map<string,bigint>", [[("a", 1), ("b", None)], [], None]),
    ("c_map_decimal_key", "map<decimal(4,1),array<date>>", [[(Decimal("1.5"), [dt.date(2020, 1, 1)])], [], None]),
    (
        "c_struct",
        "struct<id:bigint, name:string, price:decimal(10,2), at:timestamp>",
        [
            {"id": 1, "name": "x", "price": Decimal("9.99"), "at": dt.datetime(2024, 1, 1, 0, 0, 1)},
            {"id": None, "name": None, "price": None, "at": None},
            None,
        ],
    ),
    (
        "c_array_struct",
        "Array< Struct<a : INT, b:decimal(12, 2)> >",
        [[{"a": 1, "b": Decimal("1.25")}, {"a": None, "b": Decimal("-3.00")}], [], None],
    ),
    (
        "c_nested",
        "struct<tags:array<string>, attrs:map<string,struct<v:double,ok:boolean>>, raw:binary>",
        [
            {"tags": ["t1", "t2"], "attrs": [("k", {"v": 0.5, "ok": True})], "raw": b"\x01"},
            {"tags": [], "attrs": [], "raw": None},
            None,
        ],
    ),
    ("c_deep", "array<array<map<int,struct<x:tinyint>>>>", [[[[(1, {"x": 7})]], []], [], None]),
]


def test_columns_cover_every_accepted_type() -> None:
    names = {
        "boolean",
        "tinyint",
        "smallint",
        "int",
        "bigint",
        "float",
        "double",
        "string",
        "char",
        "varchar",
        "binary",
        "date",
        "timestamp",
        "decimal",
    }
    seen: set[str] = set()

    def walk(t: GlueType) -> None:
        if isinstance(t, Primitive):
            seen.add(t.name)
        elif isinstance(t, ArrayType):
            seen.add("array")
            walk(t.element)
        elif isinstance(t, MapType):
            seen.add("map")
            walk(t.key)
            walk(t.value)
        else:
            seen.add("struct")
            for _, ft in t.fields:
                walk(ft)

    for _, decl, _ in COLUMNS:
        walk(parse_type(decl))
    assert seen == names | {"array", "map", "struct"}


@pytest.fixture(scope="module")
def schema() -> pa.Schema:
    return pa.schema([pa.field(name, to_arrow(parse_type(decl))) for name, decl, _ in COLUMNS])


def test_parquet_round_trip(tmp_path, schema: pa.Schema) -> None:
    rows = [{name: values[i] for name, _, values in COLUMNS} for i in range(3)]
    table = pa.Table.from_pylist(rows, schema=schema)
    path = tmp_path / "sample.parquet"
    pq.write_table(table, path)

    back = pq.read_table(path)
    assert back.schema.equals(schema), f"{back.schema}\n!=\n{schema}"
    assert back.to_pylist() == rows
    # and per column, so a failure names the type
    for name, decl, values in COLUMNS:
        assert back.column(name).to_pylist() == values, f"{name} ({glue_type(decl)})"


@pytest.mark.parametrize(("name", "decl"), [(n, d) for n, d, _ in COLUMNS])
def test_parquet_schema_matches_glue_string(tmp_path, schema: pa.Schema, name: str, decl: str) -> None:
    """The canonical Glue string re-parses to the same type the Parquet file stores."""
    canonical = glue_type(decl)
    assert parse_type(canonical) == parse_type(decl)
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.table({name: pa.array([None], type=to_arrow(parse_type(canonical)))}), path)
    assert pq.read_schema(path).field(name).type.equals(schema.field(name).type)
