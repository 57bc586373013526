"""Rule: an analytics consumer removed (guarded, accepted): its stack is no longer planned;
its workspaces, data and state stay."""

from __future__ import annotations

from .base import Change, Locator, Pair


def consumer_removed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is not None:
        return []
    effect = "its stack is no longer synthesized or planned; its workspaces, data and state stay"
    return [Change("analytics consumer removed", f"analytics '{pair.name}'", "guarded", effect)]
