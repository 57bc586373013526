"""Rule: a silo's account changed (impossible): its data and Terraform state stay in the old
account. Checked against a base, and, without one, against the ids the organization created
(recorded in the lock file, :func:`lock_changes`)."""

from __future__ import annotations

from ..source import SourceDoc
from .base import Change, Locator, Pair, Snapshot

MOVE_ACCOUNT = (
    "a silo's data and state stay in its account. "
    "Keep the account id; to move, decommission this silo and add a new one"
)


def silo_account_changed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is None:
        return []
    before, after = pair.old.get("account_id"), pair.new.get("account_id")
    if not before or after == before:
        return []
    became = f"account {after}" if after else "an account the organization has yet to create"
    return [
        Change(
            "silo account changed",
            f"silo '{pair.name}'",
            "impossible",
            "data and state stay in the old account",
            f"silo '{pair.name}' moved from account {before} ({_origin(pair, at)}) to {became}; {MOVE_ACCOUNT}",
            at.silo(pair.name, "account_id" if after else "name"),
        )
    ]


def _origin(pair: Pair, at: Locator) -> str:
    """Where the old id comes from: an email-only entry of the base has the id the lock
    recorded for the account the organization created (the base itself names none)."""
    if pair.old is not None and pair.old.get("email_only") and not at.origin:
        return f"{at.cited}: the account the organization created for it, recorded in the lock file"
    return at.cited


def lock_changes(new: Snapshot, lock_accounts: dict[str, str], doc: SourceDoc, lock_name: str) -> list[Change]:
    """Silos of ``new`` whose account the organization created (``lock_accounts``, read from
    the lock file ``lock_name``) but whose entry now names another account."""
    at = Locator.of(doc, lock_name, origin=f"created by the organization, {lock_name}")
    return [
        change
        for name, recorded in lock_accounts.items()
        if name in new["silos"]
        for change in silo_account_changed(Pair(name, {"account_id": recorded}, new["silos"][name]), at)
    ]
