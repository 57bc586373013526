"""Stored processed rows a run merges with (flows whose ``partition_by`` lacks ``ingest_date``).

The processed files were written under the declared types of their day. After a column
type change in the catalog (``int`` -> ``bigint``), Spark's Parquet reader refuses to read
an ``INT32`` file as ``bigint`` ("Parquet column cannot be converted"), so a single read
with the new schema failed every run. Files are therefore grouped by their physical
schema (footer), read group by group with their own types, and cast to the declared
types before the union. A cast that would lose a stored value (``bigint`` -> ``int`` with
a value over 2^31, a decimal scale cut) refuses the run: the rows were valid when they were
written, and a rewrite of their partition must never remove or change them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import reduce
from typing import Any

from conform_io import footer_schema, list_files
from conform_read import SchemaChangeRefused
from conform_spec import FlowSpec
from conform_types import cast_sql
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

__all__ = ["read_stored"]

_PLAIN = re.compile(r"^[A-Za-z0-9_.-]+$")


def _in_touched(path: str, touched: list[dict[str, Any]]) -> bool:
    """False only when the path's partition folders certainly belong to no touched partition."""
    for part in touched:
        values = {k: str(v) for k, v in part.items()}
        if not all(_PLAIN.match(v) for v in values.values()):
            return True  # an escaped folder name: let the row filter decide
        if all(f"/{k}={v}/" in path for k, v in values.items()):
            return True
    return not touched


def read_stored(
    spark: SparkSession, spec: FlowSpec, schema: StructType, touched: list[dict[str, Any]]
) -> DataFrame | None:
    """Stored rows of the processed partitions this run rewrites, in ``schema``'s types.

    Raises :class:`SchemaChangeRefused` when a stored value does not survive the cast."""
    files = [f.path for f in list_files(spark, [spec.processed_path])]
    if spec.partition_by:
        files = [f for f in files if _in_touched(f, touched)]
    if not files:
        return None
    groups: dict[str, list[str]] = defaultdict(list)
    for path in files:
        groups[footer_schema(spark, path)].append(path)
    partition_fields = [f for f in schema.fields if f.name in spec.partition_by]
    parts = []
    for paths in groups.values():
        physical = [f for f in spark.read.parquet(paths[0]).schema.fields if f.name not in spec.partition_by]
        df = spark.read.schema(StructType(physical + partition_fields)).option("basePath", spec.processed_path)
        stored = df.parquet(*paths)
        if spec.partition_by:
            conds: list[Column] = [
                reduce(lambda a, b: a & b, [F.col(k).eqNullSafe(F.lit(v)) for k, v in part.items()]) for part in touched
            ]
            stored = stored.where(reduce(lambda a, b: a | b, conds))
        have = {f.name: f.dataType for f in stored.schema.fields}
        values, bads = [], []
        for f in schema.fields:
            if f.name not in have:
                values.append(F.lit(None).cast(f.dataType).alias(f.name))  # a column added since
                continue
            value, bad = cast_sql(f"`{f.name}`", have[f.name], f.dataType)
            values.append(F.expr(value).cast(f.dataType).alias(f.name))
            if bad != "false":
                bads.append(f"({bad})")
        if bads and stored.where(" OR ".join(bads)).limit(1).count():
            raise SchemaChangeRefused(
                f"flow '{spec.flow}': stored processed rows in {paths[0]} no longer fit the declared column "
                "types; rewriting their partition would remove or change them (a breaking schema change). "
                "To backfill: declare a type every stored value fits (widen, never narrow), or write the "
                "flow to a new processed location and reprocess its raw data there."
            )
        parts.append(stored.select(*values))
    return reduce(lambda a, b: a.unionByName(b), parts)
