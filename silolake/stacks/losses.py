"""What Terraform would destroy applying one synthesis of a stack over another.

The day-2 invariant (docs/day-2.md) judged on two synthesized ``cdk.tf.json`` documents of
one stack: every data-, identity- or address-holding resource of the base
(:data:`~silolake.stacks.continuity.DATA_TYPES`) either stays at its address, moves with a
``moved`` block to a kept address, or is forgotten with ``removed { destroy = false }``;
otherwise it is lost. A resource kept at its address is lost too when a ForceNew argument
of its type changed (:func:`silolake.catalog.changes.forcenew.replacements`, the table
citing the provider source): Terraform replaces it. ``silolake validate --base
--synthesized`` (:mod:`silolake.cli.shared.synthesized`) and the day-2 tests
(``tests/day2``) judge with :func:`losses`.
"""

from __future__ import annotations

from typing import Any

from ..catalog.changes.forcenew import replacements
from .continuity import DATA_TYPES

__all__ = ["addresses", "losses", "moved", "removed"]


def addresses(stack: dict[str, Any]) -> dict[str, str]:
    """``{address: resource type}`` of a synthesized stack (``cdk.tf.json`` document)."""
    return {f"{t}.{n}": t for t, items in stack.get("resource", {}).items() for n in items}


def moved(stack: dict[str, Any]) -> dict[str, str]:
    """``{from: to}`` of the stack's ``moved`` blocks."""
    return {b["from"]: b["to"] for b in stack.get("moved", [])}


def removed(stack: dict[str, Any]) -> set[str]:
    """Addresses the stack's ``removed`` blocks forget (silolake emits only ``destroy = false``)."""
    return {b["from"] for b in stack.get("removed", []) if b.get("lifecycle") == {"destroy": False}}


def _revoked(before: dict[str, Any], owners: frozenset[str] | None) -> set[str]:
    """Cognito users of ``before`` whose owner is no longer listed (``None``: not a silo stack)."""
    if owners is None:
        return set()
    users = before.get("resource", {}).get("aws_cognito_user", {})
    return {f"aws_cognito_user.{n}" for n, u in users.items() if u.get("username") not in owners}


def losses(before: dict[str, Any], after: dict[str, Any], owners: frozenset[str] | None = None) -> dict[str, list[str]]:
    """``{address: [changed ForceNew arguments]}`` of the data-, identity- or address-holding
    resources of ``before`` that applying ``after`` would destroy (an empty list: the address
    leaves the configuration uncovered) or replace. ``owners``: the silo's owners after the
    change; users of owners no longer listed are a decision (revoked), not a loss."""
    now, moves, forgets = addresses(after), moved(after), removed(after)
    out: dict[str, list[str]] = {
        a: []
        for a, t in addresses(before).items()
        if t in DATA_TYPES and a not in now and a not in forgets and moves.get(a) not in now
    }
    out.update(replacements(before, after))
    for address in _revoked(before, owners):
        out.pop(address, None)
    return out
