"""Rule: the organization's identity changed (impossible): its name, management account,
home region or state bucket prefix; every stack's names, accounts or state derive from them."""

from __future__ import annotations

from .base import Change, Locator, Pair

KEYS = ("name", "management_account_id", "home_region", "state_bucket_prefix")


def organization_identity_changed(pair: Pair, at: Locator) -> list[Change]:
    """``pair``: the whole snapshots; one change per key of :data:`KEYS` the base states."""
    if pair.old is None or pair.new is None:
        return []
    out = []
    for key in KEYS:
        before, after = pair.old["organization"].get(key), pair.new["organization"].get(key)
        if before is not None and before != after:
            out.append(
                Change(
                    f"organization.{key} changed",
                    f"{before} -> {after}",
                    "impossible",
                    "every stack's names or state location derive from it",
                    f"organization.{key} changed from {before!r} ({at.cited}) to {after!r}: resource names, "
                    "accounts or state buckets derive from it, so Terraform would start over beside the existing lake. "
                    "Keep it; a different organization is a different catalog (silolake init)",
                    ("organization", key),
                )
            )
    return out
