"""Rule: the silos an analytics consumer reads changed (safe): sharing is updated; a
regional workspace no longer needed is forgotten (``removed { destroy = false }``)."""

from __future__ import annotations

from .base import Change, Locator, Pair


def consumer_silos_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or pair.old["silos"] == pair.new["silos"]:
        return []
    before, after = pair.old["silos"], pair.new["silos"]
    narrowed = after != "all" and (before == "all" or not set(before) <= set(after))
    effect = "sharing updated"
    if narrowed:  # only a narrower list can leave a region without a silo read
        effect += (
            "; a regional workspace no longer needed is forgotten (removed, destroy = false), its key and buckets stay"
        )
    return [Change("analytics silos changed", f"analytics '{pair.name}'", "safe", effect)]
