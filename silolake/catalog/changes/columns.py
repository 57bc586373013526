"""Rule: a flow's columns, partitions and keys (schema evolution).

Files already landed keep the layout they were written with, and Athena, Glue and Redshift
read them through today's table. So a change is *compatible* only when every old file
still reads right under the new table: columns appended at the end (null in old data) and
types widened the way Athena and Redshift read across old Parquet and CSV files (``int`` to
``bigint``, ``float`` to ``double``, more ``decimal`` precision at the same scale, longer
``varchar``). Anything else (remove, rename, narrow, reorder, change partitions or keys) is
*breaking* and refused with the way out, unless the same edit raises the flow's
``schema_version``: version N > 1 holds its data under new names (``<name>_vN`` tables,
prefixes and Redshift table, :attr:`silolake.catalog.flow.Flow.data_name`), the previous
version's Glue tables are forgotten (``removed { destroy = false }``,
:mod:`silolake.stacks.continuity`) and its files stay where they are, so no old file is ever
read through the new layout. A raise is accepted with or without a column change (a fresh
start); lowering it is refused (the lower version's tables were forgotten, its names would
collide with them). The other way out stays: a flow under a new name, the old one listed in
``removed_flows``.

A ``warehouse`` flow follows appended columns: before every load the transaction adds the
catalog columns its Redshift table lacks (``ALTER TABLE ... ADD COLUMN``, once, see
``silolake.constructs.etl.warehouse_sql.evolve_statements``) and inserts with a column
list, so rows loaded before hold NULL in the new column. A type change stays breaking for
it: Redshift cannot change a column's type in place (only a VARCHAR's length, and not inside
the load's transaction), so a widened value would not fit the table's column.
"""

from __future__ import annotations

import re

from .base import Change

#: (old, new) type pairs Athena and Redshift read across old files (widening).
_WIDER = {
    ("tinyint", "smallint"),
    ("tinyint", "int"),
    ("tinyint", "bigint"),
    ("smallint", "int"),
    ("smallint", "bigint"),
    ("int", "bigint"),
    ("float", "double"),
}
_SIZED = re.compile(r"^(decimal|varchar|char)\((\d+)(?:,\s*(\d+))?\)$")


def widened(old: str, new: str) -> bool:
    """Whether a column of type ``old`` may become ``new`` with old data still read right."""
    old, new = old.strip().lower(), new.strip().lower()
    if old == new or (old, new) in _WIDER:
        return True
    a, b = _SIZED.match(old), _SIZED.match(new)
    if a and new == "string" and a.group(1) in ("varchar", "char"):
        return True
    if not (a and b) or a.group(1) != b.group(1):
        return False
    if a.group(1) == "decimal":
        return a.group(3) == b.group(3) and int(b.group(2)) >= int(a.group(2))
    return int(b.group(2)) >= int(a.group(2))


def column_changes(silo: str, i: int, j: int, name: str, old: dict, now: dict, base_name: str) -> list[Change]:
    """The column change of flow ``name`` (``silos[i].flows[j]``), if any; bases without
    column facts are not compared. A ``schema_version`` change decides alone (:func:`_version_change`)."""
    subject = f"silo '{silo}' flow '{name}'"
    version = _version_change(silo, i, j, name, old, now, base_name)
    if version is not None:
        return [version]
    if "columns" not in old or old["columns"] == now["columns"] and _same_layout(old, now):
        return []
    before, after = [tuple(c) for c in old["columns"]], [tuple(c) for c in now["columns"]]
    problems = _breaking(before, after)
    if not _same_layout(old, now):
        problems.append("partition_by or keys changed")
    added = [c[0] for c in after[len(before) :]]
    retyped = [f"{n} {t} -> {dict(after)[n]}" for n, t in before if n in dict(after) and t != dict(after)[n]]
    if not problems and now.get("warehouse") and retyped:
        problems.append(f"type changed on a warehouse flow: {', '.join(retyped)}")
    if not problems:
        effect = "Glue tables updated in place; old files read with the new types, added columns are null in them"
        if now.get("warehouse"):
            effect += (
                f"; the next load adds {', '.join(added)} to the Redshift table (ALTER TABLE ADD COLUMN), "
                "rows loaded before hold NULL"
            )
        return [Change("columns changed (compatible)", subject, "safe", effect)]
    why = "; ".join(problems)
    where = (
        "its Redshift table keeps the old layout (Redshift only appends columns; it cannot change a type "
        "in place), so loads would fail or read wrong values"
        if now.get("warehouse")
        else ("files already landed keep the old layout, so queries over them would fail or read wrong values")
    )
    return [
        Change(
            "columns changed (breaking)",
            subject,
            "impossible",
            f"{why}: {where}",
            f"flow '{name}' of silo '{silo}': {why} (base {base_name}); {where}. Keep the columns (append nullable "
            "ones at the end, widen types), or start the new layout in new tables and prefixes: set "
            f"schema_version: {version_of(old) + 1} on the flow in this edit (the old version's data stays "
            "queryable; backfill: docs/etl.md), or add a flow under a new name and list "
            f"'{name}' under removed_flows (its data stays queryable)",
            ("silos", i, "flows", j, "columns"),
        )
    ]


def version_of(flow: dict) -> int:
    """A snapshot flow's ``schema_version`` (1 in bases from before the key, or unreadable)."""
    v = flow.get("schema_version", 1)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else 1


def _version_change(silo: str, i: int, j: int, name: str, old: dict, now: dict, base_name: str) -> Change | None:
    """The change of ``schema_version``, or None when it stays: a raise is accepted whatever
    the columns do (the new version reads only the files landed under its own prefix), a
    decrease is refused."""
    before, after = version_of(old), version_of(now)
    if after == before:
        return None
    subject = f"silo '{silo}' flow '{name}'"
    storage = now.get("storage") or name
    if after < before:
        return Change(
            "schema version lowered",
            subject,
            "impossible",
            f"would point the flow back at version {after}'s names, whose tables Terraform forgot",
            f"flow '{name}' of silo '{silo}' lowers schema_version from {before} to {after} (base {base_name}); "
            f"version {after}'s Glue tables were forgotten (they stay in AWS) and recreating them would collide. "
            f"Keep schema_version: {before}, or raise it to {before + 1} for another layout",
            ("silos", i, "flows", j, "schema_version"),
        )
    new_name = f"{storage}_v{after}"
    warehouse = (
        f"; the next load creates the Redshift table {new_name}, the old one stays" if now.get("warehouse") else ""
    )
    return Change(
        "schema version raised",
        subject,
        "guarded",
        f"version {after} starts new Glue tables {new_name}_raw/{new_name}_processed and S3 prefixes {new_name}/ "
        f"(raw, processed, rejects){warehouse}; version {before}'s tables are forgotten (removed, destroy = false) "
        "and its files stay: backfill them as docs/etl.md says",
    )


def _same_layout(old: dict, now: dict) -> bool:
    return all(old.get(k) is None or old.get(k) == now.get(k) for k in ("partition_by", "keys"))


def _breaking(before: list[tuple], after: list[tuple]) -> list[str]:
    problems = []
    names_after = [c[0] for c in after]
    gone = [c[0] for c in before if c[0] not in names_after]
    if gone:
        problems.append(f"column{'s' if len(gone) > 1 else ''} {', '.join(gone)} removed or renamed")
    kept = [c for c in before if c[0] in names_after]
    if [c[0] for c in after[: len(kept)]] != [c[0] for c in kept] and not gone:
        problems.append("columns reordered (or added before existing ones)")
    types_after = dict((c[0], c[1]) for c in after)
    narrowed = [f"{n} {t} -> {types_after[n]}" for n, t in kept if not widened(t, types_after[n])]
    if narrowed:
        problems.append(f"type changed incompatibly: {', '.join(narrowed)}")
    return problems
