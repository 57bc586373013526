"""Rule: an analytics consumer's account or region changed (impossible): its workspaces and
state stay where they are; a consumer under a new name goes elsewhere."""

from __future__ import annotations

from .base import Change, Locator, Pair


def consumer_location_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None:
        return []
    out = []
    for key in ("account_id", "region"):
        before, after = pair.old.get(key), pair.new[key]
        if before and after != before:
            out.append(
                Change(
                    f"analytics {key.replace('_id', '')} changed",
                    f"analytics '{pair.name}'",
                    "impossible",
                    "its workspaces and state stay where they are",
                    f"analytics consumer '{pair.name}' changed {key} from {before} ({at.cited}) to {after}; its "
                    "workspaces and state stay there. Keep it; for another account or region add a consumer under a "
                    "new name and remove this one",
                    at.consumer(pair.name, key),
                )
            )
    return out
