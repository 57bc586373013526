"""Rule: a flow's columns changed (schema evolution), its ``schema_version`` kept.

Files already landed keep the layout they were written with, and Athena, Glue and Redshift
read them through today's table. So a change is *compatible* (safe) only when every old
file still reads right under the new table: columns appended at the end (null in old data)
and types widened the way Athena and Redshift read across old Parquet and CSV files (``int``
to ``bigint``, ``float`` to ``double``, more ``decimal`` precision at the same scale, longer
``varchar``). Anything else (remove, rename, narrow, reorder) is *breaking* (impossible)
and refused with the way out: raise the flow's ``schema_version`` in the same edit
(:mod:`.schema_version`, which then decides alone), or a flow under a new name, the old one
listed in ``removed_flows``. ``partition_by`` and ``keys`` are :mod:`.layout`'s.

A ``warehouse`` flow follows appended columns: before every load the transaction adds the
catalog columns its Redshift table lacks (``ALTER TABLE ... ADD COLUMN``, once, see
``silolake.constructs.etl.warehouse_sql.evolve_statements``) and inserts with a column
list, so rows loaded before hold NULL in the new column. A type change stays breaking for
it, widening included: Redshift cannot change a column's type in place (only a VARCHAR's
length, and not inside the load's transaction), so a widened value would not fit the
table's column. Its way out is the raise, which loads into a new Redshift table.
"""

from __future__ import annotations

import re

from .base import Change, Locator, Pair
from .snapshot import version_of

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


def columns_changed(pair: Pair, at: Locator) -> list[Change]:
    """Manifests without column facts are not compared; a version change decides alone."""
    old, now = pair.old, pair.new
    if old is None or now is None or pair.silo is None or "columns" not in old or old["columns"] == now["columns"]:
        return []
    if version_of(old) != version_of(now):
        return []
    before, after = [tuple(c) for c in old["columns"]], [tuple(c) for c in now["columns"]]
    problems = _breaking(before, after)
    types = dict(after)
    retyped = [f"{n} {t} -> {types[n]}" for n, t in before if n in types and t != types[n]]
    if not problems and now.get("warehouse") and retyped:
        problems.append(f"type changed on a warehouse flow: {', '.join(retyped)}")
    if not problems:
        effect = "Glue tables updated in place; old files read with the new types, added columns are null in them"
        if now.get("warehouse"):
            added = ", ".join(c[0] for c in after[len(before) :])
            effect += (
                f"; the next load adds {added} to the Redshift table (ALTER TABLE ADD COLUMN), rows loaded before "
                "hold NULL"
            )
        return [Change("columns changed (compatible)", pair.flow_subject, "safe", effect)]
    why, where = "; ".join(problems), landed(now)
    return [
        Change(
            "columns changed (breaking)",
            pair.flow_subject,
            "impossible",
            f"{why}: {where}",
            f"flow '{pair.name}' of silo '{pair.silo.name}': {why} ({at.cited}); {where}. "
            f"{way_out(pair.name, old, now)}",
            at.flow(pair.silo.name, pair.name, "columns"),
        )
    ]


def landed(flow: dict) -> str:
    """Why a breaking change of ``flow`` (a new snapshot's) cannot be applied in place."""
    if flow.get("warehouse"):
        return (
            "its Redshift table keeps the old layout (Redshift only appends columns; it cannot change a type "
            "in place), so loads would fail or read wrong values"
        )
    return "files already landed keep the old layout, so queries over them would fail or read wrong values"


def way_out(name: str, old: dict, now: dict) -> str:
    """What to do instead of a breaking change of flow ``name`` from ``old`` to ``now``."""
    version = version_of(old) + 1
    raise_it = (
        f"set schema_version: {version} on the flow in this edit (the old version's data stays queryable; "
        f"backfill: docs/etl.md), or add a flow under a new name and list '{name}' under removed_flows "
        "(its data stays queryable)"
    )
    if now.get("warehouse"):
        # Widening is no way out here: Redshift cannot retype a column (see the module docstring).
        table = f"{now.get('storage') or name}_v{version}"
        return (
            f"Start the new layout in new tables, prefixes and a new Redshift table {table}: {raise_it}. Or keep "
            "the columns as they were: a warehouse flow only takes nullable columns appended at the end (no type "
            "change, not even a widening)"
        )
    return (
        "Keep the columns (append nullable ones at the end, widen types), or start the new layout in new tables "
        f"and prefixes: {raise_it}"
    )


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
