"""Rule: a flow's source changed away from a Firehose channel (guarded, refused): its
stream and log group would be destroyed; a new flow takes the other source."""

from __future__ import annotations

from ...channels import find
from .base import Change, Locator, Pair


def _streamed(source: object) -> bool:
    """Whether a flow of ``source`` (a snapshot's, maybe from an old, invalid catalog) has a
    Firehose stream and its log group (a ``firehose`` channel, :mod:`silolake.channels`)."""
    found = find(source)
    return found is not None and found.landing == "firehose"


def flow_source_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or pair.silo is None:
        return []
    before, after = pair.old.get("source"), pair.new.get("source")
    if not _streamed(before) or _streamed(after):
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
