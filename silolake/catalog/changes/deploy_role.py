"""Rule: ``organization.deploy_role_name`` changed (guarded, refused): every plan would assume
the new role in every account at once, and the SCP would lock the current one out."""

from __future__ import annotations

from .base import Change, Locator, Pair


def deploy_role_changed(pair: Pair, at: Locator) -> list[Change]:
    """``pair``: the whole snapshots (a base without the key takes the schema default)."""
    if pair.old is None or pair.new is None:
        return []
    before, after = pair.old["organization"].get("deploy_role_name"), pair.new["organization"].get("deploy_role_name")
    if before is None or after is None or before == after:
        return []
    return [
        Change(
            "organization.deploy_role_name changed",
            f"{before} -> {after}",
            "guarded",
            "every plan would assume the new role, and the SCP would let only it change roles",
            f"organization.deploy_role_name changed from {before!r} ({at.cited}) to {after!r}: every plan "
            f"assumes it in every account at once, and the SCP ProtectSilolakeRoles then lets only {after!r} "
            f"change roles, locking {before!r} out. Keep it; to switch, create {after!r} in every account "
            "first (outside silolake, e.g. StackSets, trusted like the current one), then change the name in a "
            "change of its own",
            ("organization", "deploy_role_name"),
        )
    ]
