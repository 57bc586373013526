"""Every change between two snapshots, from the registered rules."""

from __future__ import annotations

from ..errors import Problem
from ..source import SourceDoc
from .base import Change, Snapshot
from .consumers import consumer_changes
from .organization import organization_changes
from .silos import silo_changes
from .snapshot import positions


def classify(base: Snapshot, new: Snapshot, doc: SourceDoc, base_name: str) -> list[Change]:
    """Every change from ``base`` to ``new``; ``doc`` is the new catalog's source (for the
    key paths problems are located at), ``base_name`` names the base in messages."""
    silo_at, flow_at, consumer_at = positions(doc)
    changes = organization_changes(base, new, base_name)
    for name, old in base["silos"].items():
        changes += silo_changes(name, old, new, doc, silo_at, flow_at, base_name)
    for name in sorted(new["silos"].keys() - base["silos"].keys()):
        changes.append(
            Change("silo added", f"silo '{name}'", "safe", "new stack; run `silolake bootstrap` before its first plan")
        )
    for name, old in base["analytics"].items():
        changes += consumer_changes(name, old, new["analytics"].get(name), consumer_at, base_name)
    for name in sorted(new["analytics"].keys() - base["analytics"].keys()):
        changes.append(Change("analytics consumer added", f"analytics '{name}'", "safe", "new stack"))
    return changes


def problems_of(changes: list[Change], doc: SourceDoc) -> list[Problem]:
    """The located problems of the refused changes."""
    return [doc.problem(c.where, c.refused, at_key=c.where == ("silos",)) for c in changes if c.refused]
