"""Rule: an analytics consumer added (safe): a new stack, whose account needs its state bucket
first (``silolake bootstrap`` makes one per account and region of every stack, consumers too)."""

from __future__ import annotations

from .base import Change, Locator, Pair


def consumer_added(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is not None:
        return []
    return [
        Change(
            "analytics consumer added",
            f"analytics '{pair.name}'",
            "safe",
            "new stack; run `silolake bootstrap` before its first plan",
        )
    ]
