"""Rule: the organization's identity and the data lake account (impossible to change)."""

from __future__ import annotations

from .base import Change, Snapshot


def organization_changes(base: Snapshot, new: Snapshot, base_name: str) -> list[Change]:
    changes: list[Change] = []
    add = changes.append
    for key in ("name", "management_account_id", "home_region", "state_bucket_prefix"):
        before, after = base["organization"].get(key), new["organization"].get(key)
        if before is not None and before != after:
            add(
                Change(
                    f"organization.{key} changed",
                    f"{before} -> {after}",
                    "impossible",
                    "every stack's names or state location derive from it",
                    f"organization.{key} changed from {before!r} (base {base_name}) to {after!r}: resource names, "
                    "accounts or state buckets derive from it, so Terraform would start over beside the existing lake. "
                    "Keep it; a different organization is a different catalog (silolake init)",
                    ("organization", key),
                )
            )
    before, after = base["organization"].get("deploy_role_name"), new["organization"].get("deploy_role_name")
    if before is not None and after is not None and before != after:
        add(
            Change(
                "organization.deploy_role_name changed",
                f"{before} -> {after}",
                "guarded",
                "every plan would assume the new role, and the SCP would let only it change roles",
                f"organization.deploy_role_name changed from {before!r} (base {base_name}) to {after!r}: every plan "
                f"assumes it in every account at once, and the SCP ProtectSilolakeRoles then lets only {after!r} "
                f"change roles, locking {before!r} out. Keep it; to switch, create {after!r} in every account "
                "first (outside silolake, e.g. StackSets, trusted like the current one), then change the name in a "
                "change of its own",
                ("organization", "deploy_role_name"),
            )
        )
    for key in ("account_id", "region"):
        before, after = base["datalake"].get(key), new["datalake"].get(key)
        if before is not None and before != after:
            add(
                Change(
                    f"datalake_account.{key} changed",
                    f"{before} -> {after}",
                    "impossible",
                    "the artifacts bucket and its state live there",
                    f"datalake_account.{key} changed from {before} (base {base_name}) to {after}: the artifacts "
                    "bucket and the datalake state stay where they are. Keep it",
                    ("datalake_account", key),
                )
            )
    return changes
