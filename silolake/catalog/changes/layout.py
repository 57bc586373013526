"""Rule: a flow's ``partition_by`` or ``keys`` changed, its ``schema_version`` kept
(impossible). The processed table's partitions and the records' identity (deduplication)
are the layout files already landed were written with; like a breaking column change
(:mod:`.columns`), the way out is a raised ``schema_version`` or a flow under a new name.
Located at the key changed (the key path names it even when it went back to its default and
has no line of its own: the flow's line then)."""

from __future__ import annotations

from .base import Change, Locator, Pair
from .columns import new_layout
from .snapshot import version_of


def layout_changed(pair: Pair, at: Locator) -> list[Change]:
    """Manifests or bases without the key (or not a list there) are not compared."""
    old, now = pair.old, pair.new
    if old is None or now is None or pair.silo is None or version_of(old) != version_of(now):
        return []
    out = []
    for key in ("partition_by", "keys"):
        before, after = old.get(key), now.get(key)
        if before is None or before == after:
            continue
        why = f"{key} changed from {_listed(before)} to {_listed(after)}"
        landed = _LANDED[key]
        out.append(
            Change(
                f"{key} changed (breaking)",
                pair.flow_subject,
                "impossible",
                f"{why}: {landed}",
                f"flow '{pair.name}' of silo '{pair.silo.name}': {why} ({at.cited}); {landed}. "
                f"Keep {key} as it was ({_listed(before)}), or start {new_layout(pair.name, old, now)}",
                at.flow(pair.silo.name, pair.name, key),
            )
        )
    return out


#: What the files already landed hold that a changed key would contradict.
_LANDED = {
    "partition_by": (
        "files already landed lie under the old partitions (their S3 prefixes and the Glue table's partition "
        "keys), so queries filtering on the new ones would miss or misread them"
    ),
    "keys": (
        "records already landed were deduplicated by the old keys, so the new keys would leave duplicates among "
        "them or merge records that differ"
    ),
}


def _listed(value: object) -> str:
    return f"[{', '.join(map(str, value))}]" if isinstance(value, list) else str(value)
