"""Rule: a flow added (safe: new tables, and stream), or a removed flow adopted back (guarded:
``import`` blocks take back what it left in AWS instead of colliding with it). A flow whose
AWS name the base already had is a rename (:mod:`.flow_renamed`)."""

from __future__ import annotations

from .base import Change, Locator, Pair, streamed


def flow_added(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is not None or pair.new is None or pair.silo is None or pair.silo.old is None:
        return []
    storage = pair.new["storage"]
    if pair.silo.new is not None and storage in pair.silo.new["removed_flows"]:
        held = "tables, stream and log groups" if streamed(pair.new.get("source")) else "tables and log groups"
        effect = f"the {held} it left in AWS are imported (import blocks), not created"
        return [Change("removed flow adopted", pair.flow_subject, "guarded", effect)]
    if storage in {f["storage"] for f in pair.silo.old["flows"].values()}:
        return []
    return [
        Change(
            "flow added",
            pair.flow_subject,
            "safe",
            "new tables and stream" if streamed(pair.new.get("source")) else "new tables",
        )
    ]
