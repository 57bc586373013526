"""Rule: the data lake account or region changed (impossible): the artifacts bucket and the
datalake stack's state live there."""

from __future__ import annotations

from .base import Change, Locator, Pair


def datalake_account_changed(pair: Pair, at: Locator) -> list[Change]:
    """``pair``: the whole snapshots; one change per key (``account_id``, ``region``)."""
    if pair.old is None or pair.new is None:
        return []
    out = []
    for key in ("account_id", "region"):
        before, after = pair.old["datalake"].get(key), pair.new["datalake"].get(key)
        if before is not None and before != after:
            out.append(
                Change(
                    f"datalake_account.{key} changed",
                    f"{before} -> {after}",
                    "impossible",
                    "the artifacts bucket and its state live there",
                    f"datalake_account.{key} changed from {before} ({at.cited}) to {after}: the artifacts "
                    "bucket and the datalake state stay where they are. Keep it",
                    ("datalake_account", key),
                )
            )
    return out
