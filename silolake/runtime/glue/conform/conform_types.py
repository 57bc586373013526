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

from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    CharType,
    DataType,
    DateType,
    DecimalType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
    VarcharType,
    _parse_datatype_string,
)

__all__ = ["cast_sql", "is_complex", "parse_glue_type", "raw_text_sql", "skeleton", "storage_type"]

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


def parse_glue_type(text: str) -> DataType:
    """The Spark type of a catalog type string (needs an active SparkContext: Spark's own DDL parser)."""
    return _parse_datatype_string(text)


def is_complex(dt: DataType) -> bool:
    return isinstance(dt, (ArrayType, MapType, StructType))


def storage_type(dt: DataType) -> DataType:
    """The type written to Parquet: ``char``/``varchar`` become ``string``, everything else as declared."""
    if isinstance(dt, (CharType, VarcharType)):
        return StringType()
    if isinstance(dt, ArrayType):
        return ArrayType(storage_type(dt.elementType), True)
    if isinstance(dt, MapType):
        return MapType(storage_type(dt.keyType), storage_type(dt.valueType), True)
    if isinstance(dt, StructType):
        return StructType([StructField(f.name, storage_type(f.dataType), True) for f in dt.fields])
    return dt


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
        bads = [
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
