"""Rule: a flow's source changed away from a Firehose channel (guarded, refused): its
stream and log group would be destroyed; a new flow takes the other source."""

from __future__ import annotations

from .base import Change, Locator, Pair, streamed


def flow_source_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or pair.silo is None:
        return []
    before, after = pair.old.get("source"), pair.new.get("source")
    if not streamed(before) or streamed(after):
        return []
    return [
        Change(
            "flow source changed from api",
            pair.flow_subject,
            "guarded",
            "would destroy its Firehose stream and log group",
            f"flow '{pair.name}' of silo '{pair.silo.name}' changes source from {before} to {after}: its Firehose "
            f"stream and log group would be destroyed. Add a new flow for the {after} data and list "
            f"'{pair.name}' under removed_flows",
            at.flow(pair.silo.name, pair.name, "source"),
        )
    ]
