"""Rule: a silo's owners changed (safe): Cognito users and alert subscriptions are keyed by
e-mail, so the others' stay; a removed owner's user is deleted (access revoked)."""

from __future__ import annotations

from .base import Change, Locator, Pair


def owners_changed(pair: Pair, at: Locator) -> list[Change]:
    """Manifests without owners are not compared."""
    if pair.old is None or pair.new is None or "owners" not in pair.old or pair.old["owners"] == pair.new["owners"]:
        return []
    effect = "Cognito users and alert subscriptions are keyed by e-mail: the others' stay at their addresses"
    gone = [o for o in pair.old["owners"] if o not in pair.new["owners"]]
    if gone:
        effect += f"; {', '.join(gone)}: Cognito user deleted (access revoked), alert subscription ended"
    return [Change("owners changed", f"silo '{pair.name}'", "safe", effect)]
