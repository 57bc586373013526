"""The framework's default conform job: raw files of one flow -> typed, deduplicated, partitioned Parquet.

Plain PySpark (no ``awsglue``), so it runs the same on Glue 5.0 (Spark 3.5) and on a laptop.
One call of :func:`conform` is one run for one flow:

1. **Select** raw partitions: every ``ingest_date=YYYY-MM-DD`` folder under ``raw_path`` on
   or after the day *before* the newest partition of the previous run (its watermark, in
   ``<processed_path>_silolake/conform_state.json``); all of them on the first run. Raw
   files only ever land in the partition of their arrival day (landing function,
   Firehose), so older partitions cannot have changed; the day before covers objects
   delivered just after midnight for the day before. A redrive (``--redrive_days``) adds
   named older days (:mod:`conform_redrive`).
2. **Read** those partitions whole (every file, not only the new ones) as json lines, csv
   (declared delimiter, header mapped by name, RFC 4180 quoting) or parquet, a file being
   the unit of failure (:mod:`conform_read`): a file that cannot be read is rejected as a
   whole, with its reason, and the rest of the batch proceeds. Before anything is written to
   processed, the run records which files it rejected (state ``status: rejects_written``),
   so a later step failing never makes the next run read them again.
3. **Cast** every column to its declared type (:mod:`conform_types`, :mod:`conform_check`),
   each group of files with the same physical schema on its own, then union. A row is rejected,
   with a reason naming each failing column, when a value is present but does not cast
   (anywhere inside a nested value), a ``char``/``varchar`` value is too long, a key
   column is missing, a map repeats a key, a warehouse value is over Redshift's byte
   limits, or the record itself is malformed. The flow's **quality rules** then run per raw
   file on the typed rows (:mod:`conform_quality`): a file violating a ``fail`` rule is
   rejected as a whole (recorded like an unreadable file), and the results are appended under
   ``quality_path``.
4. **Deduplicate** on ``keys`` within each processed partition: the latest *arrival* wins.
   Arrival orders rows by raw partition ``ingest_date``, then the raw file's modification
   time (S3 ``LastModified``: when the landing function or Firehose wrote it), then file
   path, then position in the file -- a total, deterministic order.
5. **Write** Parquet (Snappy) under ``processed_path``, partitioned by ``partition_by``,
   with dynamic partition overwrite: exactly the partitions this run produced are
   replaced. Rejects go to ``rejects_path`` as JSON lines partitioned by ``ingest_date``,
   replaced the same way.

Why whole partitions and overwrite rather than new files and append: a processed
partition is then a pure function of its inputs, so a rerun, a retry after a failure
or a run that overlaps the previous one writes exactly the same rows (idempotent), and
a run that sees only part of a day never replaces the day with that part.

When ``partition_by`` does not contain ``ingest_date`` (e.g. ``[day]``), a processed
partition collects rows from many raw partitions, so the run merges the rows already in
each partition it touches with the new ones; rows of this run win over stored rows
(they arrived later: step 1 always reads up to the newest raw partition). Stored rows are
read with their own physical types and cast forward (:mod:`conform_stored`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import reduce
from typing import Any

from conform_check import REASON, check, slim
from conform_io import RawFile, data_files, fs_of, list_files, list_raw_partitions, read_state, write_state
from conform_quality import QualityOutcome, Run, evaluate_quality, new_run, write_quality_results
from conform_read import META, Batch, SchemaChangeRefused, configure_read, failure_reason, read_batch, systemic
from conform_redrive import clear_rejects, forget, select_partitions
from conform_spec import INGEST_DATE, FlowSpec
from conform_stored import read_stored
from conform_types import cast_sql, content_hash, parse_glue_type, storage_type, written_type
from py4j.protocol import Py4JJavaError
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType, StructField, StructType

__all__ = ["ConformResult", "conform", "configure_session", "list_raw_partitions", "read_state"]

_FILE, _MTIME, _BLOCK, _ROW, _INGEST = META
_SRC = "__src"


@dataclass
class ConformResult:
    """What one run did; ``processed_partitions`` are the partition values written (``[{"ingest_date": "..."}]``).

    ``rows_rejected`` counts rejected rows; ``files_rejected`` the files rejected as a whole
    (unreadable: no row of theirs was read), each one line in the rejects output."""

    flow: str
    raw_partitions: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    files_rejected: int = 0
    processed_partitions: list[dict[str, str]] = field(default_factory=list)
    #: (file, rule) violations of the flow's quality rules this run, by severity (conform_quality).
    quality_failed: int = 0
    quality_warned: int = 0

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - self.rows_rejected


def configure_session(spark: SparkSession) -> None:
    """Session settings the job's output depends on (set per run, so a shared session cannot change them)."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # a timestamp without zone is UTC
    # Timestamps are written as INT64 microseconds without zone (conform_types.written_type), never as the
    # deprecated INT96: pyarrow/pandas read INT96 as nanoseconds and misread every value outside
    # 1677-09-21..2262-04-11. Athena expects a Parquet "built-in time type" for TIMESTAMP columns
    # (https://docs.aws.amazon.com/athena/latest/ug/data-types-timestamps.html); the warehouse COPY maps the
    # Parquet columns by position into TIMESTAMP (without zone) columns
    # (https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html).
    # The setting below covers any Spark timestamp still written (none of the job's columns).
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    # Proleptic Gregorian calendar as Athena/Trino/DuckDB read it; Spark's default refuses dates before 1582.
    spark.conf.set("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
    spark.conf.set("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
    # Map keys are unique by the time a map is built (conform_types rejects a map whose cast keys repeat),
    # so this policy never decides a value; LAST_WIN only keeps a guard evaluation from raising.
    spark.conf.set("spark.sql.mapKeyDedupPolicy", "LAST_WIN")
    spark.conf.set("spark.sql.parquet.compression.codec", "snappy")
    configure_read(spark)


def _select_partitions(available: list[str], state: dict[str, Any] | None) -> list[str]:
    if not state or not state.get("raw_partitions_through"):
        return available
    since = (dt.date.fromisoformat(state["raw_partitions_through"]) - dt.timedelta(days=1)).isoformat()
    return [p for p in available if p >= since]


# -- read and check, a file being the unit of failure ----------------------------------------------------
def _uncastable(part: DataFrame, targets: dict[str, DataType]) -> str:
    """Which columns of a part have a physical type that cannot be cast at all (for the reason)."""
    src = {f.name: f.dataType for f in part.schema.fields}
    out = []
    for name, target in targets.items():
        try:
            part.select(F.expr(cast_sql(f"`{name}`", src[name], target)[0]))
        except AnalysisException:
            out.append(f"{name}: {src[name].simpleString()} cannot be cast to {target.simpleString()}")
    return "; ".join(out) or "column types cannot be cast to the declared types"


def _slim_parts(batch: Batch, spec: FlowSpec, targets: dict[str, DataType], bad: dict[str, str]) -> list[DataFrame]:
    out = []
    for part, paths in zip(batch.parts, batch.part_files, strict=True):
        try:
            out.append(slim(check(part, spec, targets, batch.row_bad_files), targets))
        except AnalysisException:
            reason = f"file rejected: {_uncastable(part, targets)}"
            bad.update(dict.fromkeys(paths, reason))
    return out


def _probe_files(
    spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], files: list[RawFile], bad: dict[str, str]
) -> None:
    """Run the read and check of each file alone, every column decoded; reject the files that fail."""
    failed: dict[str, BaseException] = {}
    for f in files:
        try:
            batch = read_batch(spark, spec, targets, [f])
            bad.update(batch.bad_files)
            for part in _slim_parts(batch, spec, targets, bad):
                part.write.format("noop").mode("overwrite").save()
        except Py4JJavaError as exc:
            failed[f.path] = exc
    systemic(failed)
    bad.update({path: failure_reason(exc) for path, exc in failed.items()})


def _read_checked(
    spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], files: list[RawFile], bad: dict[str, str]
) -> tuple[DataFrame | None, dict[bool, int]]:
    """The checked rows of the readable files (persisted) and their counts by verdict (good=True).

    Files rejected as a whole are added to ``bad``. A read failure that only shows while the
    rows are decoded (a damaged Parquet page) makes every file be tried alone, once."""
    for attempt in (0, 1):
        batch = read_batch(spark, spec, targets, [f for f in files if f.path not in bad])
        bad.update(batch.bad_files)
        parts = _slim_parts(batch, spec, targets, bad)
        if not parts:
            return None, {}
        checked = reduce(lambda a, b: a.unionByName(b), parts).persist()
        try:
            counts = {r[0]: r[1] for r in checked.groupBy(F.col(REASON).isNull()).count().collect()}
            return checked, counts
        except Py4JJavaError:
            checked.unpersist()
            if attempt:
                raise
            _probe_files(spark, spec, targets, [f for f in files if f.path not in bad], bad)
    raise AssertionError("unreachable")


# -- write -----------------------------------------------------------------------------------------------
_RECORD = "__record"


def _write_rejects(spark: SparkSession, checked: DataFrame | None, spec: FlowSpec, files: list[dict[str, Any]]):
    """Rejected rows, and one line per file rejected as a whole (``record`` NULL), JSON lines by ingest_date."""
    parts = []
    if checked is not None:
        parts.append(
            checked.where(F.col(REASON).isNotNull()).select(
                F.col(_RECORD).alias("record"),
                F.col("__malformed").alias("malformed_record"),
                F.col(REASON).alias("reason"),
                F.col(_FILE).alias("source_file"),
                F.col(_INGEST).alias(INGEST_DATE),
            )
        )
    if files:
        record = checked.schema[_RECORD].dataType if checked is not None else StringType()
        rows = [(None, None, f["reason"], f["path"], f["ingest_date"]) for f in files]
        schema = StructType(
            [
                StructField("record", record),
                StructField("malformed_record", StringType()),
                StructField("reason", StringType()),
                StructField("source_file", StringType()),
                StructField(INGEST_DATE, StringType()),
            ]
        )
        parts.append(spark.createDataFrame(rows, schema))
    if not parts:
        return
    rejects = reduce(lambda a, b: a.unionByName(b), parts)
    (
        rejects.write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(INGEST_DATE)
        .json(spec.rejects_path)
    )


def _output_schema(spec: FlowSpec, targets: dict[str, DataType]) -> StructType:
    fields = [StructField(c.name, storage_type(targets[c.name]), True) for c in spec.data_columns]
    for name in spec.partition_by:
        fields.append(StructField(name, storage_type(targets[name]) if name in targets else StringType(), True))
    return StructType(fields)


def _write_processed(spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], good: DataFrame) -> list:
    """Dedupe and write the good rows (merged with stored rows when needed); the touched partitions."""
    schema = _output_schema(spec, targets)
    touched = (
        [row.asDict() for row in good.select(*spec.partition_by).distinct().collect()] if spec.partition_by else []
    )
    merge = INGEST_DATE not in spec.partition_by
    old_files = data_files(spark, spec.processed_path) if merge and not spec.partition_by else []
    stored = read_stored(spark, spec, schema, touched) if merge and (touched or not spec.partition_by) else None
    rows = good
    if stored is not None:
        rows = good.unionByName(stored.withColumn(_SRC, F.lit(0)), allowMissingColumns=True)
    # Without keys a whole row is its key: identical rows are one row (and a rerun adds none).
    dedupe_on = [F.col(k) for k in spec.keys] if spec.keys else [content_hash(schema)]
    window = Window.partitionBy(*dedupe_on, *[F.col(p) for p in spec.partition_by if p not in spec.keys])
    arrival = [F.col(c).desc_nulls_last() for c in (_SRC, _INGEST, _MTIME, _FILE, _BLOCK, _ROW)]
    rows = rows.withColumn("__rank", F.row_number().over(window.orderBy(*arrival))).where("__rank = 1")
    out = rows.select(*[F.col(f.name).cast(written_type(f.dataType)) for f in schema.fields])
    if spec.partition_by:
        (
            out.write.mode("overwrite")
            .option("partitionOverwriteMode", "dynamic")
            .partitionBy(*spec.partition_by)
            .parquet(spec.processed_path)
        )
    else:
        # No partitions: a static overwrite would delete the files being merged before reading them.
        # Append the new version, then delete the files of the previous one (a crash in between leaves
        # duplicates that the next run's dedupe folds back together).
        out.write.mode("append").parquet(spec.processed_path)
        fs, _ = fs_of(spark, spec.processed_path)
        for old in old_files:
            fs.delete(old, False)
    return touched


def known_paths(known: dict[tuple[str, int, int], str]) -> set[str]:
    return {path for path, _, _ in known}


def _mark_old(state: dict[str, Any], files: list[RawFile]) -> list[RawFile]:
    """``files`` with :attr:`RawFile.old` set for those that landed before the previous run finished."""
    if state.get("status") != "finished" or not state.get("finished_at"):
        return files
    cutoff = dt.datetime.fromisoformat(state["finished_at"]).timestamp() * 1000
    return [replace(f, old=f.mtime < cutoff) for f in files]


def _refuse_uncastable_old_files(spec: FlowSpec, files: list[RawFile], rejected: dict[str, str]) -> None:
    """Refuse the run when a file a previous run read without fault now has a column type with no
    cast to the declared one: the catalog changed the type incompatibly, and rewriting the file's
    day would remove rows that were valid when they were written."""
    by_path = {f.path: f for f in files}
    old = sorted(p for p, r in rejected.items() if "cannot be cast to" in r and by_path[p].old)
    if old:
        raise SchemaChangeRefused(
            f"flow '{spec.flow}': raw file {old[0]} (ingest_date={by_path[old[0]].ingest_date}) was read by an "
            f"earlier run, but now {rejected[old[0]].removeprefix('file rejected: ')}; reprocessing its day "
            "would remove its rows (a breaking schema change). To backfill: declare a type its values cast to, "
            "or write the flow to a new processed location and reprocess its raw data there."
        )


def _apply_quality(
    spark: SparkSession, spec: FlowSpec, checked: DataFrame | None, files: list[RawFile], run: Run | None
) -> QualityOutcome:
    """Evaluate the flow's quality rules on the files read this run and record the results (before the
    run's progress is written: a file a ``fail`` rule rejects is then remembered like an unreadable one,
    and never evaluated, nor counted, again)."""
    outcome = evaluate_quality(spec, checked, files, run or new_run())
    write_quality_results(spark, spec, outcome)
    return outcome


def conform(
    spark: SparkSession, spec: FlowSpec, redrive_days: Sequence[str] = (), *, run: Run | None = None
) -> ConformResult:
    """Run the job for one flow (see module docstring); returns what was done. ``run`` names the run in
    the quality results (a new id and the current time by default).

    ``redrive_days``: ``YYYY-MM-DD`` raw days to reprocess as well (:mod:`conform_redrive`).
    Raises on I/O or spec errors, :class:`conform_redrive.RedriveError` for a redriven day
    without raw data, and :class:`conform_read.SchemaChangeRefused` when a reprocess would
    remove or change rows that were valid when they were written."""
    configure_session(spark)
    result = ConformResult(spec.flow)
    state = read_state(spark, spec) or {}
    available = list_raw_partitions(spark, spec.raw_path)
    merge = INGEST_DATE not in spec.partition_by
    result.raw_partitions = select_partitions(_select_partitions(available, state), available, redrive_days, merge)
    if not result.raw_partitions:
        return result
    targets = {c.name: parse_glue_type(c.type) for c in spec.columns}
    files = _mark_old(state, list_files(spark, [f"{spec.raw_path}{INGEST_DATE}={d}/" for d in result.raw_partitions]))
    # Files a previous run rejected as a whole, unchanged since (same path, size, modification time):
    # not read again (unless their day is redriven); their reject line is written again (the rejects
    # partition is rewritten).
    previously = {(r["path"], r["size"], r["mtime"]): r["reason"] for r in state.get("rejected_files", [])}
    known = dict(previously)
    forget(known, state.get("rejected_files", []), redrive_days)
    bad = {f.path: known[f.key] for f in files if f.key in known}
    checked, counts = _read_checked(spark, spec, targets, files, bad)
    try:
        _refuse_uncastable_old_files(spec, files, {p: r for p, r in bad.items() if p not in known_paths(previously)})
        quality = _apply_quality(spark, spec, checked, [f for f in files if f.path not in bad], run)
        bad.update(quality.rejected)
        result.quality_failed, result.quality_warned = quality.failed, quality.warned
        result.rows_read = sum(counts.values())
        result.rows_rejected = counts.get(False, 0) + quality.rows_in_rejected
        by_path = {f.path: f for f in files}
        rejected_files = [
            {**dict(zip(("path", "size", "mtime"), by_path[p].key, strict=True)), "ingest_date": by_path[p].ingest_date}
            | {"reason": reason}
            for p, reason in sorted(bad.items())
        ]
        result.files_rejected = len(rejected_files)
        clear_rejects(spark, spec, redrive_days)
        _write_rejects(spark, checked, spec, rejected_files)
        # Progress before the processed write: the rejected files, the previous watermark.
        progress = {**asdict(result), "raw_partitions_through": state.get("raw_partitions_through")}
        write_state(spark, spec, progress | {"rejected_files": rejected_files, "status": "rejects_written"})
        if checked is not None and counts.get(True, 0) > quality.rows_in_rejected:
            passing = F.col(REASON).isNull()
            if quality.rejected:  # files a fail rule rejected: none of their rows are written
                passing = passing & ~F.col(_FILE).isin(sorted(quality.rejected))
            good = checked.where(passing).select(
                *[F.col(f"__v_{n}").alias(n) for n in targets],
                *(
                    [F.col(_INGEST).alias(INGEST_DATE)]
                    if INGEST_DATE in spec.partition_by and INGEST_DATE not in targets
                    else []
                ),
                F.lit(1).alias(_SRC),
                *META,
            )
            touched = _write_processed(spark, spec, targets, good)
            result.processed_partitions = sorted(
                ({k: str(v) for k, v in t.items()} for t in touched), key=lambda d: tuple(d.values())
            )
    finally:
        if checked is not None:
            checked.unpersist()
    final = {**asdict(result), "raw_partitions_through": max(result.raw_partitions)}
    write_state(spark, spec, final | {"rejected_files": rejected_files, "status": "finished"})
    return result
