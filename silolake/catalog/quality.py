"""Data-quality rules of a flow (``silos[].flows[].quality``): the typed model and its validation.

The conform job evaluates the rules on each raw file, the file being the batch and the unit of
failure (docs/etl.md, *Quality rules*; ``silolake/runtime/glue/conform/conform_quality.py``).
The JSON Schema checks shapes; :func:`quality_findings` checks what it cannot (the rule's
fields, its column and the column's type, values of that type, the regex subset, duplicates),
each finding located at the offending key with its fix. :func:`rules` builds the model from
validated data; :meth:`QualityRule.spec` is the rule as the job's flow spec carries it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .quality_regex import RegexRefused, java_regex
from .types import GlueType, Primitive, parse_type

__all__ = ["QualityRule", "quality_findings", "rules"]

Check = Literal["not_null", "unique", "range", "allowed_values", "pattern", "min_rows"]
#: Per check: the fields it requires (a tuple: one of them) and the fields it accepts.
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "not_null": (("column",),),
    "unique": (("columns",),),
    "range": (("column",), ("min", "max")),
    "allowed_values": (("column",), ("values",)),
    "pattern": (("column",), ("regex",)),
    "min_rows": (("count",),),
}
_OPTIONAL = {"check", "on_failure"}
_INTEGERS = {"tinyint": 8, "smallint": 16, "int": 32, "bigint": 64}
_NUMERIC = {*_INTEGERS, "float", "double", "decimal"}
_TEXT = {"string", "char", "varchar"}
#: Types allowed_values compares exactly (float/double compare inexactly: use range).
_EXACT = _TEXT | set(_INTEGERS) | {"decimal", "boolean", "date"}
#: Largest number of significant digits a bound may have: Spark's decimal literals stop at 38.
MAX_DIGITS = 38


@dataclass(frozen=True)
class QualityRule:
    """One rule. ``columns``: the checked column (one; all of ``unique``; none for ``min_rows``);
    ``minimum``/``maximum``: inclusive bounds of ``range``; ``values``: ``allowed_values`` as
    canonical text of the column's type (``12.50``, ``true``, ``2024-05-01``); ``regex``: the
    catalog's pattern (Python form) and ``java_regex`` its Java form; ``count``: ``min_rows``'s fewest rows per file."""

    check: Check
    on_failure: Literal["fail", "warn"]
    columns: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    values: tuple[str, ...] = ()
    regex: str | None = None
    #: ``regex`` as Spark's Java engine must read it (:func:`.quality_regex.java_regex`), made from the
    #: catalog text here, before any escaping for Terraform, which then treats both fields alike.
    java_regex: str | None = None
    count: int | None = None

    @property
    def name(self) -> str:
        """The rule as results and reasons name it: ``not_null(id)``, ``unique(id,day)``, ``min_rows``."""
        return f"{self.check}({','.join(self.columns)})" if self.columns else self.check

    def spec(self) -> dict[str, Any]:
        """The rule in the conform job's flow spec (runtime ``conform_spec.QualitySpec`` reads it)."""
        out: dict[str, Any] = {"check": self.check, "on_failure": self.on_failure, "columns": list(self.columns)}
        if self.minimum is not None:
            out["min"] = str(self.minimum)
        if self.maximum is not None:
            out["max"] = str(self.maximum)
        if self.values:
            out["values"] = list(self.values)
        if self.regex is not None:
            out["regex"] = self.regex
            out["java_regex"] = self.java_regex
        if self.count is not None:
            out["count"] = self.count
        return out


def _decimal(value: Any) -> Decimal | None:
    """``value`` as an exact decimal (YAML floats by their shortest text), or None if not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return Decimal(str(value))


def _precision(d: Decimal) -> int:
    """Digits a decimal literal of ``d`` needs (Spark's ``DecimalType`` precision: 1e-40 needs 40)."""
    exponent = d.as_tuple().exponent
    digits = len(d.as_tuple().digits)
    if not isinstance(exponent, int):
        return MAX_DIGITS + 1
    return max(digits, -exponent) if exponent < 0 else digits + exponent


def _canonical(value: Any, kind: Primitive) -> str | None:
    """``value`` as canonical text of column type ``kind``, or None when it is not of that type."""
    name = kind.name
    if name in _TEXT:
        fits = isinstance(value, str) and (not kind.params or len(value) <= kind.params[0])
        return value if fits else None
    if name == "boolean":
        return str(value).lower() if isinstance(value, bool) else None
    if name in _INTEGERS:
        bits = _INTEGERS[name]
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)
        return str(value) if ok else None
    if name == "decimal":
        d = _decimal(value)
        if d is None:
            return None
        precision, scale = kind.params
        exponent = d.as_tuple().exponent
        digits = len(d.as_tuple().digits) + (exponent if isinstance(exponent, int) and exponent > 0 else 0)
        frac = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return format(d, "f") if frac <= scale and digits - frac <= precision - scale else None
    if name == "date":
        text = value.isoformat() if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value
        try:
            return dt.date.fromisoformat(text).isoformat() if isinstance(text, str) and len(text) == 10 else None
        except ValueError:
            return None
    return None


def _values_hint(kind: Primitive) -> str:
    if kind.name in _TEXT:
        return "quoted strings" + (f" of at most {kind.params[0]} characters" if kind.params else "")
    if kind.name in _INTEGERS:
        return f"whole numbers within the range of {kind.name}"
    if kind.name == "decimal":
        return f"numbers that fit {kind} without rounding"
    return {"boolean": "true or false", "date": "dates as 'YYYY-MM-DD'"}[kind.name]


class _RuleChecker:
    def __init__(self, path: tuple, flow: dict, declared: dict[str, GlueType | None]):
        self.path, self.flow, self.declared = path, flow, declared
        self.partitions = [p for p in flow.get("partition_by", ["ingest_date"]) if isinstance(p, str)]

    def column(self, path: tuple, name: Any) -> Iterator[tuple[tuple, str]]:
        if not isinstance(name, str):
            return
        if name not in self.declared:
            # Only a near spelling is offered as a typo (cutoff 0.8: one letter off in a short name):
            # a name close to nothing is more likely a column removed or renamed in this edit, and
            # validation does not read the base to tell, so the message says both.
            close = difflib.get_close_matches(name, list(self.declared), n=1, cutoff=0.8)
            declared = ", ".join(self.declared)
            message = (
                f"'{name}' is not a declared column (did you mean '{close[0]}'?)"
                if close
                else f"'{name}' is not among the flow's columns ({declared}): if it was removed or renamed, "
                "update or remove this rule"
            )
            if name == "ingest_date":
                message = (
                    f"'{name}' is not a declared column (ingest_date is the built-in arrival date, always present; "
                    "rules check record columns)"
                )
            yield path, message

    def rule(self, i: int, rule: dict) -> Iterator[tuple[tuple, str]]:
        check, at = rule.get("check"), (*self.path, "quality", i)
        if check not in _NEEDS:
            return  # the schema reports it
        needs = _NEEDS[check]
        allowed = {f for group in needs for f in group} | _OPTIONAL
        for key in rule:
            if key not in allowed:
                fields = ", ".join(sorted(allowed - _OPTIONAL))
                yield (*at, key), f"'{key}' does not apply to check {check} (it takes {fields}); remove it"
        for group in needs:
            if not any(f in rule for f in group):
                yield at, f"check {check} needs {' or '.join(group)}"
        names = [rule.get("column")] if "column" in rule else rule.get("columns") or []
        for j, name in enumerate(names):
            yield from self.column((*at, "column") if "column" in rule else (*at, "columns", j), name)
        kinds = [self.declared.get(n) if isinstance(n, str) else None for n in names]
        yield from getattr(self, f"check_{check}")(at, rule, names, kinds)

    def check_not_null(self, at: tuple, rule: dict, names: list, kinds: list) -> Iterator[tuple[tuple, str]]:
        return iter(())

    def check_min_rows(self, at: tuple, rule: dict, names: list, kinds: list) -> Iterator[tuple[tuple, str]]:
        return iter(())

    def check_unique(self, at: tuple, rule: dict, names: list, kinds: list) -> Iterator[tuple[tuple, str]]:
        for j, (name, kind) in enumerate(zip(names, kinds, strict=True)):
            if name in self.partitions and name in self.declared:
                yield (
                    (*at, "columns", j),
                    f"'{name}' is a partition column (partition_by): a file's rows share few of its values, "
                    "so uniqueness over it means nothing; list the columns that identify a record",
                )
            elif kind is not None and not isinstance(kind, Primitive):
                yield (*at, "columns", j), f"'{name}' has the complex type {kind}; unique takes primitive columns"

    def check_range(self, at: tuple, rule: dict, names: list, kinds: list) -> Iterator[tuple[tuple, str]]:
        kind = kinds[0] if kinds else None
        if kind is not None and not (isinstance(kind, Primitive) and kind.name in _NUMERIC):
            yield (
                (*at, "column"),
                f"range needs a numeric column, but '{names[0]}' is {kind}; use allowed_values or pattern",
            )
        bounds = {}
        for side in ("min", "max"):
            if side in rule:
                d = _decimal(rule[side])
                if d is None or _precision(d) > MAX_DIGITS:
                    yield (
                        (*at, side),
                        f"{side} must be a finite number of at most {MAX_DIGITS} digits, got {rule[side]!r}",
                    )
                else:
                    bounds[side] = d
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            yield (*at, "min"), f"min {rule['min']} is greater than max {rule['max']}; swap them"

    def check_allowed_values(self, at: tuple, rule: dict, names: list, kinds: list) -> Iterator[tuple[tuple, str]]:
        kind = kinds[0] if kinds else None
        if kind is None:
            return
        if not isinstance(kind, Primitive) or kind.name not in _TEXT | _INTEGERS.keys() | {
            "decimal",
            "boolean",
            "date",
        }:
            fix = "; use range" if str(kind) in ("float", "double") else ""
            yield (
                (*at, "column"),
                f"allowed_values cannot check '{names[0]}' of type {kind} (exact comparison needs a string, "
                f"integer, decimal, boolean or date column){fix}",
            )
            return
        seen: dict[str, int] = {}
        for j, value in enumerate(rule.get("values") or []):
            text = _canonical(value, kind)
            if text is None:
                shown = str(value).lower() if isinstance(value, bool) else repr(value)
                yield (*at, "values", j), f"{shown} is not a {kind} value; write {_values_hint(kind)}"
            elif text in seen:
                yield (*at, "values", j), f"{value!r} repeats values[{seen[text]}]; remove it"
            else:
                seen[text] = j

    def check_pattern(self, at: tuple, rule: dict, names: list, kinds: list) -> Iterator[tuple[tuple, str]]:
        kind = kinds[0] if kinds else None
        if kind is not None and not (isinstance(kind, Primitive) and kind.name in _TEXT):
            yield (
                (*at, "column"),
                f"pattern needs a string column, but '{names[0]}' is {kind}; use range or allowed_values",
            )
        if isinstance(rule.get("regex"), str):
            try:
                java_regex(rule["regex"])
            except RegexRefused as exc:
                yield (*at, "regex"), str(exc)


def _identity(rule: dict) -> tuple | None:
    names = [rule.get("column")] if "column" in rule else rule.get("columns") or []
    if not all(isinstance(n, str) for n in names):
        return None
    return (rule.get("check"), tuple(sorted(names)), rule.get("on_failure"))


def quality_findings(path: tuple, flow: dict, declared: dict[str, Any]) -> Iterator[tuple[tuple, str]]:
    """(key path, message) of every problem of ``flow``'s ``quality`` rules; ``declared`` maps the
    flow's column names to their parsed types (None when the type itself is invalid)."""
    raw = flow.get("quality")
    if not isinstance(raw, list):
        return
    if raw and flow.get("job", "default") != "default":
        yield (*path, "quality"), "quality rules run in the default conform job; a custom job must check its own data"
    checker = _RuleChecker(path, flow, declared)
    seen: dict[tuple, int] = {}
    for i, rule in enumerate(raw):
        if not isinstance(rule, dict):
            continue
        yield from checker.rule(i, rule)
        ident = _identity(rule)
        if ident is None:
            continue
        if ident in seen:
            yield (
                (*path, "quality", i),
                f"duplicate rule: quality[{seen[ident]}] already checks {ident[0]} of the same column(s) with "
                f"on_failure {ident[2]}; keep one rule per check, column(s) and on_failure",
            )
        else:
            seen[ident] = i


def rules(raw: list[dict[str, Any]], column_types: dict[str, str]) -> tuple[QualityRule, ...]:
    """The model of validated ``quality`` entries; ``column_types`` maps columns to canonical Glue types."""
    out = []
    for r in raw:
        columns = (r["column"],) if "column" in r else tuple(r.get("columns", ()))
        kind = parse_type(column_types[columns[0]]) if r["check"] == "allowed_values" else None
        values = tuple(_canonical(v, kind) or "" for v in r.get("values", ())) if isinstance(kind, Primitive) else ()
        out.append(
            QualityRule(
                check=r["check"],
                on_failure=r["on_failure"],
                columns=columns,
                minimum=_decimal(r["min"]) if "min" in r else None,
                maximum=_decimal(r["max"]) if "max" in r else None,
                values=values,
                regex=r.get("regex"),
                java_regex=java_regex(r["regex"]) if "regex" in r else None,
                count=r.get("count"),
            )
        )
    return tuple(out)
