"""Rule: a silo's entry removed. Guarded: accepted once the base decommissioned it (its
stack is no longer planned; account, data and state stay), refused otherwise."""

from __future__ import annotations

from .base import Change, Locator, Pair

_NO_ACCOUNT = (
    "no account id is recorded for it: the org stack creates its account at the next apply after the base "
    "(or already did, before bootstrap recorded the id), and removing the silo then takes that account out of "
    "the organization. Restore it; if its account exists (run silolake bootstrap to record it), set "
    "decommission: true on silo '{name}', deploy, and remove it in a later change. Decommissioning keeps the "
    "account, so it cannot undo an unwanted one: give a silo an existing account with account_id instead of "
    "email when no new account is wanted"
)


def silo_removed(pair: Pair, at: Locator) -> list[Change]:
    if pair.old is None or pair.new is not None:
        return []
    subject = f"silo '{pair.name}'"
    if pair.old["decommission"]:
        effect = "its stack is no longer synthesized or planned; account, data and state stay"
        return [Change("decommissioned silo removed", subject, "guarded", effect)]
    why = f"silo '{pair.name}' was removed, but it is not decommissioned in the base ({at.base})"
    if pair.old.get("account_id"):
        effect = "would tear down everything its stack manages"
        refused = (
            f"{why}; removing it now would destroy what its stack manages. Restore it, set decommission: true on "
            f"silo '{pair.name}' and deploy that first; remove it in a later change"
        )
    else:
        effect = "would take its account out of the organization if the org stack created it"
        refused = f"{why} and {_NO_ACCOUNT.format(name=pair.name)}"
    return [Change("silo removed", subject, "guarded", effect, refused, ("silos",))]
