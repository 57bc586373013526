"""Rule: a flow renamed. Guarded: with ``renamed_from`` its addresses move (``moved``
blocks) and its AWS names stay; without it the rename reads as a removal (:mod:`.flow_removed`).

Renaming and changing ``schema_version`` in one edit is impossible: the moved blocks follow
the new version's addresses while the old version's tables are still at the former name's,
so they would be neither moved nor forgotten. Two edits do both safely; only the refusal is
reported then (the rename alone would be accepted, which the edit is not).
"""

from __future__ import annotations

from .base import Change, Locator, Pair
from .snapshot import version_of


def renamed_to(pair: Pair) -> str | None:
    """The flow of the new silo a removed flow was renamed to (same AWS name), if any."""
    if pair.old is None or pair.new is not None or pair.silo is None or pair.silo.new is None:
        return None
    flows = pair.silo.new["flows"]
    return next((n for n, f in flows.items() if f["storage"] == pair.old["storage"]), None)


def flow_renamed(pair: Pair, at: Locator) -> list[Change]:
    target = renamed_to(pair)
    if target is None or pair.old is None or pair.silo is None or pair.silo.new is None:
        return []
    subject = f"{pair.flow_subject} -> '{target}'"
    before, after = version_of(pair.old), version_of(pair.silo.new["flows"][target])
    if before == after:
        storage = pair.old["storage"]
        effect = f"addresses moved (moved blocks); AWS names, S3 prefix and API path stay '{storage}'"
        return [Change("flow renamed", subject, "guarded", effect)]
    silo = pair.silo.name
    return [
        Change(
            "flow renamed and schema version changed",
            subject,
            "impossible",
            "the old version's tables would be neither moved nor forgotten",
            f"flow '{target}' of silo '{silo}' is renamed from '{pair.name}' and changes schema_version from "
            f"{before} to {after} in one edit ({at.cited}); Terraform could neither move nor forget the old "
            f"version's tables. Rename first (keep schema_version: {before}), raise the version in a later edit",
            at.flow(silo, target, "schema_version"),
        )
    ]
