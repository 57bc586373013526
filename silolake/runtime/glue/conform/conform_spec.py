"""The flow spec the framework hands the conform job (``--flow_spec``), parsed and checked.

Shape (JSON; README.md in this folder is the contract):

    {"flow": "orders", "format": "json" | "csv" | "parquet",
     "csv": {"delimiter": ",", "header": true},
     "columns": [{"name": "order_id", "type": "string"}, ...],
     "keys": ["order_id"], "partition_by": ["ingest_date"],
     "raw_path": "s3://<raw bucket>/orders/",
     "processed_path": "s3://<processed bucket>/orders/",
     "rejects_path": "s3://<processed bucket>/_rejects/orders/",
     "warehouse": false,   # optional: true when the flow loads into Redshift (byte limits checked)
     "silo": "sales",      # optional: the Silo dimension of the run's metrics (none published without it)
     "quality": [{"check": "not_null", "on_failure": "fail", "columns": ["order_id"]}, ...],  # optional
     "quality_path": "s3://<processed bucket>/_quality/flow=orders/"}  # required with quality rules

A quality rule carries ``check`` (``not_null``, ``unique``, ``range``, ``allowed_values``,
``pattern``, ``min_rows``), ``on_failure`` (``fail``/``warn``), ``columns`` and per check
``min``/``max`` (decimal text), ``values`` (canonical text of the column's type), ``regex`` with
``java_regex`` (the form Spark evaluates, made by the framework) or ``count``.

Types are the catalog's canonical Glue/Hive strings; they are parsed by Spark itself
(:func:`pyspark.sql.types._parse_datatype_string` accepts every type the catalog admits,
``char(n)``/``varchar(n)`` included), never by importing silolake.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: The partition the raw layout carries (``<flow>/ingest_date=YYYY-MM-DD/``).
INGEST_DATE = "ingest_date"
FORMATS = ("json", "csv", "parquet")
CHECKS = ("not_null", "unique", "range", "allowed_values", "pattern", "min_rows")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class SpecError(ValueError):
    """The flow spec is not the documented shape; the message says which field."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Glue/Hive type string, e.g. "decimal(12,2)"


@dataclass(frozen=True)
class QualityCheck:
    """One data-quality rule of the flow (shape in the module docstring); ``name`` as results show it."""

    check: str
    on_failure: str
    columns: tuple[str, ...] = ()
    minimum: str | None = None
    maximum: str | None = None
    values: tuple[str, ...] = ()
    regex: str | None = None
    java_regex: str | None = None
    count: int | None = None

    @property
    def name(self) -> str:
        return f"{self.check}({','.join(self.columns)})" if self.columns else self.check


@dataclass(frozen=True)
class FlowSpec:
    flow: str
    format: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    partition_by: tuple[str, ...]
    raw_path: str
    processed_path: str
    rejects_path: str
    csv_delimiter: str = ","
    csv_header: bool = True
    warehouse: bool = False
    silo: str = ""
    quality: tuple[QualityCheck, ...] = ()
    quality_path: str = ""

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """Columns stored in the Parquet files: declared columns not in ``partition_by`` (Glue table order)."""
        return tuple(c for c in self.columns if c.name not in self.partition_by)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def state_path(self) -> str:
        """Where the job keeps its watermark: a hidden (``_``) folder inside the processed location,
        which Spark, Hive, Athena and Glue skip when they read the table."""
        return f"{self.processed_path}_silolake/conform_state.json"


def _dir(value: Any, field: str) -> str:
    if not isinstance(value, str) or "://" not in value:
        raise SpecError(f"{field} must be a URI such as s3://bucket/prefix/, got {value!r}")
    return value if value.endswith("/") else value + "/"


def _names(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f"{field} must be a list of column names, got {value!r}")
    return tuple(value)


def _columns(raw: Any) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        raise SpecError("columns must be a non-empty list of {name, type}")
    columns = []
    for i, col in enumerate(raw):
        if not isinstance(col, dict) or not isinstance(col.get("name"), str) or not isinstance(col.get("type"), str):
            raise SpecError(f"columns[{i}] must be {{'name': str, 'type': str}}, got {col!r}")
        if not _NAME.match(col["name"]):
            raise SpecError(f"columns[{i}].name {col['name']!r} is not a Glue column name")
        columns.append(Column(col["name"], col["type"].strip()))
    if len({c.name for c in columns}) != len(columns):
        raise SpecError("column names must be unique")
    return tuple(columns)


def _csv(raw: Any) -> tuple[str, bool]:
    csv = raw or {}
    if not isinstance(csv, dict):
        raise SpecError("csv must be an object {delimiter, header}")
    delimiter, header = csv.get("delimiter", ","), csv.get("header", True)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise SpecError(f"csv.delimiter must be one character, got {delimiter!r}")
    if not isinstance(header, bool):
        raise SpecError(f"csv.header must be true or false, got {header!r}")
    return delimiter, header


_NEEDS = {"range": ("minimum", "maximum"), "allowed_values": ("values",), "pattern": ("java_regex",)}


def _quality(raw: Any, declared: set[str]) -> tuple[QualityCheck, ...]:
    if not isinstance(raw, list):
        raise SpecError(f"quality must be a list of rules, got {raw!r}")
    out = []
    for i, r in enumerate(raw):
        if not isinstance(r, dict) or r.get("check") not in CHECKS or r.get("on_failure") not in ("fail", "warn"):
            raise SpecError(f"quality[{i}] must name a check of {', '.join(CHECKS)} and on_failure fail|warn")
        columns = _names(r.get("columns", []), f"quality[{i}].columns")
        count = r.get("count")
        rule = QualityCheck(
            check=r["check"],
            on_failure=r["on_failure"],
            columns=columns,
            minimum=r.get("min"),
            maximum=r.get("max"),
            values=tuple(str(v) for v in r.get("values", [])),
            regex=r.get("regex"),
            java_regex=r.get("java_regex"),
            count=count,
        )
        unknown = [c for c in columns if c not in declared]
        wants_column = r["check"] != "min_rows"
        needs = _NEEDS.get(r["check"], ())
        if unknown or wants_column != bool(columns) or (needs and not any(getattr(rule, n) for n in needs)):
            raise SpecError(f"quality[{i}] ({rule.name}) lacks a field or names an undeclared column: {r!r}")
        if r["check"] == "min_rows" and (not isinstance(count, int) or count < 1):
            raise SpecError(f"quality[{i}].count must be a whole number of at least 1, got {count!r}")
        out.append(rule)
    return tuple(out)


def parse_spec(data: str | dict[str, Any]) -> FlowSpec:
    """Parse the ``--flow_spec`` JSON (or its dict); raise :class:`SpecError` on any deviation."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise SpecError(f"flow spec is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError("flow spec must be a JSON object")
    flow, fmt = data.get("flow"), data.get("format")
    if not isinstance(flow, str) or not re.match(r"^[a-z][a-z0-9_]*$", flow):
        raise SpecError(f"flow must be a flow name, got {flow!r}")
    if fmt not in FORMATS:
        raise SpecError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    columns = _columns(data.get("columns"))
    declared = {c.name for c in columns}
    keys = _names(data.get("keys", []), "keys")
    partition_by = _names(data.get("partition_by", [INGEST_DATE]), "partition_by")
    for name in keys:
        if name not in declared:
            raise SpecError(f"key {name!r} is not a declared column")
    for name in partition_by:
        if name not in declared and name != INGEST_DATE:
            raise SpecError(f"partition column {name!r} is neither declared nor {INGEST_DATE!r}")
    delimiter, header = _csv(data.get("csv"))
    warehouse = data.get("warehouse", False)
    if not isinstance(warehouse, bool):
        raise SpecError(f"warehouse must be true or false, got {warehouse!r}")
    quality = _quality(data.get("quality", []), declared)
    return FlowSpec(
        flow=flow,
        format=fmt,
        columns=columns,
        keys=keys,
        partition_by=partition_by,
        raw_path=_dir(data.get("raw_path"), "raw_path"),
        processed_path=_dir(data.get("processed_path"), "processed_path"),
        rejects_path=_dir(data.get("rejects_path"), "rejects_path"),
        csv_delimiter=delimiter,
        csv_header=header,
        warehouse=warehouse,
        silo=str(data.get("silo", "")),
        quality=quality,
        quality_path=_dir(data.get("quality_path"), "quality_path") if quality else "",
    )
