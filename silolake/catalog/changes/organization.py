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
