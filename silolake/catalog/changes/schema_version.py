"""Rule: a flow's ``schema_version`` changed. A raise is guarded and accepted whatever the
columns do (the raise is the decision): version N > 1 holds its data under new names
(``<name>_vN`` tables, prefixes and Redshift table,
:attr:`silolake.catalog.flow.Flow.data_name`), the previous version's Glue tables are
forgotten (``removed { destroy = false }``, :mod:`silolake.stacks.continuity`) and its
files stay, so no old file is read through the new layout. Lowering it is impossible: the
lower version's tables were forgotten and still exist, its names would collide with them.
A renamed flow's version change is :mod:`.flow_renamed`'s."""

from __future__ import annotations

from .base import Change, Locator, Pair
from .snapshot import version_of


def schema_version_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or pair.silo is None:
        return []
    before, after = version_of(pair.old), version_of(pair.new)
    if after == before:
        return []
    name, silo = pair.name, pair.silo.name
    if after < before:
        return [
            Change(
                "schema version lowered",
                pair.flow_subject,
                "impossible",
                f"would point the flow back at version {after}'s names, whose tables Terraform forgot",
                f"flow '{name}' of silo '{silo}' lowers schema_version from {before} to {after} ({at.cited}); "
                f"version {after}'s Glue tables were forgotten (they stay in AWS) and recreating them would "
                f"collide. Keep schema_version: {before}, or raise it to {before + 1} for another layout",
                at.flow(silo, name, "schema_version"),
            )
        ]
    new_name = f"{pair.new.get('storage') or name}_v{after}"
    warehouse = f"; the next load creates the Redshift table {new_name}, the old one stays"
    return [
        Change(
            "schema version raised",
            pair.flow_subject,
            "guarded",
            f"version {after} starts new Glue tables {new_name}_raw/{new_name}_processed and S3 prefixes {new_name}/ "
            f"(raw, processed, rejects){warehouse if pair.new.get('warehouse') else ''}; version {before}'s tables "
            "are forgotten (removed, destroy = false) and its files stay: backfill them as docs/etl.md says",
        )
    ]
