"""Does a policy document grow? A conservative, offline comparison of two IAM documents.

Used by the plan summary to flag any IAM, bucket, key, Glue or SCP policy whose new
version may allow more than the old one. Each statement is expanded into *atoms*
(effect, principal, action, resource, conditions); a new ``Allow`` atom grows the policy
unless an old ``Allow`` atom covers it, and an old ``Deny`` atom that no new ``Deny``
covers grows it too (an SCP losing a deny is a wider guardrail hole).

"Covers" is deliberately narrow, so a real growth is never missed while reviewers are
not drowned by reorderings: patterns use IAM wildcards (``*`` and ``?``; actions case
insensitive, `IAM policy elements
<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html>`_),
and an old allow covers a new one only if every condition clause of the old one is also
in the new one (more conditions can only narrow an allow). ``NotAction``,
``NotResource`` and ``NotPrincipal`` statements are compared literally.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["Atom", "atoms", "grown", "parse"]


@dataclass(frozen=True)
class Atom:
    effect: str  # Allow | Deny
    principal: str  # "AWS:arn", "Service:x", "*" (or "" for identity policies)
    action: str  # lower-case; "not:" prefix for NotAction
    resource: str  # "not:" prefix for NotResource
    conditions: frozenset[tuple[str, str, str]]  # (operator, key lower-case, canonical JSON of values)

    def covers(self, other: Atom) -> bool:
        """Whether this atom (same effect) allows/denies everything ``other`` does."""
        if self.effect != other.effect:
            return False
        return (
            _match(self.principal, other.principal)
            and _match(self.action, other.action, fold=True)
            and _match(self.resource, other.resource)
            and self.conditions <= other.conditions
        )

    def describe(self) -> str:
        who = f"{self.principal} " if self.principal else ""
        cond = " (conditional)" if self.conditions else ""
        return f"{self.effect} {who}{self.action} on {self.resource}{cond}"


def _match(pattern: str, value: str, *, fold: bool = False) -> bool:
    if pattern.startswith("not:") or value.startswith("not:"):
        return pattern == value
    if fold:
        pattern, value = pattern.lower(), value.lower()
    return pattern == value or fnmatchcase(value, pattern)


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _principals(stmt: dict[str, Any]) -> list[str]:
    for key, prefix in (("Principal", ""), ("NotPrincipal", "not:")):
        if key not in stmt:
            continue
        value = stmt[key]
        if value == "*":
            return [prefix + "*"]
        out = []
        for kind, ids in sorted(value.items()):
            # {"AWS": "*"} means everyone, like "*".
            out += [prefix + ("*" if kind == "AWS" and i == "*" else f"{kind}:{i}") for i in _list(ids)]
        return out
    return [""]


def _conditions(stmt: dict[str, Any]) -> frozenset[tuple[str, str, str]]:
    clauses = set()
    for operator, keys in (stmt.get("Condition") or {}).items():
        for key, values in keys.items():
            clauses.add((operator, key.lower(), json.dumps(sorted(_list(values)))))
    return frozenset(clauses)


def atoms(document: dict[str, Any] | None) -> Iterator[Atom]:
    """Every (effect, principal, action, resource, conditions) a policy document grants or denies."""
    if not document:
        return
    statements = document.get("Statement", [])
    for stmt in [statements] if isinstance(statements, dict) else statements:
        conditions = _conditions(stmt)
        actions = [a.lower() for a in _list(stmt.get("Action"))] or ["not:" + a for a in _list(stmt.get("NotAction"))]
        resources = _list(stmt.get("Resource")) or ["not:" + r for r in _list(stmt.get("NotResource"))]
        for principal in _principals(stmt):
            for action in actions:
                for resource in resources or ["*"]:
                    yield Atom(stmt.get("Effect", "Allow"), principal, action, resource, conditions)


def parse(policy: Any) -> dict[str, Any] | None:
    """A policy attribute as Terraform reports it (JSON text, a parsed document or null)."""
    if policy in (None, ""):
        return None
    if isinstance(policy, dict):
        return policy
    return json.loads(policy)


def _uncovered(new: Iterable[Atom], old: Iterable[Atom]) -> list[Atom]:
    old = list(old)
    return [a for a in new if not any(o.covers(a) for o in old)]


def grown(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Human-readable growths from ``before`` to ``after`` (empty when it does not grow).

    A policy that did not exist before grows by all its allows."""
    old, new = list(atoms(before)), list(atoms(after))
    gained = _uncovered([a for a in new if a.effect == "Allow"], [a for a in old if a.effect == "Allow"])
    lost_denies = _uncovered([a for a in old if a.effect == "Deny"], [a for a in new if a.effect == "Deny"])
    return [f"+ {a.describe()}" for a in gained] + [f"- {a.describe()} (deny removed)" for a in lost_denies]
