"""Rule: silos removed, moved to another account or region, decommissioned."""

from __future__ import annotations

from ..model import Catalog
from ..source import SourceDoc
from .base import MOVE_ACCOUNT, Change, Snapshot, as_dict, as_list
from .capabilities import capability_changes
from .flows import flow_changes
from .snapshot import positions


def silo_changes(
    name: str,
    old: dict,
    new: Snapshot,
    doc: SourceDoc,
    silo_at: dict[str, int],
    flow_at: dict[tuple[str, str], int],
    base_name: str,
) -> list[Change]:
    changes: list[Change] = []
    add = changes.append
    subject = f"silo '{name}'"
    now = new["silos"].get(name)
    if now is None:
        if old["decommission"]:
            add(
                Change(
                    "decommissioned silo removed",
                    subject,
                    "guarded",
                    "its stack is no longer synthesized or planned; account, data and state stay",
                )
            )
        elif old.get("account_id"):
            add(
                Change(
                    "silo removed",
                    subject,
                    "guarded",
                    "would tear down everything its stack manages",
                    f"silo '{name}' was removed, but it is not decommissioned in the base ({base_name}); "
                    "removing it now would destroy what its stack manages. Restore it, set decommission: true on "
                    f"silo '{name}' and deploy that first; remove it in a later change",
                    ("silos",),
                )
            )
        else:
            add(
                Change(
                    "silo removed",
                    subject,
                    "guarded",
                    "would take its account out of the organization if the org stack created it",
                    f"silo '{name}' was removed, but it is not decommissioned in the base ({base_name}) and no "
                    f"account id is recorded for it: the org stack creates its account at the next apply after the "
                    "base (or already did, before bootstrap recorded the id), and removing the silo then takes that "
                    f"account out of the organization. Restore it; if its account exists (run silolake bootstrap "
                    f"to record it), set decommission: true on silo '{name}', deploy, and remove it in a later "
                    "change. Decommissioning keeps the account, so it cannot undo an unwanted one: give a silo an "
                    "existing account with account_id instead of email when no new account is wanted",
                    ("silos",),
                )
            )
        return changes
    i = silo_at.get(name, 0)
    before, after = old.get("account_id"), now.get("account_id")
    if before and after != before:
        became = f"account {after}" if after else "an account the organization has yet to create"
        key = "account_id" if after else "name"
        add(
            Change(
                "silo account changed",
                subject,
                "impossible",
                "data and state stay in the old account",
                f"silo '{name}' moved from account {before} (base {base_name}) to {became}; {MOVE_ACCOUNT}",
                ("silos", i, key),
            )
        )
    if old.get("region") and now["region"] != old["region"]:
        add(
            Change(
                "silo region changed",
                subject,
                "impossible",
                "the stack's state bucket and every regional resource are in the old region",
                f"silo '{name}' moved from region {old['region']} (base {base_name}) to {now['region']}; its state "
                "bucket, buckets, key and streams stay in the old region and Terraform would start over with an "
                "empty state. Keep the region; to move, decommission this silo and add a new one (another name) "
                "in the new region, then copy the data",
                ("silos", i, "region" if "region" in as_dict(as_list(as_dict(doc.data).get("silos"))[i]) else "name"),
            )
        )
    if old["decommission"] != now["decommission"]:
        add(
            Change(
                "silo decommissioned" if now["decommission"] else "silo recommissioned",
                subject,
                "safe",
                "sharing revoked and intake refused; nothing destroyed"
                if now["decommission"]
                else "sharing and intake restored",
            )
        )
    changes += flow_changes(name, i, old, now, flow_at, base_name)
    changes += capability_changes(name, i, old, now, base_name)
    return changes


def lock_changes(catalog: Catalog, lock_accounts: dict[str, str], doc: SourceDoc, lock_name: str) -> list[Change]:
    """Silos whose account the organization created (recorded in the lock) but whose entry
    now names another account: the same refusal as an account change against a base."""
    silo_at, _, _ = positions(doc)
    changes = []
    for silo in catalog.silos:
        recorded = lock_accounts.get(silo.name)
        if recorded and silo.account_id and silo.account_id != recorded:
            changes.append(
                Change(
                    "silo account changed",
                    f"silo '{silo.name}'",
                    "impossible",
                    "data and state stay in the old account",
                    f"silo '{silo.name}' moved from account {recorded} (created by the organization, {lock_name}) "
                    f"to account {silo.account_id}; {MOVE_ACCOUNT}",
                    ("silos", silo_at.get(silo.name, 0), "account_id"),
                )
            )
    return changes
