"""Casting raw values to the catalog's Glue/Hive types, nested types included, with a per-value verdict.

For a column read from raw (type ``src``, whatever the reader produced: strings from CSV,
mostly strings from JSON, typed values from Parquet) and its declared type ``dst``,
:func:`cast_sql` returns two Spark SQL expressions:

- the value, cast to ``dst`` (``try_cast`` semantics: ``NULL`` instead of an error);
- ``bad``: TRUE when a value was present but did not survive the cast -- anywhere inside
  it, so one unparsable ``qty`` deep in ``array<struct<..., qty:int>>`` marks the row.

A missing value (JSON null or absent field, empty CSV field, empty string for a
non-string type) is not bad; whether it may be missing is the caller's rule (keys).
``char(n)``/``varchar(n)`` are stored as strings (as Spark and Hive store them in
Parquet) and a value longer than ``n`` characters is bad; ``binary`` arrives in text
formats as base64. Expressions are SQL text because PySpark 3.5 has no ``try_cast`` on
``Column`` and Spark's higher-order functions (``transform``, ``exists``) compose
cleanly in SQL.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    CharType,
    DataType,
    DateType,
    DecimalType,
    FloatType,
    FractionalType,
    IntegralType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    VarcharType,
    _parse_datatype_string,
)

__all__ = [
    "cast_sql",
    "content_hash",
    "is_complex",
    "lossless_text",
    "parse_glue_type",
    "raw_text_sql",
    "skeleton",
    "storage_type",
    "written_type",
]

_NO = "false"

#: The only text accepted for a ``date``: ``YYYY-MM-DD`` (Spark's cast would also take '2024', '45413', ...).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: The only text accepted for a ``timestamp``: ISO 8601 date, ``T`` (or a space), ``HH:MM:SS``, at most
#: 6 fractional digits (Spark keeps microseconds and would silently drop more), optional zone
#: ``Z``, ``+HH:MM``, ``+HHMM`` or ``+HH`` (or ``-``). Without a zone the time is UTC.
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
_PATTERNS: dict[type[DataType], str] = {DateType: DATE_PATTERN, TimestampType: TIMESTAMP_PATTERN}
_NUMBER = (IntegralType, FractionalType)


def parse_glue_type(text: str) -> DataType:
    """The Spark type of a catalog type string (needs an active SparkContext: Spark's own DDL parser)."""
    return _parse_datatype_string(text)


def is_complex(dt: DataType) -> bool:
    return isinstance(dt, (ArrayType, MapType, StructType))


def _map_leaves(dt: DataType, leaf: Callable[[DataType], DataType]) -> DataType:
    """``dt`` with ``leaf`` applied to every non-nested type inside it (array elements, map keys and
    values, struct fields, to any depth); every nested level becomes nullable, as Parquet stores it."""
    if isinstance(dt, ArrayType):
        return ArrayType(_map_leaves(dt.elementType, leaf), True)
    if isinstance(dt, MapType):
        return MapType(_map_leaves(dt.keyType, leaf), _map_leaves(dt.valueType, leaf), True)
    if isinstance(dt, StructType):
        return StructType([StructField(f.name, _map_leaves(f.dataType, leaf), True) for f in dt.fields])
    return leaf(dt)


def _stored_leaf(dt: DataType) -> DataType:
    return StringType() if isinstance(dt, (CharType, VarcharType)) else dt


def _written_leaf(dt: DataType) -> DataType:
    dt = _stored_leaf(dt)
    return TimestampNTZType() if isinstance(dt, TimestampType) else dt


def storage_type(dt: DataType) -> DataType:
    """The type written to Parquet: ``char``/``varchar`` become ``string``, everything else as declared."""
    return _map_leaves(dt, _stored_leaf)


def written_type(dt: DataType) -> DataType:
    """The type a processed Parquet file holds: :func:`storage_type` with every ``timestamp`` (nested
    too) written as Spark's ``timestamp_ntz``, i.e. Parquet ``INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false)``.

    That is the Parquet form of a timestamp *without* zone, which is what a Glue/Hive ``timestamp``,
    an Athena ``TIMESTAMP`` and a Redshift ``TIMESTAMP`` are: pyarrow reads it as ``timestamp[us]`` and
    DuckDB as ``TIMESTAMP``, both exactly over 0001-01-01..9999-12-31. Spark's ``timestamp`` would be
    written as ``INT96`` (which pyarrow reads as nanoseconds, wrong outside 1677..2262) or as an
    instant (``isAdjustedToUTC=true``: DuckDB reads ``TIMESTAMP WITH TIME ZONE``). Values are UTC.
    """
    return _map_leaves(dt, _written_leaf)


def skeleton(dt: DataType, keep_decimals: bool = False) -> DataType:
    """``dt`` with every leaf read as a string (decimal leaves kept when ``keep_decimals``).

    Reading JSON into this shape keeps each scalar's text for a lenient, uniform cast
    later. Decimals are the exception for whole-record JSON reads: Spark's JSON reader
    parses a number token into a decimal exactly, while reading it as a string goes
    through a double and would round long decimals.
    """
    if isinstance(dt, ArrayType):
        return ArrayType(skeleton(dt.elementType, keep_decimals), True)
    if isinstance(dt, MapType):
        return MapType(StringType(), skeleton(dt.valueType, keep_decimals), True)
    if isinstance(dt, StructType):
        return StructType([StructField(f.name, skeleton(f.dataType, keep_decimals), True) for f in dt.fields])
    if keep_decimals and isinstance(dt, DecimalType):
        return dt
    return StringType()


def _ddl(dt: DataType) -> str:
    return storage_type(dt).simpleString()


def raw_text_sql(expr: str, src: DataType) -> str:
    """The raw value as text, for reject reasons and the rejects output."""
    if is_complex(src):
        return f"to_json({expr})"
    if isinstance(src, BinaryType):
        return f"base64({expr})"
    return f"CAST({expr} AS string)"


def _or(*parts: str) -> str:
    parts = tuple(p for p in parts if p != _NO)
    return " OR ".join(f"({p})" for p in parts) if parts else _NO


def _leaf(expr: str, src: DataType, dst: DataType) -> tuple[str, str]:
    if isinstance(dst, (CharType, VarcharType)):
        value = expr if isinstance(src, StringType) else f"try_cast({expr} AS string)"
        return value, f"{expr} IS NOT NULL AND ({value} IS NULL OR char_length({value}) > {dst.length})"
    if src == dst:
        return expr, _NO
    if is_complex(src):  # an object where a scalar belongs
        return f"CAST(NULL AS {_ddl(dst)})", f"{expr} IS NOT NULL"
    if isinstance(dst, BinaryType) and isinstance(src, StringType):
        value = f"try_to_binary({expr}, 'base64')"
    else:
        value = f"try_cast({expr} AS {_ddl(dst)})"
    if isinstance(src, _NUMBER) and isinstance(dst, _NUMBER) and not isinstance(dst, FloatType):
        # Typed sources (Parquet): a cast that rounds (decimal(10,3) -> decimal(12,2), 1.5 -> int) or
        # overflows is bad, not silently changed -- the value must survive the way back. A declared
        # float is an approximation by choice, so double -> float is not checked.
        return value, f"{expr} IS NOT NULL AND ({value} IS NULL OR try_cast({value} AS {_ddl(src)}) <> {expr})"
    pattern = _PATTERNS.get(type(dst))
    if pattern and isinstance(src, StringType):  # strict text forms; the cast alone is lenient
        value = f"CASE WHEN {expr} RLIKE '{pattern}' THEN {value} END"
    present = f"{expr} IS NOT NULL"
    if isinstance(src, StringType) and not isinstance(dst, (StringType, BinaryType)):
        present += f" AND trim({expr}) <> ''"  # an empty CSV/JSON string is a missing number/date, not a bad one
    return value, f"{present} AND {value} IS NULL"


def cast_sql(expr: str, src: DataType, dst: DataType, depth: int = 0) -> tuple[str, str]:
    """``(value, bad)`` SQL expressions casting ``expr`` of type ``src`` to the declared type ``dst``.

    ``bad`` is never NULL. A JSON document in a string where a complex type belongs (CSV
    fields, string columns of Parquet files) is parsed with ``from_json``.
    """
    if is_complex(dst) and isinstance(src, StringType):
        shape = skeleton(dst)
        parsed = f"from_json({expr}, '{shape.simpleString()}')"
        value, bad = cast_sql(parsed, shape, dst, depth)
        return value, _or(f"{expr} IS NOT NULL AND {parsed} IS NULL", bad)
    if isinstance(dst, ArrayType):
        if not isinstance(src, ArrayType):
            return f"CAST(NULL AS {_ddl(dst)})", f"{expr} IS NOT NULL"
        x = f"x{depth}"
        value, bad = cast_sql(x, src.elementType, dst.elementType, depth + 1)
        value = expr if value == x else f"transform({expr}, {x} -> {value})"
        return value, _NO if bad == _NO else f"coalesce(exists({expr}, {x} -> {bad}), false)"
    if isinstance(dst, MapType):
        if not isinstance(src, MapType):
            return f"CAST(NULL AS {_ddl(dst)})", f"{expr} IS NOT NULL"
        k, v = f"k{depth}", f"v{depth}"
        kval, kbad = cast_sql(k, src.keyType, dst.keyType, depth + 1)
        vval, vbad = cast_sql(v, src.valueType, dst.valueType, depth + 1)
        if kval == k:
            value = expr if vval == v else f"transform_values({expr}, ({k}, {v}) -> {vval})"
        else:  # a key that fails makes the row bad; the caller never evaluates this value then
            value = (
                f"map_from_arrays(transform(map_keys({expr}), {k} -> {kval}), "
                f"transform(map_values({expr}), {v} -> {vval}))"
            )
        # Keys must be unique after the cast ('1' and '01' are both the int key 1; a JSON object may
        # repeat a key): such a map is bad, never deduplicated by a silent "last wins" -- and DuckDB
        # refuses to read a Parquet map with duplicate keys.
        keys = f"map_keys({expr})" if kval == k else f"transform(map_keys({expr}), {k} -> {kval})"
        dup = f"size(array_distinct({keys})) < size({expr})"
        bads = [
            f"coalesce({dup}, false)",
            f"coalesce(exists(map_keys({expr}), {k} -> {kbad}), false)" if kbad != _NO else _NO,
            f"coalesce(exists(map_values({expr}), {v} -> {vbad}), false)" if vbad != _NO else _NO,
        ]
        return value, _or(*bads)
    if isinstance(dst, StructType):
        if not isinstance(src, StructType):
            return f"CAST(NULL AS {_ddl(dst)})", f"{expr} IS NOT NULL"
        by_name = {f.name.lower(): f for f in src.fields}
        parts, bads, identity = [], [], [f.name for f in src.fields] == [f.name for f in dst.fields]
        for field in dst.fields:
            found = by_name.get(field.name.lower())
            if found is None:
                parts.append(f"'{field.name}', CAST(NULL AS {_ddl(field.dataType)})")
                identity = False
                continue
            ref = f"{expr}.`{found.name}`"
            fval, fbad = cast_sql(ref, found.dataType, field.dataType, depth + 1)
            identity = identity and fval == ref
            parts.append(f"'{field.name}', {fval}")
            bads.append(fbad)
        value = expr if identity else f"CASE WHEN {expr} IS NULL THEN NULL ELSE named_struct({', '.join(parts)}) END"
        return value, _or(*bads)
    return _leaf(expr, src, dst)


def lossless_text(name: str, dtype: DataType) -> Column:
    """A column's value as text that differs whenever the value differs (NULL stays NULL)."""
    col = F.col(f"`{name}`")
    if isinstance(dtype, TimestampType):
        return F.unix_micros(col).cast("string")
    if isinstance(dtype, BinaryType):
        return F.hex(col)
    if isinstance(dtype, (ArrayType, MapType, StructType)):
        # JSON keeps numbers exactly (Double.toString round-trips); timestamps inside with microseconds.
        return F.to_json(col, {"timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"})
    return col.cast("string")  # numbers, decimals, booleans, dates: Spark's casts to string are exact


def content_hash(schema: StructType) -> Column:
    """SHA-256 of every column in full precision: each value as ``<length>:<text>`` or ``N`` for NULL,
    joined by ``|`` -- the length prefix makes the concatenation unambiguous whatever the text holds."""
    parts = []
    for f in schema.fields:
        text = lossless_text(f.name, f.dataType)
        parts.append(
            F.when(text.isNull(), F.lit("N")).otherwise(F.concat(F.length(text).cast("string"), F.lit(":"), text))
        )
    return F.sha2(F.concat_ws("|", *parts), 256)
