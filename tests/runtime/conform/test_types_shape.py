"""``storage_type`` and ``written_type`` map every leaf of a nested type the same way (one recursion)."""

from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    CharType,
    DecimalType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    VarcharType,
)


def test_every_leaf_is_mapped_at_any_depth() -> None:
    from conform_types import storage_type, written_type

    def nested(leaf_a, leaf_b, leaf_c, null=True):
        inner = StructType([StructField("at", leaf_a, null), StructField("code", leaf_b, null)])
        return MapType(leaf_b, ArrayType(inner, null), null), StructType([StructField("x", leaf_c, null)])

    declared = nested(TimestampType(), VarcharType(3), CharType(2), null=False)
    assert [storage_type(t) for t in declared] == list(nested(TimestampType(), StringType(), StringType()))
    assert [written_type(t) for t in declared] == list(nested(TimestampNTZType(), StringType(), StringType()))
    # Every level nullable, as Parquet stores it; a leaf with nothing to change stays as declared.
    assert storage_type(ArrayType(DecimalType(12, 2), False)) == ArrayType(DecimalType(12, 2), True)
    assert written_type(TimestampType()) == TimestampNTZType() and storage_type(TimestampType()) == TimestampType()
