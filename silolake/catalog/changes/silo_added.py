"""Rule: a silo added (safe): a new stack; bootstrap records its state bucket first."""

from __future__ import annotations

from .base import Change, Locator, Pair


def silo_added(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is not None:
        return []
    return [
        Change("silo added", f"silo '{pair.name}'", "safe", "new stack; run `silolake bootstrap` before its first plan")
    ]
