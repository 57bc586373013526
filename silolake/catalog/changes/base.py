"""What every change rule shares: the :class:`Change` it returns, the :class:`Pair` of
snapshot entries it compares and the :class:`Locator` placing its problem in the new catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ...channels import find
from ..errors import Path as KeyPath  # noqa: N811 (key path, not a file path)
from ..source import SourceDoc, as_dict, as_list

Verdict = Literal["safe", "guarded", "impossible"]

#: A snapshot is plain JSON data (written to ``cdktf.out`` by synth, read back later).
Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "flow renamed"; the rows of docs/day-2.md
    subject: str  # e.g. "silo 'shop' flow 'orders'"
    verdict: Verdict
    effect: str  # what it does to resources and data
    refused: str | None = None  # why it is refused and what to do instead (None: accepted)
    where: KeyPath = ()  # key path in the new catalog the problem is located at

    def line(self) -> str:
        return f"{self.verdict}: {self.kind}: {self.subject}: {self.effect}"


@dataclass(frozen=True)
class Pair:
    """One entry in the base snapshot (``old``) and the new one (``new``); ``None`` on the
    side it is missing from (removed, or added). The entry is a silo, a flow (``silo`` is then
    its silo's pair, both sides present), an analytics consumer, or, for a catalog rule, the
    whole snapshot (``name`` empty)."""

    name: str
    old: dict | None
    new: dict | None
    silo: Pair | None = None

    @property
    def flow_subject(self) -> str:
        """``silo 'shop' flow 'orders'``: how messages name a flow's pair."""
        return f"silo '{self.silo.name if self.silo else ''}' flow '{self.name}'"


@dataclass(frozen=True)
class Locator:
    """Key paths in the new catalog a refused change is located at (the positions of its
    silos, flows and consumers in ``doc``), and how messages cite the base: ``base`` names it
    (a file or git revision), ``origin`` says where an old value came from."""

    doc: SourceDoc
    base: str
    silos: Mapping[str, int]
    flows: Mapping[tuple[str, str], int]
    consumers: Mapping[str, int]
    origin: str = ""

    @classmethod
    def of(cls, doc: SourceDoc, base: str, origin: str = "") -> Locator:
        return cls(doc, base, *positions(doc), origin=origin)

    @property
    def cited(self) -> str:
        """``base origin/main`` (or the ``origin`` given): the parenthesis of a message."""
        return self.origin or f"base {self.base}"

    def silo(self, name: str, *keys: str | int) -> KeyPath:
        return ("silos", self.silos.get(name, 0), *keys)

    def flow(self, silo: str, name: str, *keys: str | int) -> KeyPath:
        return (*self.silo(silo, "flows"), self.flows.get((silo, name), 0), *keys)

    def consumer(self, name: str, *keys: str) -> KeyPath:
        return ("analytics", self.consumers.get(name, 0), *keys)

    def given(self, path: KeyPath, fallback: str = "name") -> KeyPath:
        """``path`` when the new catalog spells its last key, else its sibling ``fallback``
        (a key left to its default, e.g. a silo's ``region``, has no line of its own)."""
        return path if path in self.doc.keys else (*path[:-1], fallback)


def base_name(base_doc: SourceDoc) -> str:
    """How messages cite a base catalog: the git revision as given to ``--base`` (``load_base``
    names a revision's text ``<rev>:./<file>``), or the file; the same spelling ``validate``
    prints in its ``change (<base>)`` lines, so a base is cited one way everywhere."""
    name = base_doc.file
    return name.rsplit(":./", 1)[0] if ":./" in name and not Path(name).is_file() else name


def positions(doc: SourceDoc) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[str, int]]:
    """Positions of silos, flows and consumers in the new catalog (to locate problems)."""
    data = as_dict(doc.data)
    silos: dict[str, int] = {}
    flows: dict[tuple[str, str], int] = {}
    for i, s in enumerate(as_list(data.get("silos"))):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            silos.setdefault(s["name"], i)
            for j, f in enumerate(as_list(s.get("flows"))):
                if isinstance(f, dict) and isinstance(f.get("name"), str):
                    flows.setdefault((s["name"], f["name"]), j)
    consumers = {
        c["name"]: i
        for i, c in enumerate(as_list(data.get("analytics")))
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    }
    return silos, flows, consumers


def streamed(source: object) -> bool:
    """Whether a flow of ``source`` (a snapshot's, maybe from an old, invalid catalog) has a
    Firehose stream and its log group (a ``firehose`` channel, :mod:`silolake.channels`);
    file flows land through the dropzone."""
    found = find(source)
    return found is not None and found.landing == "firehose"
