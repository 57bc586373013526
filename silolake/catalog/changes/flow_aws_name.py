"""Rule: a kept flow's AWS name changed (impossible): changing or dropping ``renamed_from``
would recreate its stream, tables and log group under another name."""

from __future__ import annotations

from .base import Change, Locator, Pair


def flow_aws_name_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None or pair.silo is None:
        return []
    before, after = pair.old["storage"], pair.new["storage"]
    if after == before:
        return []
    return [
        Change(
            "flow AWS name changed",
            pair.flow_subject,
            "impossible",
            f"AWS names would change from '{before}' to '{after}' (recreated)",
            f"flow '{pair.name}' of silo '{pair.silo.name}' is known to AWS as '{before}' ({at.cited}); changing "
            "or dropping renamed_from would recreate its stream, tables and log group under another name. "
            f"Keep renamed_from: {before}",
            at.flow(pair.silo.name, pair.name, "renamed_from" if after != pair.name else "name"),
        )
    ]
