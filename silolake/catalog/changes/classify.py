"""Every change between two snapshots: the registered rules (:mod:`.rules`) run on each entry."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..source import SourceDoc
from .base import Change, Locator, Pair, Snapshot
from .rules import CATALOG, CONSUMERS, FLOWS, SILOS, Rule


def classify(base: Snapshot, new: Snapshot, doc: SourceDoc, base_name: str) -> list[Change]:
    """Every change from ``base`` to ``new``; ``doc`` is the new catalog's source (for the
    key paths problems are located at), ``base_name`` names the base in messages. Changes
    come entry by entry (the organization, each silo then its flows, each consumer)."""
    at = Locator.of(doc, base_name)
    changes = _run(CATALOG, Pair("", base, new), at)
    for silo in _pairs(base["silos"], new["silos"]):
        changes += _run(SILOS, silo, at)
        if silo.old is not None and silo.new is not None:
            for flow in _pairs(silo.old["flows"], silo.new["flows"], silo):
                changes += _run(FLOWS, flow, at)
    for consumer in _pairs(base["analytics"], new["analytics"]):
        changes += _run(CONSUMERS, consumer, at)
    return changes


def _pairs(old: dict, new: dict, silo: Pair | None = None) -> Iterator[Pair]:
    """The base's entries in its order, then the added ones by name."""
    for name, entry in old.items():
        yield Pair(name, entry, new.get(name), silo)
    for name in sorted(new.keys() - old.keys()):
        yield Pair(name, None, new[name], silo)


def _run(rules: tuple[Rule, ...], pair: Pair, at: Locator) -> list[Change]:
    return [change for rule in rules for change in rule(pair, at)]


def problems_of(changes: list[Change], doc: SourceDoc) -> list[Problem]:
    """The located problems of the refused changes."""
    return [doc.problem(c.where, c.refused, at_key=c.where == ("silos",)) for c in changes if c.refused]
