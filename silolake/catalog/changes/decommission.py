"""Rule: a silo decommissioned or recommissioned (safe): sharing and intake stop or resume,
nothing is destroyed."""

from __future__ import annotations

from .base import Change, Locator, Pair


def decommission_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or pair.old["decommission"] == pair.new["decommission"]:
        return []
    if pair.new["decommission"]:
        return [
            Change(
                "silo decommissioned",
                f"silo '{pair.name}'",
                "safe",
                "sharing revoked and intake refused; nothing destroyed",
            )
        ]
    return [Change("silo recommissioned", f"silo '{pair.name}'", "safe", "sharing and intake restored")]
