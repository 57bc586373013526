"""Data-quality rules of the conform job, evaluated per raw file (the file is the batch and the unit of failure).

Rules come from the flow spec (``quality``, :class:`conform_spec.QualityCheck`) and run on the
*typed* values of the rows that passed the type checks (``__v_<col>`` of
:func:`conform_check.check`; rows rejected there are neither checked nor counted). Per file
and rule: ``rows_checked`` (the file's typed rows), ``rows_violating`` and an outcome:

- ``not_null``: a row violates when its value is NULL.
- ``unique``: when its combination of the columns occurs more than once in the file (every such
  row counts); a row with a NULL in any of the columns is ignored (SQL: NULL equals nothing).
- ``range``: when the value is below ``min`` or above ``max`` (inclusive bounds, compared exactly
  as decimals; NaN is above every number, as Spark orders it). NULL is ignored.
- ``allowed_values``: when the value is not one of ``values`` (compared in the column's type).
  NULL is ignored.
- ``pattern``: when Java's ``find`` of ``java_regex`` fails (a search: anchor with ``^...$``).
  NULL is ignored.
- ``min_rows``: the file has fewer than ``count`` typed rows; ``rows_violating`` is the shortfall.

Outcome: ``passed`` (no violation), ``warned`` (violations of a ``warn`` rule: the file lands),
``failed`` (violations of a ``fail`` rule: the whole file is rejected with a reason naming every
failed rule, column and counts, like an unreadable file, and its rows stay out of processed).
Add ``not_null`` to refuse NULLs where a rule ignores them.

Results: one row per (run, file, rule), appended as Parquet under ``quality_path``
(``<processed>/_quality/flow=<flow>/ingest_date=<raw partition>/``), the silo's
``silolake_quality`` table (columns :data:`RESULT_COLUMNS`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from conform_check import REASON
from conform_io import RawFile
from conform_read import META
from conform_spec import INGEST_DATE, FlowSpec, QualityCheck
from conform_types import parse_glue_type, storage_type
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampNTZType

__all__ = ["RESULT_COLUMNS", "QualityOutcome", "Run", "evaluate_quality", "new_run", "write_quality_results"]

_FILE = META[0]
#: Columns of a results row, in the order of the Glue table (partition keys ``flow``, ``ingest_date`` aside).
RESULT_COLUMNS = (
    ("run_id", "string"),
    ("run_time", "timestamp"),
    ("source_file", "string"),
    ("rule", "string"),
    ("check_name", "string"),
    ("columns", "string"),
    ("severity", "string"),
    ("rows_checked", "bigint"),
    ("rows_violating", "bigint"),
    ("outcome", "string"),
)
_SCHEMA = StructType(
    [
        StructField(name, {"string": StringType(), "bigint": LongType(), "timestamp": TimestampNTZType()}[kind])
        for name, kind in RESULT_COLUMNS
    ]
    + [StructField(INGEST_DATE, StringType())]
)


@dataclass(frozen=True)
class Run:
    """One run: ``id`` (``YYYYMMDDTHHMMSSZ-<8 hex>``) and start ``time`` (UTC, naive)."""

    id: str
    time: dt.datetime


def new_run() -> Run:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return Run(f"{now:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:8]}", now)


@dataclass
class QualityOutcome:
    """``rejected``: path -> reason of the files a ``fail`` rule rejects; ``rows_in_rejected``: their
    typed rows (now rejected too); ``failed``/``warned``: (file, rule) violations by severity;
    ``results``: the results rows (:data:`RESULT_COLUMNS` + ``ingest_date``)."""

    rejected: dict[str, str] = field(default_factory=dict)
    rows_in_rejected: int = 0
    failed: int = 0
    warned: int = 0
    results: list[tuple] = field(default_factory=list)


def _value(column: str) -> Column:
    return F.col(f"`__v_{column}`")


def _literal(spec: FlowSpec, column: str, text: str) -> Column:
    c = spec.column(column)
    assert c is not None  # parse_spec checked it
    return F.lit(text).cast(storage_type(parse_glue_type(c.type)))


def _violation(spec: FlowSpec, rule: QualityCheck) -> Column | None:
    """1 for a violating row of a per-row rule, else 0; None for the rules counted otherwise."""
    if rule.check in ("unique", "min_rows"):
        return None
    v = _value(rule.columns[0])
    if rule.check == "not_null":
        bad = v.isNull()
    elif rule.check == "range":
        low = v < F.lit(Decimal(rule.minimum)) if rule.minimum is not None else F.lit(False)
        high = v > F.lit(Decimal(rule.maximum)) if rule.maximum is not None else F.lit(False)
        bad = v.isNotNull() & (low | high)
    elif rule.check == "allowed_values":
        bad = v.isNotNull() & ~v.isin([_literal(spec, rule.columns[0], x) for x in rule.values])
    else:  # pattern: Spark's rlike is java.util.regex find()
        bad = v.isNotNull() & ~v.rlike(rule.java_regex or "")
    return F.when(bad, 1).otherwise(0)


def _unique_counts(good: DataFrame, spec: FlowSpec, rule: QualityCheck) -> dict[str, int]:
    cols = [_value(c) for c in rule.columns]
    repeated = (
        good.where(reduce(lambda a, b: a & b, [c.isNotNull() for c in cols]))
        .groupBy(F.col(_FILE), *cols)
        .count()
        .where("count > 1")
        .groupBy(_FILE)
        .agg(F.sum("count").alias("n"))
    )
    return {r[0]: int(r[1]) for r in repeated.collect()}


def _reason(rule: QualityCheck, checked: int, violating: int) -> str:
    if rule.check == "min_rows":
        return f"quality rule min_rows failed: {checked} rows, at least {rule.count} required"
    return f"quality rule {rule.name} failed: {violating} of {checked} rows violate"


def evaluate_quality(spec: FlowSpec, checked: DataFrame | None, files: list[RawFile], run: Run) -> QualityOutcome:
    """Evaluate ``spec.quality`` on each of ``files`` (those read this run) over ``checked``'s good rows."""
    out = QualityOutcome()
    if not spec.quality or not files:
        return out
    per_row = {i: _violation(spec, r) for i, r in enumerate(spec.quality)}
    counts: dict[str, dict[str, int]] = {}
    uniques: dict[int, dict[str, int]] = {}
    if checked is not None:
        good = checked.where(F.col(REASON).isNull())
        aggs = [F.count(F.lit(1)).alias("rows")]
        aggs += [F.sum(v).alias(f"r{i}") for i, v in per_row.items() if v is not None]
        counts = {r[_FILE]: r.asDict() for r in good.groupBy(_FILE).agg(*aggs).collect()}
        uniques = {i: _unique_counts(good, spec, r) for i, r in enumerate(spec.quality) if r.check == "unique"}
    for f in files:
        row = counts.get(f.path, {})
        rows = int(row.get("rows") or 0)
        reasons = []
        for i, rule in enumerate(spec.quality):
            if rule.check == "min_rows":
                violating = max(0, (rule.count or 0) - rows)
            elif rule.check == "unique":
                violating = uniques.get(i, {}).get(f.path, 0)
            else:
                violating = int(row.get(f"r{i}") or 0)
            outcome = "passed" if not violating else ("failed" if rule.on_failure == "fail" else "warned")
            if outcome == "failed":
                out.failed += 1
                reasons.append(_reason(rule, rows, violating))
            elif outcome == "warned":
                out.warned += 1
            out.results.append(
                (
                    run.id,
                    run.time,
                    f.path,
                    rule.name,
                    rule.check,
                    ",".join(rule.columns),
                    rule.on_failure,
                    rows,
                    violating,
                    outcome,
                    f.ingest_date,
                )
            )
        if reasons:
            out.rejected[f.path] = "file rejected: " + "; ".join(reasons)
            out.rows_in_rejected += rows
    return out


def write_quality_results(spark: SparkSession, spec: FlowSpec, outcome: QualityOutcome) -> None:
    """Append the results rows under ``spec.quality_path``, partitioned by the file's ``ingest_date``."""
    if not outcome.results:
        return
    frame = spark.createDataFrame(outcome.results, _SCHEMA).coalesce(1)
    frame.write.mode("append").partitionBy(INGEST_DATE).parquet(spec.quality_path)
