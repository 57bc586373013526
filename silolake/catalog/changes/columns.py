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

A refusal is located at the item of the first column that changed (its type, or its place),
or at ``columns`` when a column was removed (it has no item left), and says what the change
does: a removal makes the landed values unqueryable, a retyping or reordering misreads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Breaking:
    """One breaking column change: ``what`` changed, ``at`` the position of the column in the new
    ``columns`` (None: a column removed, located at ``columns``), ``removed`` for a removal."""

    what: str
    at: int | None
    removed: bool = False


def columns_changed(pair: Pair, at: Locator) -> list[Change]:
    """Manifests without column facts are not compared; a version change decides alone."""
    old, now = pair.old, pair.new
    if old is None or now is None or pair.silo is None or "columns" not in old or old["columns"] == now["columns"]:
        return []
    if version_of(old) != version_of(now):
        return []
    before, after = [tuple(c) for c in old["columns"]], [tuple(c) for c in now["columns"]]
    problems = _breaking(before, after)
    position = {c[0]: i for i, c in enumerate(after)}
    types = dict(after)
    retyped = [(n, t, types[n]) for n, t in before if n in types and t != types[n]]
    if not problems and now.get("warehouse") and retyped:
        listed = ", ".join(f"{n} {t} -> {new}" for n, t, new in retyped)
        problems.append(_Breaking(f"type changed on a warehouse flow: {listed}", position[retyped[0][0]]))
    if not problems:
        effect = "Glue tables updated in place; old files read with the new types, added columns are null in them"
        if now.get("warehouse"):
            added = ", ".join(c[0] for c in after[len(before) :])
            effect += (
                f"; the next load adds {added} to the Redshift table (ALTER TABLE ADD COLUMN), rows loaded before "
                "hold NULL"
            )
        return [Change("columns changed (compatible)", pair.flow_subject, "safe", effect)]
    why = "; ".join(p.what for p in problems)
    where = "; ".join(dict.fromkeys(_consequence(p, now, retyped) for p in problems))
    first = problems[0]
    return [
        Change(
            "columns changed (breaking)",
            pair.flow_subject,
            "impossible",
            f"{why}: {where}",
            f"flow '{pair.name}' of silo '{pair.silo.name}': {why} ({at.cited}); {where}. "
            f"{way_out(pair.name, old, now)}",
            at.flow(pair.silo.name, pair.name, "columns", *(() if first.at is None else (first.at,))),
        )
    ]


def _consequence(problem: _Breaking, flow: dict, retyped: list[tuple[str, str, str]]) -> str:
    """Why ``problem`` cannot be applied in place to ``flow`` (a new snapshot's)."""
    if problem.removed:
        said = "the values files already landed hold in it would no longer be queryable (a renamed column reads empty)"
        if flow.get("warehouse"):
            said += "; the Redshift table keeps the column, and loads would no longer fill it"
        return said
    if not flow.get("warehouse"):
        return landed(flow)
    if retyped and all(_lengthened(t, new) for _, t, new in retyped):
        # Redshift's ALTER COLUMN ... TYPE lengthens a VARCHAR only outside a transaction block
        # (ALTER TABLE, Amazon Redshift Database Developer Guide); the load runs in one.
        return (
            "Redshift lengthens a VARCHAR column only outside a transaction block (ALTER TABLE ... ALTER COLUMN "
            "... TYPE), and every load runs in one, so longer values would not fit the table's column"
        )
    return landed(flow)


def _lengthened(old: str, new: str) -> bool:
    a, b = _SIZED.match(old.strip().lower()), _SIZED.match(new.strip().lower())
    return bool(a and b and a.group(1) == b.group(1) == "varchar" and int(b.group(2)) > int(a.group(2)))


def landed(flow: dict) -> str:
    """Why a retyped or reordered column of ``flow`` (a new snapshot's) cannot be applied in place."""
    if flow.get("warehouse"):
        return (
            "its Redshift table keeps the old layout (Redshift only appends columns, and changes no column's type "
            "in place but a VARCHAR's length), so loads would fail or read wrong values"
        )
    return "files already landed keep the old layout, so queries over them would fail or read wrong values"


def raise_version(name: str, old: dict) -> str:
    """The way out every breaking change shares: a raised ``schema_version`` or a new flow."""
    return (
        f"set schema_version: {version_of(old) + 1} on the flow in this edit (the old version's data stays "
        f"queryable; backfill: docs/etl.md), or add a flow under a new name and list '{name}' under removed_flows "
        "(its data stays queryable)"
    )


def new_layout(name: str, old: dict, now: dict) -> str:
    """``the new layout in new tables ...: <raise_version>`` (what to start), naming the new
    Redshift table of a warehouse flow."""
    table = f" and a new Redshift table {now.get('storage') or name}_v{version_of(old) + 1}"
    where = f"new tables, prefixes{table}" if now.get("warehouse") else "new tables and prefixes"
    return f"the new layout in {where}: {raise_version(name, old)}"


def way_out(name: str, old: dict, now: dict) -> str:
    """What to do instead of a breaking column change of flow ``name`` from ``old`` to ``now``."""
    if now.get("warehouse"):
        # Widening is no way out here: the load cannot retype a column (see the module docstring).
        return (
            f"Start {new_layout(name, old, now)}. Or keep the columns as they were: a warehouse flow only takes "
            "nullable columns appended at the end (no type change, not even a widening)"
        )
    return f"Keep the columns (append nullable ones at the end, widen types), or start {new_layout(name, old, now)}"


def _breaking(before: list[tuple], after: list[tuple]) -> list[_Breaking]:
    problems = []
    names_after = [c[0] for c in after]
    gone = [c[0] for c in before if c[0] not in names_after]
    if gone:
        problems.append(
            _Breaking(f"column{'s' if len(gone) > 1 else ''} {', '.join(gone)} removed or renamed", None, True)
        )
    kept = [c for c in before if c[0] in names_after]
    moved = [i for i, (a, b) in enumerate(zip(after, kept, strict=False)) if a[0] != b[0]]
    if moved and not gone:
        problems.append(_Breaking("columns reordered (or added before existing ones)", moved[0]))
    types_after = dict((c[0], c[1]) for c in after)
    narrowed = [n for n, t in kept if not widened(t, types_after[n])]
    if narrowed:
        listed = ", ".join(f"{n} {t} -> {types_after[n]}" for n, t in kept if n in narrowed)
        problems.append(_Breaking(f"type changed incompatibly: {listed}", names_after.index(narrowed[0])))
    return problems
