"""Rule: a silo's region changed (impossible), also through ``organization.home_region``:
its state bucket and every regional resource stay in the old region."""

from __future__ import annotations

from .base import Change, Locator, Pair


def silo_region_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or not pair.old.get("region"):
        return []
    before, after = pair.old["region"], pair.new["region"]
    if after == before:
        return []
    return [
        Change(
            "silo region changed",
            f"silo '{pair.name}'",
            "impossible",
            "the stack's state bucket and every regional resource are in the old region",
            f"silo '{pair.name}' moved from region {before} ({at.cited}) to {after}; its state bucket, buckets, key "
            "and streams stay in the old region and Terraform would start over with an empty state. Keep the "
            "region; to move, decommission this silo and add a new one (another name) in the new region, then "
            "copy the data",
            # A region left to organization.home_region has no line of its own: the silo's name.
            at.given(at.silo(pair.name, "region")),
        )
    ]
