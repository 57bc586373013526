"""Reading one batch of raw files, a file being the unit of failure.

:func:`read_batch` turns the raw files of a run into one or more DataFrames ("parts"),
each holding the declared columns (as the reader produced them) and the arrival
metadata; parts of different physical schemas are cast to the declared types separately
and only then unioned, so files from different writers never have to merge.

- **Parquet**: each file's footer is read on the driver. A file whose footer cannot be
  read is rejected as a whole; the others are grouped by identical physical schema (one
  Spark read per group), so ``int32``/``int64``, two decimal scales, or timestamps with
  and without zone in one partition no longer fail with ``CANNOT_MERGE_SCHEMAS``.
  Nanosecond timestamps (pandas' default) are read as their integer and turned into ISO
  text with all nine digits, so the strict timestamp cast keeps whole microseconds exactly
  and rejects, with the value, the ones it would have to truncate.
- **CSV/JSON**: one pass over the text (lines) finds, per file, whether it is valid UTF-8
  and its first line (the CSV header). A file the pass cannot read (gzip garbage) is
  found by reading each file alone and is rejected as a whole. With ``header: true`` a
  CSV file's columns are mapped **by header name**: a declared column the file lacks is
  NULL (a column added since the file was written); a header column the flow no longer
  declares refuses the run (:class:`SchemaChangeRefused`), since reprocessing that day
  would drop the column's values. A headerless CSV file an earlier run read
  (:attr:`RawFile.old`) whose first record has fewer fields than the flow declares holds
  the leading columns (columns added at the end since are NULL); one with more refuses the
  run. New headerless files keep the strict field count (short rows are malformed).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from conform_io import RawFile, footer_schema
from conform_spec import INGEST_DATE, FlowSpec
from conform_types import skeleton
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType, StructField, StructType

__all__ = [
    "CORRUPT",
    "META",
    "Batch",
    "SchemaChangeRefused",
    "configure_read",
    "failure_reason",
    "read_batch",
    "systemic",
]

CORRUPT = "__corrupt"
#: Arrival metadata every part carries (names with a double underscore: never a declared column).
META = ("__file", "__mtime", "__block", "__row", "__ingest_date")
_REASON_CHARS = 200


class SchemaChangeRefused(RuntimeError):
    """Raw files of a reprocessed day no longer fit the declared columns; the message says how to backfill."""


@dataclass
class Batch:
    """What :func:`read_batch` found: ``parts`` to check, the files of each part (same order), and
    ``bad_files`` (URI -> reason) rejected as a whole: unreadable, no rows read from them."""

    parts: list[DataFrame] = field(default_factory=list)
    part_files: list[list[str]] = field(default_factory=list)
    bad_files: dict[str, str] = field(default_factory=dict)
    #: Files read, but every row of which is rejected with this reason (not UTF-8).
    row_bad_files: dict[str, str] = field(default_factory=dict)


def configure_read(spark: SparkSession) -> None:
    """Read settings (per run, like :func:`conform.configure_session`).

    ``CORRECTED`` rebase modes read dates and timestamps before 1582 as the proleptic
    Gregorian values every other writer (pyarrow, pandas, Firehose, DuckDB, Trino) stores;
    Spark's default (``EXCEPTION``) refuses them, and ``LEGACY`` would shift them by days.
    Files written by Spark 2.x in the hybrid calendar carry ``org.apache.spark.legacyDateTime``
    in their footer, and Spark honours that metadata over these settings, so they still read right.
    """
    spark.conf.set("spark.sql.parquet.datetimeRebaseModeInRead", "CORRECTED")
    spark.conf.set("spark.sql.parquet.int96RebaseModeInRead", "CORRECTED")
    spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")  # converted in _nanos_text


def failure_reason(exc: BaseException) -> str:
    """``file rejected: cannot be read (<innermost Java cause>)`` for a Spark read failure."""
    cause = getattr(exc, "java_exception", None)
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    while cause is not None:
        text = str(cause.toString())
        cause = cause.getCause()
    return f"file rejected: cannot be read ({text[:_REASON_CHARS]})"


def _meta(df: DataFrame) -> list[Column]:
    return [
        F.col("_metadata.file_path").alias("__file"),
        F.col("_metadata.file_modification_time").alias("__mtime"),
        F.col("_metadata.file_block_start").alias("__block"),
        F.monotonically_increasing_id().alias("__row"),  # increases with position inside one file split
        F.regexp_extract(F.col("_metadata.file_path"), rf"/{INGEST_DATE}=(\d{{4}}-\d{{2}}-\d{{2}})/", 1).alias(
            "__ingest_date"
        ),
    ]


# -- Parquet ---------------------------------------------------------------------------------------------
def _nanos_columns(footer: str) -> tuple[set[str], set[str]]:
    """Top-level columns stored as ``TIMESTAMP(NANOS, ...)`` in a footer's schema text, and top-level
    columns with such a timestamp nested inside (``MessageType.toString`` indents two spaces a level)."""
    top: set[str] = set()
    nested: set[str] = set()
    current = ""
    for line in footer.splitlines():
        parts = line.strip().rstrip(";{").split()
        depth = (len(line) - len(line.lstrip(" "))) // 2
        if depth == 1 and len(parts) >= 3:
            current = parts[2].lower()
        if "TIMESTAMP(NANOS" in line:
            (top if depth == 1 else nested).add(current)
    return top, nested


def _nanos_text(col: Column) -> Column:
    """Epoch nanoseconds as ``YYYY-MM-DDTHH:MM:SS.fffffffff`` (UTC), six digits when the last three are 0."""
    whole = F.timestamp_seconds(F.floor(col / F.lit(10**9)))
    nanos = F.lpad(F.pmod(col, F.lit(10**9)).cast("string"), 9, "0")
    fraction = F.when(F.pmod(col, F.lit(1000)) == 0, F.substring(nanos, 1, 6)).otherwise(nanos)
    return F.when(col.isNotNull(), F.concat(F.date_format(whole, "yyyy-MM-dd'T'HH:mm:ss"), F.lit("."), fraction))


def _parquet(spark: SparkSession, targets: dict[str, DataType], files: list[RawFile], batch: Batch) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    failed: dict[str, BaseException] = {}
    for f in files:
        try:
            groups[footer_schema(spark, f.path)].append(f.path)
        except Exception as exc:  # noqa: BLE001 - any footer failure rejects this file only
            failed[f.path] = exc
    systemic(failed)
    for path, error in failed.items():
        batch.bad_files[path] = failure_reason(error).replace("cannot be read", "not a readable Parquet file")
    for footer, paths in sorted(groups.items(), key=lambda g: g[1][0]):
        nanos, nested = _nanos_columns(footer)
        if declared := sorted(nested & set(targets)):
            # Spark reads nested nanoseconds as a plain long, which a cast would take for seconds.
            reason = f"file rejected: {', '.join(declared)}: nanosecond timestamps inside a nested value"
            batch.bad_files.update(dict.fromkeys(paths, reason))
            continue
        try:
            df = spark.read.parquet(*paths)
        except Exception as exc:  # noqa: BLE001 - a footer Spark cannot map to its types
            systemic({paths[0]: exc})
            batch.bad_files.update(dict.fromkeys(paths, failure_reason(exc)))
            continue
        present = {f.name.lower(): f.name for f in df.schema.fields}
        cols = []
        for c in targets:
            if c not in present:
                cols.append(F.lit(None).cast("string").alias(c))  # a column the file predates
                continue
            ref = F.col(f"`{present[c]}`")
            cols.append((_nanos_text(ref) if c in nanos else ref).alias(c))
        batch.parts.append(df.select(*cols, *_meta(df)))
        batch.part_files.append(paths)


# -- CSV / JSON ------------------------------------------------------------------------------------------
def _probe_text(spark: SparkSession, paths: list[str], headers: bool) -> dict[str, tuple[bool, str | None]]:
    """Per file: (not valid UTF-8, first line when ``headers``). One pass; raises when a file cannot be read.

    The text source keeps each line's bytes; decoding and re-encoding them changes them
    exactly when they are not valid UTF-8 (the readers would put U+FFFD in their place)."""
    lines = spark.read.text(paths).select(
        F.col("_metadata.file_path").alias("f"),
        (F.col("value").cast("binary") != F.encode(F.col("value"), "UTF-8")).alias("bad"),
        *(
            [
                F.when(F.col("_metadata.file_block_start") == 0, F.col("value")).alias("line"),
                F.monotonically_increasing_id().alias("i"),
            ]
            if headers
            else []
        ),
    )
    first = F.min_by("line", F.when(F.col("line").isNotNull(), F.col("i"))) if headers else F.lit(None)
    rows = lines.groupBy("f").agg(F.max("bad").alias("bad"), first.alias("first")).collect()
    return {r["f"]: (bool(r["bad"]), r["first"]) for r in rows}


#: Java classes whose presence in a failure's cause chain means the store failed, not the file.
_STORAGE_FAILURES = re.compile(
    r"AccessDenied|SocketTimeout|ConnectException|UnknownHost|NoRouteToHost|com\.amazonaws\.|software\.amazon\."
    r"|\.s3a\.AWS|S3Exception|SdkClient|Throttl"
)


def systemic(failed: dict[str, BaseException]) -> None:
    """Re-raise a failure caused by the store (access denied, throttling, network), not by the file:
    rejecting the file, and remembering it as bad, would drop valid data. The run fails and is retried."""
    for exc in failed.values():
        cause, names = getattr(exc, "java_exception", None), []
        while cause is not None:
            names.append(str(cause.getClass().getName()) + " " + str(cause.getMessage() or ""))
            cause = cause.getCause()
        if any(_STORAGE_FAILURES.search(n) for n in names):
            raise exc


def _probe_each(spark: SparkSession, paths: list[str], batch: Batch) -> list[str]:
    """Read each file alone; reject those that fail; return the readable ones."""
    readable: list[str] = []
    failed: dict[str, BaseException] = {}
    for path in paths:
        try:
            spark.read.text(path).write.format("noop").mode("overwrite").save()
            readable.append(path)
        except Exception as exc:  # noqa: BLE001 - the failure is this file's, whatever it is
            failed[path] = exc
    systemic(failed)
    batch.bad_files.update({path: failure_reason(exc) for path, exc in failed.items()})
    return readable


def _header(line: str | None, delimiter: str) -> tuple[str, ...]:
    text = (line or "").lstrip("\ufeff").rstrip("\r")
    row = next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'), [])
    return tuple(h.strip().lower() for h in row)


def _text_part(
    spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], paths: list[str], order: list[str]
) -> DataFrame:
    keep_decimals = spec.format == "json"  # see conform_types.skeleton
    schema = StructType(
        [StructField(c, skeleton(targets[c], keep_decimals) if keep_decimals else StringType(), True) for c in order]
        + [StructField(CORRUPT, StringType(), True)]
    )
    reader = spark.read.schema(schema).option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
    if spec.format == "json":
        # Decimal *strings* are parsed with the reader's locale. Spark's default (en-US) drops commas, so
        # "1,50" would load as 150. de-CH has '.' as decimal point and U+2019 as grouping mark, so a comma
        # ends the number and the row is rejected. Number tokens are exact whatever the locale.
        df = reader.option("locale", "de-CH").json(paths)
    else:
        df = (
            reader.option("sep", spec.csv_delimiter)
            .option("header", str(spec.csv_header).lower())
            .option("enforceSchema", "true")  # columns are mapped by the header below, not by Spark
            .option("quote", '"')
            .option("escape", '"')
            .option("multiLine", "true")  # RFC 4180: a quoted field may contain line breaks
            .csv(paths)
        )
    cols = [F.col(c) if c in order else F.lit(None).cast("string").alias(c) for c in targets]
    return df.select(*cols, F.col(CORRUPT), *_meta(df))


def _text(spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], files: list[RawFile], batch: Batch):
    paths = []
    for f in files:
        if f.path.lower().endswith(".gz") and not f.path.endswith(".gz"):
            # Hadoop picks the codec by exact suffix: Spark would read the gzip bytes as text.
            batch.bad_files[f.path] = f"file rejected: compressed file suffix {f.path[-3:]!r} is not lower-case '.gz'"
        else:
            paths.append(f.path)
    if not paths:
        return
    headers = spec.format == "csv" and spec.csv_header
    first_lines = spec.format == "csv"  # headerless files: the first record's width
    try:
        probed = _probe_text(spark, paths, first_lines)
    except Exception:  # noqa: BLE001 - find the file(s) at fault, then read the rest
        paths = _probe_each(spark, paths, batch)
        if not paths:
            return
        probed = _probe_text(spark, paths, first_lines)
    for path, (invalid, _) in probed.items():
        if invalid:
            batch.row_bad_files[path] = "file rejected: not valid UTF-8 text"
    declared = list(targets)
    old = {f.path for f in files if f.old}
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in paths:
        line = probed.get(path, (False, None))[1]
        if headers:
            groups[_header(line, spec.csv_delimiter)].append(path)
        elif first_lines and path in old:
            groups[_positional(spec, declared, path, len(_header(line, spec.csv_delimiter)))].append(path)
        else:
            groups[()].append(path)
    for header, members in sorted(groups.items(), key=lambda g: g[1][0]):
        order = declared
        if header and header != tuple(declared) and any(h for h in header):
            gone = [h for h in header if h not in targets]
            if gone:
                raise SchemaChangeRefused(
                    f"flow '{spec.flow}': raw file {members[0]} has column(s) {', '.join(gone)} that the flow no "
                    f"longer declares; reprocessing ingest_date={_day(members[0])} would drop their values "
                    "(a breaking schema change). To backfill: declare the column(s) again, or rewrite the day's "
                    f"raw files with the header {spec.csv_delimiter.join(declared)} and land them again, then rerun."
                )
            order = list(header)
        batch.parts.append(_text_part(spark, spec, targets, members, order))
        batch.part_files.append(members)


def _positional(spec: FlowSpec, declared: list[str], path: str, width: int) -> tuple[str, ...]:
    """The columns an old headerless CSV file (one an earlier run read) holds, by position.

    Columns are only ever added at the end of a headerless flow (there is no name to map a
    reordered one by), so a file of ``width`` < declared fields holds the first ``width``
    columns and the rest are NULL, as a header-based file lacking a column; a wider file
    holds columns the flow no longer declares, which a reprocess would drop: refused."""
    if width > len(declared):
        raise SchemaChangeRefused(
            f"flow '{spec.flow}': headerless raw file {path} has {width} fields but the flow declares "
            f"{len(declared)} columns; reprocessing ingest_date={_day(path)} would drop its last "
            f"{width - len(declared)} field(s) (a breaking schema change). To backfill: declare the column(s) "
            "again at the end, or rewrite the day's raw files with the declared columns and land them again, "
            "then rerun."
        )
    return tuple(declared[:width]) if 0 < width < len(declared) else ()


def _day(path: str) -> str:
    marker = f"/{INGEST_DATE}="
    return path.split(marker, 1)[1][:10] if marker in path else "?"


def read_batch(spark: SparkSession, spec: FlowSpec, targets: dict[str, DataType], files: list[RawFile]) -> Batch:
    """The parts (see module docstring) of ``files``; unreadable files go to ``bad_files``."""
    batch = Batch()
    if spec.format == "parquet":
        _parquet(spark, targets, files, batch)
    else:
        _text(spark, spec, targets, files, batch)
    return batch
