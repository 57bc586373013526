"""The per-row verdict of the conform job: cast values and the reason a row is rejected.

:func:`check` works on one part of a batch (:mod:`conform_read`), whose columns have the
part's own physical types; :func:`slim` reduces it to a shape that is the same for every
part (values in the declared storage types, the verdict, arrival, raw text of rejected
rows), so parts of different writers union only after the cast.

Reasons (joined with ``; `` when a row fails several ways):

- ``<col>: '<value>' is not a valid <type>`` -- present but does not cast (anywhere inside
  a nested value), too long for ``char``/``varchar``, rounds or overflows (typed sources),
  a map whose keys are not unique;
- ``<col>: missing key`` / ``<col>: missing partition value``;
- ``malformed JSON record`` / ``malformed CSV record (not <n> fields)``;
- warehouse flows only: ``<col>: <n> bytes exceed Redshift's VARCHAR limit of 65535 bytes``
  (`VARCHAR <https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html>`_: a
  ``VARCHAR`` holds at most 65,535 bytes) and ``... VARBYTE limit of 64000 bytes``
  (`VARBYTE <https://docs.aws.amazon.com/redshift/latest/dg/r_VARBYTE_type.html>`_: the
  default size, which the warehouse table's ``VARBYTE`` column has). Redshift ``COPY`` from
  Parquet has neither ``TRUNCATECOLUMNS`` nor ``MAXERROR``
  (`COPY from columnar formats <https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html>`_),
  so one such value would fail the whole partition's load; rejecting the row here keeps the
  load whole. ``char(n)``/``varchar(n)`` become ``VARCHAR(4n)`` (capped at 65535), which
  ``n`` characters of UTF-8 always fit, so the same 65535-byte bound covers them.
"""

from __future__ import annotations

from conform_read import CORRUPT, META
from conform_spec import FlowSpec
from conform_types import cast_sql, raw_text_sql, storage_type
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, DataType, StringType

__all__ = ["REASON", "REDSHIFT_VARBYTE_MAX", "REDSHIFT_VARCHAR_MAX", "check", "slim"]

REASON = "__reason"
REDSHIFT_VARCHAR_MAX = 65535
REDSHIFT_VARBYTE_MAX = 64000
_REASON_VALUE_CHARS = 60


def _sql_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _byte_limits(name: str, target: DataType) -> str | None:
    """The reason SQL for a value over Redshift's byte limit (warehouse flows), or None."""
    stored = storage_type(target)
    if isinstance(stored, StringType):
        kind, limit, size = "VARCHAR", REDSHIFT_VARCHAR_MAX, f"octet_length(`__v_{name}`)"
    elif isinstance(stored, BinaryType):
        kind, limit, size = "VARBYTE", REDSHIFT_VARBYTE_MAX, f"length(`__v_{name}`)"
    else:
        return None
    tail = _sql_str(f" bytes exceed Redshift's {kind} limit of {limit} bytes")
    return f"CASE WHEN {size} > {limit} THEN concat({_sql_str(name + ': ')}, CAST({size} AS string), {tail}) END"


def check(raw: DataFrame, spec: FlowSpec, targets: dict[str, DataType], bad_files: dict[str, str]) -> DataFrame:
    """``raw`` plus ``__v_<col>`` (the cast value) and ``__reason`` (NULL for a good row).

    Every row of a file in ``bad_files`` (path -> reason) is rejected with that reason alone.
    Raises ``AnalysisException`` when a column's physical type cannot be cast at all.
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
    if spec.warehouse:
        reasons.extend(r for r in (_byte_limits(n, t) for n, t in targets.items()) if r)
    if has_corrupt:
        what = "malformed JSON record" if spec.format == "json" else f"malformed CSV record (not {len(targets)} fields)"
        # JSON: a record whose failing columns were named above needs no second reason.
        named = " OR ".join(f"`__b_{n}`" for n in targets) if spec.format == "json" else "false"
        reasons.append(f"CASE WHEN {CORRUPT} IS NOT NULL AND NOT ({named}) THEN {_sql_str(what)} END")
    reason = F.expr(f"nullif(concat_ws('; ', {', '.join(reasons)}), '')")
    if bad_files:
        file_reason = F.element_at(
            F.create_map(*[F.lit(x) for item in sorted(bad_files.items()) for x in item]), F.col("__file")
        )
        reason = F.when(F.col("__file").isin(list(bad_files)), file_reason).otherwise(reason)
    return checked.select("*", reason.alias(REASON))


def slim(checked: DataFrame, targets: dict[str, DataType]) -> DataFrame:
    """What the outputs need, and no more (it is cached): values, verdict, arrival, and the raw text of
    rejected rows only -- NULL for good rows, which the columnar cache stores almost for free.
    The shape is the same whatever the part's physical types (every raw text is a string)."""
    src = {f.name: f.dataType for f in checked.schema.fields}
    rejected = F.col(REASON).isNotNull()
    record = F.struct(*[F.expr(raw_text_sql(f"`{n}`", src[n])).cast("string").alias(n) for n in targets])
    corrupt = F.col(CORRUPT) if CORRUPT in src else F.lit(None).cast("string")
    return checked.select(
        *[f"__v_{n}" for n in targets],
        REASON,
        *META,
        F.when(rejected, record).alias("__record"),
        F.when(rejected, corrupt).alias("__malformed"),
    )
