"""The framework's default conform job: raw files of one flow -> typed, deduplicated, partitioned Parquet.

Plain PySpark (no ``awsglue``), so it runs the same on Glue 5.0 (Spark 3.5) and on a laptop.
One call of :func:`conform` is one run for one flow:

1. **Select** raw partitions: every ``ingest_date=YYYY-MM-DD`` folder under ``raw_path`` on
   or after the day *before* the newest partition of the previous run (its watermark, in
   ``<processed_path>_silolake/conform_state.json``); all of them on the first run. Raw
   files only ever land in the partition of their arrival day (landing function,
   Firehose), so older partitions cannot have changed; the day before covers objects
   delivered just after midnight for the day before.
2. **Read** those partitions whole (every file, not only the new ones) as json lines, csv
   (declared delimiter, header, RFC 4180 quoting) or parquet.
3. **Cast** every column to its declared type (:mod:`conform_types`). A row is rejected,
   with a reason naming each failing column, when a value is present but does not cast
   (anywhere inside a nested value), a ``char``/``varchar`` value is too long, a key
   column is missing, or the record itself is malformed.
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
(they arrived later: step 1 always reads up to the newest raw partition).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from functools import reduce
from typing import Any

from conform_spec import INGEST_DATE, FlowSpec
from conform_types import cast_sql, parse_glue_type, raw_text_sql, skeleton, storage_type
from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    DataType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

__all__ = ["ConformResult", "conform", "configure_session", "list_raw_partitions", "read_state"]

CORRUPT = "__corrupt"
_PARTITION_DIR = re.compile(rf"^{INGEST_DATE}=(\d{{4}}-\d{{2}}-\d{{2}})$")
_REASON_VALUE_CHARS = 60

# Internal columns (double underscore: declared columns are [a-z_][a-z0-9_]*, but never this shape).
_FILE, _MTIME, _BLOCK, _ROW, _INGEST, _SRC, _REASON = (
    "__file",
    "__mtime",
    "__block",
    "__row",
    "__ingest_date",
    "__src",
    "__reason",
)


@dataclass
class ConformResult:
    """What one run did; ``processed_partitions`` are the partition values written (``[{"ingest_date": "..."}]``)."""

    flow: str
    raw_partitions: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    processed_partitions: list[dict[str, str]] = field(default_factory=list)

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - self.rows_rejected


def configure_session(spark: SparkSession) -> None:
    """Session settings the job's output depends on (set per run, so a shared session cannot change them)."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # a timestamp without zone is UTC
    spark.conf.set("spark.sql.parquet.outputTimestampType", "INT96")  # what Hive-era readers (Redshift COPY) expect
    # Proleptic Gregorian calendar as Athena/Trino/DuckDB read it; Spark's default refuses dates before 1582.
    spark.conf.set("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
    spark.conf.set("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
    spark.conf.set("spark.sql.mapKeyDedupPolicy", "LAST_WIN")  # '1' and '01' both cast to map key 1
    spark.conf.set("spark.sql.parquet.compression.codec", "snappy")


# -- storage helpers (Hadoop FileSystem: the same calls on file:// locally and s3:// on Glue) --------
def _fs(spark: SparkSession, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hpath


def list_raw_partitions(spark: SparkSession, raw_path: str) -> list[str]:
    """Sorted ``ingest_date`` values of the raw partitions under ``raw_path`` (other folders ignored)."""
    fs, path = _fs(spark, raw_path)
    if not fs.exists(path):
        return []
    found = (_PARTITION_DIR.match(s.getPath().getName()) for s in fs.listStatus(path) if s.isDirectory())
    return sorted(m.group(1) for m in found if m)


def read_state(spark: SparkSession, spec: FlowSpec) -> dict[str, Any] | None:
    """The previous run's state (``raw_partitions_through``, counts), or ``None`` before the first run."""
    fs, path = _fs(spark, spec.state_path)
    if not fs.exists(path):
        return None
    stream = fs.open(path)
    try:
        text = spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")  # type: ignore[union-attr]
    finally:
        stream.close()
    state: dict[str, Any] = json.loads(text)
    return state


def _write_state(spark: SparkSession, spec: FlowSpec, result: ConformResult) -> None:
    fs, path = _fs(spark, spec.state_path)
    state = {
        "raw_partitions_through": max(result.raw_partitions),
        **asdict(result),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out = fs.create(path, True)
    try:
        out.write(bytearray(json.dumps(state, indent=1).encode()))
    finally:
        out.close()


def _select_partitions(available: list[str], state: dict[str, Any] | None) -> list[str]:
    if not state or not state.get("raw_partitions_through"):
        return available
    since = (dt.date.fromisoformat(state["raw_partitions_through"]) - dt.timedelta(days=1)).isoformat()
    return [p for p in available if p >= since]


# -- read ------------------------------------------------------------------------------------------------
def _read_raw(spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], dates: list[str]) -> DataFrame | None:
    paths = [f"{spec.raw_path}{INGEST_DATE}={d}/" for d in dates]
    # recursiveFileLookup: the partition comes from the path below, and a stray sub-folder is read, not fatal.
    reader = spark.read.option("recursiveFileLookup", "true")
    if spec.format == "parquet":
        try:
            df = reader.option("mergeSchema", "true").parquet(*paths)
        except AnalysisException as exc:  # partition folders without a single Parquet file
            if "Unable to infer schema" not in str(exc):
                raise
            return None
        present = {f.name.lower(): f.name for f in df.schema.fields}
        cols = [
            F.col(f"`{present[c]}`").alias(c) if c in present else F.lit(None).cast("string").alias(c) for c in targets
        ]
    else:
        keep_decimals = spec.format == "json"  # see conform_types.skeleton
        schema = StructType(
            [
                StructField(c, skeleton(t, keep_decimals) if keep_decimals else StringType(), True)
                for c, t in targets.items()
            ]
            + [StructField(CORRUPT, StringType(), True)]
        )
        reader = reader.schema(schema).option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
        if spec.format == "json":
            # Decimal *strings* are parsed with the reader's locale. Spark's default (en-US) drops commas, so
            # "1,50" would load as 150. de-CH has '.' as decimal point and U+2019 as grouping mark, so a comma
            # ends the number and the row is rejected. Number tokens are exact whatever the locale.
            df = reader.option("locale", "de-CH").json(paths)
        else:
            df = (
                reader.option("sep", spec.csv_delimiter)
                .option("header", str(spec.csv_header).lower())
                .option("quote", '"')
                .option("escape", '"')
                .option("multiLine", "true")  # RFC 4180: a quoted field may contain line breaks
                .csv(paths)
            )
        cols = [F.col(c) for c in targets] + [F.col(CORRUPT)]
    return df.select(
        *cols,
        F.col("_metadata.file_path").alias(_FILE),
        F.col("_metadata.file_modification_time").alias(_MTIME),
        F.col("_metadata.file_block_start").alias(_BLOCK),
        F.monotonically_increasing_id().alias(_ROW),  # increases with position inside one file split
        F.regexp_extract(F.col("_metadata.file_path"), rf"/{INGEST_DATE}=(\d{{4}}-\d{{2}}-\d{{2}})/", 1).alias(_INGEST),
    )


def _bad_files(spark: SparkSession, spec: FlowSpec, dates: list[str]) -> dict[str, str]:
    """Raw text files the readers would garble, by ``_metadata.file_path``, with the reason to reject them.

    - A compressed suffix in other case than ``.gz`` (``x.CSV.GZ``): Hadoop picks the codec by
      exact suffix, so Spark would read the gzip bytes as text. (Landing writes ``.gz`` in lower
      case; this catches files that reached raw another way.)
    - Bytes that are not UTF-8: the readers decode with replacement (U+FFFD) and would accept
      the damaged values. The text source keeps each line's bytes as they are; decoding and
      re-encoding them changes them exactly when they are not valid UTF-8.
    """
    if spec.format not in ("csv", "json"):
        return {}
    paths = [f"{spec.raw_path}{INGEST_DATE}={d}/" for d in dates]
    lines = spark.read.option("recursiveFileLookup", "true").text(paths)
    found = (
        lines.select(
            F.col("_metadata.file_path").alias(_FILE),
            (F.col("value").cast("binary") != F.encode(F.col("value"), "UTF-8")).alias("__invalid"),
        )
        .groupBy(_FILE)
        .agg(F.max("__invalid").alias("__invalid"))
        .collect()
    )
    reasons = {}
    for row in found:
        path = row[_FILE]
        if path.lower().endswith(".gz") and not path.endswith(".gz"):
            reasons[path] = f"file rejected: compressed file suffix {path[-3:]!r} is not lower-case '.gz'"
        elif row["__invalid"]:
            reasons[path] = "file rejected: not valid UTF-8 text"
    return reasons


# -- check -----------------------------------------------------------------------------------------------
def _sql_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _check(
    raw: DataFrame, spec: FlowSpec, targets: dict[str, DataType], bad_files: dict[str, str] | None = None
) -> DataFrame:
    """``raw`` plus ``__v_<col>`` (the cast value) and ``__reason`` (NULL for a good row).

    Every row of a file in ``bad_files`` (path -> reason) is rejected with that reason alone.
    """
    src = {f.name: f.dataType for f in raw.schema.fields}
    has_corrupt = CORRUPT in src
    bad_cols, reasons = [], []
    for name, target in targets.items():
        ref = f"`{name}`"
        _, bad = cast_sql(ref, src[name], target)
        text = raw_text_sql(ref, src[name])
        if spec.format == "json":  # a value Spark's JSON reader could not fit is NULL; its text is in the record
            lost = f"get_json_object({CORRUPT}, '$.{name}')"
            bad = f"({bad}) OR ({CORRUPT} IS NOT NULL AND {ref} IS NULL AND {lost} IS NOT NULL)"
            text = f"coalesce({text}, {lost})"
        bad_cols.append(F.expr(f"coalesce({bad}, false)").alias(f"__b_{name}"))
        label = target.simpleString()
        reasons.append(
            f"CASE WHEN `__b_{name}` THEN concat({_sql_str(name + ': ')}, "
            f"{_sql_str(chr(39))}, substring({text}, 1, {_REASON_VALUE_CHARS}), "
            f"{_sql_str(chr(39) + ' is not a valid ' + label)}) END"
        )
    checked = raw.select("*", *bad_cols)
    values = []
    for name, target in targets.items():
        value, _ = cast_sql(f"`{name}`", src[name], target)
        # The guard keeps a failed cast from ever being evaluated (a NULL map key would raise).
        values.append(
            F.expr(f"CASE WHEN `__b_{name}` THEN NULL ELSE {value} END").cast(storage_type(target)).alias(f"__v_{name}")
        )
    checked = checked.select("*", *values)
    for key in spec.keys:
        reasons.append(f"CASE WHEN `__v_{key}` IS NULL AND NOT `__b_{key}` THEN {_sql_str(key + ': missing key')} END")
    for part in spec.partition_by:
        if part in targets:  # Spark would write NULL and '' to __HIVE_DEFAULT_PARTITION__
            reasons.append(
                f"CASE WHEN NOT `__b_{part}` AND coalesce(CAST(`__v_{part}` AS string), '') = '' "
                f"THEN {_sql_str(part + ': missing partition value')} END"
            )
    if has_corrupt:
        what = "malformed JSON record" if spec.format == "json" else f"malformed CSV record (not {len(targets)} fields)"
        # JSON: a record whose failing columns were named above needs no second reason.
        named = " OR ".join(f"`__b_{n}`" for n in targets) if spec.format == "json" else "false"
        reasons.append(f"CASE WHEN {CORRUPT} IS NOT NULL AND NOT ({named}) THEN {_sql_str(what)} END")
    reason = F.expr(f"nullif(concat_ws('; ', {', '.join(reasons)}), '')")
    if bad_files:
        file_reason = F.element_at(
            F.create_map(*[F.lit(x) for item in sorted(bad_files.items()) for x in item]), F.col(_FILE)
        )
        reason = F.when(F.col(_FILE).isin(list(bad_files)), file_reason).otherwise(reason)
    return checked.select("*", reason.alias(_REASON))


# -- write -----------------------------------------------------------------------------------------------
def _slim(checked: DataFrame, targets: dict[str, DataType], src: dict[str, DataType]) -> DataFrame:
    """What the outputs need, and no more (it is cached): values, verdict, arrival, and the raw text of
    rejected rows only -- NULL for good rows, which the columnar cache stores almost for free."""
    rejected = F.col(_REASON).isNotNull()
    record = F.struct(*[F.expr(raw_text_sql(f"`{n}`", src[n])).alias(n) for n in targets])
    corrupt = F.col(CORRUPT) if CORRUPT in src else F.lit(None).cast("string")
    return checked.select(
        *[f"__v_{n}" for n in targets],
        _REASON,
        _FILE,
        _MTIME,
        _BLOCK,
        _ROW,
        _INGEST,
        F.when(rejected, record).alias("__record"),
        F.when(rejected, corrupt).alias("__malformed"),
    )


def _write_rejects(checked: DataFrame, spec: FlowSpec) -> None:
    rejects = checked.where(F.col(_REASON).isNotNull()).select(
        F.col("__record").alias("record"),
        F.col("__malformed").alias("malformed_record"),
        F.col(_REASON).alias("reason"),
        F.col(_FILE).alias("source_file"),
        F.col(_INGEST).alias(INGEST_DATE),
    )
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


def _existing(
    spark: SparkSession, spec: FlowSpec, schema: StructType, touched: list[dict[str, Any]]
) -> DataFrame | None:
    """Stored rows of the processed partitions this run rewrites (merge case only)."""
    fs, path = _fs(spark, spec.processed_path)
    if not fs.exists(path):
        return None
    stored = spark.read.schema(schema).parquet(spec.processed_path)  # an empty folder reads as no rows
    if spec.partition_by:
        conds: list[Column] = [
            reduce(lambda a, b: a & b, [F.col(k).eqNullSafe(F.lit(v)) for k, v in part.items()]) for part in touched
        ]
        stored = stored.where(reduce(lambda a, b: a | b, conds))
    return stored


def _lossless_text(name: str, dtype: DataType) -> Column:
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


def _content_hash(schema: StructType) -> Column:
    """SHA-256 of every column in full precision: each value as ``<length>:<text>`` or ``N`` for NULL,
    joined by ``|`` -- the length prefix makes the concatenation unambiguous whatever the text holds."""
    parts = []
    for f in schema.fields:
        text = _lossless_text(f.name, f.dataType)
        parts.append(
            F.when(text.isNull(), F.lit("N")).otherwise(F.concat(F.length(text).cast("string"), F.lit(":"), text))
        )
    return F.sha2(F.concat_ws("|", *parts), 256)


def _data_files(spark: SparkSession, path: str) -> list[Any]:
    fs, root = _fs(spark, path)
    if not fs.exists(root):
        return []
    return [s.getPath() for s in fs.listStatus(root) if s.isFile() and not s.getPath().getName().startswith(("_", "."))]


def conform(spark: SparkSession, spec: FlowSpec) -> ConformResult:
    """Run the job for one flow (see module docstring); returns what was done. Raises on I/O or spec errors."""
    configure_session(spark)
    result = ConformResult(spec.flow)
    state = read_state(spark, spec)
    result.raw_partitions = _select_partitions(list_raw_partitions(spark, spec.raw_path), state)
    if not result.raw_partitions:
        return result
    targets = {c.name: parse_glue_type(c.type) for c in spec.columns}
    raw = _read_raw(spark, spec, targets, result.raw_partitions)
    if raw is None:
        return result
    src = {f.name: f.dataType for f in raw.schema.fields}
    bad_files = _bad_files(spark, spec, result.raw_partitions)
    checked = _slim(_check(raw, spec, targets, bad_files), targets, src).persist()
    try:
        counts = {r[0]: r[1] for r in checked.groupBy(F.col(_REASON).isNull()).count().collect()}
        result.rows_read = sum(counts.values())
        result.rows_rejected = counts.get(False, 0)
        _write_rejects(checked, spec)

        schema = _output_schema(spec, targets)
        good = checked.where(F.col(_REASON).isNull()).select(
            *[F.col(f"__v_{n}").alias(n) for n in targets],
            *(
                [F.col(_INGEST).alias(INGEST_DATE)]
                if INGEST_DATE in spec.partition_by and INGEST_DATE not in targets
                else []
            ),
            F.lit(1).alias(_SRC),
            _FILE,
            _MTIME,
            _BLOCK,
            _ROW,
            _INGEST,
        )
        touched = (
            [{k: v for k, v in row.asDict().items()} for row in good.select(*spec.partition_by).distinct().collect()]
            if spec.partition_by
            else []
        )
        result.processed_partitions = sorted(
            ({k: str(v) for k, v in t.items()} for t in touched), key=lambda d: tuple(d.values())
        )
        merge = INGEST_DATE not in spec.partition_by
        old_files = _data_files(spark, spec.processed_path) if merge and not spec.partition_by else []
        stored = _existing(spark, spec, schema, touched) if merge and (touched or not spec.partition_by) else None
        rows = good
        if stored is not None:
            rows = good.unionByName(stored.withColumn(_SRC, F.lit(0)), allowMissingColumns=True)
        # Without keys a whole row is its key: identical rows are one row (and a rerun adds none).
        dedupe_on = [F.col(k) for k in spec.keys] if spec.keys else [_content_hash(schema)]
        window = Window.partitionBy(*dedupe_on, *[F.col(p) for p in spec.partition_by if p not in spec.keys])
        arrival = [F.col(c).desc_nulls_last() for c in (_SRC, _INGEST, _MTIME, _FILE, _BLOCK, _ROW)]
        rows = rows.withColumn("__rank", F.row_number().over(window.orderBy(*arrival))).where("__rank = 1")
        out = rows.select(*[F.col(f.name).cast(f.dataType) for f in schema.fields])
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
            fs, _ = _fs(spark, spec.processed_path)
            for old in old_files:
                fs.delete(old, False)
    finally:
        checked.unpersist()
    _write_state(spark, spec, result)
    return result
