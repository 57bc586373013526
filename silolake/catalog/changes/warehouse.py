"""Rule: a silo's warehouse retired (guarded: ``warehouse: false`` on its last warehouse flow,
or that flow removed; synth forgets the namespace, workgroup and VPC with ``removed { destroy
= false }``, :mod:`silolake.stacks.continuity`) or added (safe)."""

from __future__ import annotations

from .base import Change, Locator, Pair


def warehouse_changed(pair: Pair, at: Locator) -> list[Change]:
    """Manifests from before flows recorded ``warehouse`` are not compared."""
    if pair.old is None or pair.new is None or not all("warehouse" in f for f in pair.old["flows"].values()):
        return []
    had = any(f.get("warehouse") for f in pair.old["flows"].values())
    has = any(f.get("warehouse") for f in pair.new["flows"].values())
    if had and not has:
        return [
            Change(
                "warehouse retired",
                f"silo '{pair.name}'",
                "guarded",
                "the Redshift Serverless namespace and workgroup and the VPC they sit in are forgotten "
                "(removed, destroy = false): the warehouse's tables stay in the namespace, billed for storage; "
                "the load roles go",
            )
        ]
    if has and not had:
        return [Change("warehouse added", f"silo '{pair.name}'", "safe", "new namespace, workgroup and VPC")]
    return []
