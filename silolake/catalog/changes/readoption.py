"""Rule: a capability switched on again while what it forgot may still be in AWS.

Switching a capability off forgets its resources (``removed { destroy = false }``); they
stay in AWS under their names. Switching it on again (off in the base, on now) creates them
anew, and every one with a fixed AWS name collides with the forgotten one at apply. The base
alone cannot tell "on again" from "on for the first time", so this rule reads the catalog
file's git history: the last :data:`MAX_REVISIONS` commits of the base revision touching it,
each parsed leniently (a revision may predate today's schema or not parse at all: it is
skipped). A capability that was on in one of them is refused unless the silo says what to
do (:mod:`silolake.catalog.adoptable`): ``adopt`` (import them) or ``deleted_in_aws`` (they
were deleted by hand: create them). A base given as a file has no history: the capability is
assumed never on before, and the change says so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from ..adoptable import Unit, owners, units
from ..source import SourceDoc
from .base import Change, base_name

#: How many revisions of the catalog file are read at most (newest first).
MAX_REVISIONS = 500

#: The kind of the rule (:mod:`.capabilities`) that reports a capability switched on as new;
#: this rule's change replaces it for a capability switched on *again* (by unit name).
_SUPERSEDES = {"warehouse": "warehouse added", "sftp": "SFTP turned on"}


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def revisions(catalog_path: Path, start: str) -> list[tuple[str, str]] | None:
    """``(commit, text)`` of ``catalog_path`` at each of the last :data:`MAX_REVISIONS` commits
    of ``start`` touching it, newest first, identical texts once; ``None`` without history
    (git missing, not a repository, unknown revision). Three git processes whatever the
    count: the path in the repository, ``git log`` listing the commits, ``git cat-file
    --batch`` reading every text."""
    if start.startswith("-"):
        return None  # never an option of git log (the revision comes from --base)
    where = catalog_path.resolve().parent
    prefix = _git(["rev-parse", "--show-prefix"], where)
    log = _git(["log", "-n", str(MAX_REVISIONS), "--format=%H", start, "--", catalog_path.name], where)
    if prefix is None or log is None:
        return None
    commits = log.decode().split()
    path = prefix.decode().strip() + catalog_path.name
    out = _git(["cat-file", "--batch"], where, "".join(f"{c}:{path}\n" for c in commits).encode())
    if out is None:
        return None
    found, seen, at = [], set(), 0
    for commit in commits:
        header, at = out[at : out.index(b"\n", at)].decode().split(), out.index(b"\n", at) + 1
        if len(header) != 3 or header[1] != "blob":  # "<spec> missing": not in that commit
            continue
        size = int(header[2])
        if header[0] not in seen:
            seen.add(header[0])
            found.append((commit, out[at : at + size].decode("utf-8", errors="replace")))
        at += size + 1
    return found


def _parsed(text: str) -> Any:
    """A revision's catalog data; ``None`` if it does not parse (it is then skipped)."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


class History:
    """The earlier revisions of the catalog file, read once and parsed lazily: which unit
    (:class:`~silolake.catalog.adoptable.Unit` ident) was on in which commit."""

    def __init__(self, texts: list[tuple[str, str]]) -> None:
        self.texts = texts
        self._on: dict[str, set[tuple[str, ...]]] = {}

    def first_on(self, unit: Unit) -> str | None:
        """The newest commit (short hash) in which ``unit`` was on."""
        for commit, text in self.texts:
            if not any(mark in text for mark in unit.marks):
                continue  # cheap filter: a word turning the unit on (key, source, region) must appear
            if commit not in self._on:
                self._on[commit] = set(units(_parsed(text)))
            if unit.ident in self._on[commit]:
                return commit[:12]
        return None


def _start(base_doc: SourceDoc) -> str | None:
    """The base's git revision (``load_base`` names a revision's text ``<rev>:./<file>``);
    ``None`` for a base given as a file."""
    if Path(base_doc.file).is_file() or ":./" not in base_doc.file:
        return None
    return base_doc.file.rsplit(":./", 1)[0]


def readoption_changes(changes: list[Change], base_doc: SourceDoc, doc: SourceDoc, catalog: Path) -> list[Change]:
    """``changes`` (of the other rules) with every unit switched on again judged: a change
    replacing the other rules' "added" verdict, refused (located at the key turning it on,
    naming what would collide, with the fix) unless ``adopt`` or ``deleted_in_aws`` names it;
    ``adopt``/``deleted_in_aws`` naming a unit on in the base already (unless the base named
    it too, or ``adopt`` takes back what an earlier silolake forgot of it: :attr:`Unit.retake`)
    or never on in the history are refused at that entry."""
    base, present = units(base_doc.data), owners(base_doc.data)
    start = _start(base_doc)
    history: History | None = None
    read = False
    mine: list[Change] = []
    replaced: set[tuple[str, str]] = set()
    for ident, unit in units(doc.data).items():
        if unit.owner is not None and unit.owner not in present:
            continue  # a new silo or consumer: nothing of it was forgotten
        if ident in base:
            if unit.decision and not base[ident].decision:
                if base[ident].retake and unit.decision[0] == "adopt":
                    mine.append(_retaken(unit))
                elif _by_key(unit):
                    mine.append(_needless(unit, f"it is on in the base ({base_name(base_doc)})"))
            continue
        if start is not None and not read:
            texts, read = revisions(catalog, start), True
            history = None if texts is None else History(texts)
        was = None if history is None else history.first_on(unit)
        if history is not None and was is None:
            if unit.decision and _by_key(unit):
                span = f"the last {len(history.texts)} revisions of {catalog.name} up to {start}"
                mine.append(_needless(unit, f"it was never on in {span}"))
            continue
        unknown = (
            f"the base ({base_name(base_doc)}) is a file" if start is None else f"git history of {catalog.name} unread"
        )
        mine.append(_on_again(unit, was, unknown))
        replaced.add((unit.subject, _SUPERSEDES.get(ident[-1], "")))
    return [c for c in changes if (c.subject, c.kind) not in replaced] + mine


def _by_key(unit: Unit) -> bool:
    """Whether the unit's decision is its own ``adopt``/``deleted_in_aws`` entry (not a flow's
    ``adopt: true``, which the flow rules judge)."""
    return unit.decision is not None and "flows" not in unit.decision[1]


def _words(fixed: tuple[str, ...]) -> dict[str, str]:
    """The names joined, and the words agreeing with one resource or several."""
    one = len(fixed) == 1
    words = ("stays", "it", "was", "collides", "one is", "this fixed name", "it was")
    many = ("stay", "them", "were", "collide", "ones are", "these fixed names", "they were")
    keys = ("stay", "it", "was", "collide", "ones", "names", "they")
    return {"them": ", ".join(fixed), **dict(zip(keys, words if one else many, strict=True))}


def _retaken(unit: Unit) -> Change:
    them = ", ".join(unit.fixed)
    return Change(
        f"adopt: {unit.ident[-1]}",
        unit.subject,
        "guarded",
        f"import blocks take back whichever of {them} an earlier silolake forgot while {unit.label} was kept; "
        "what is in the state already is a no-op import. Drop adopt after the apply",
    )


def _needless(unit: Unit, why: str) -> Change:
    assert unit.decision is not None
    key, where = unit.decision
    return Change(
        f"{key}: {unit.ident[-1]}",
        unit.subject,
        "guarded",
        "nothing forgotten to take back or create",
        f"{unit.subject}: {key} names {unit.label}, but {why}: nothing of it was forgotten, so there is nothing "
        f"to import or create. Remove it from {key}",
        where,
    )


def _on_again(unit: Unit, was: str | None, unknown: str) -> Change:
    w = _words(unit.fixed)
    kind = f"switched on again: {unit.ident[-1]}"
    if unit.decision and unit.decision[0] == "adopt":
        anew = f"; AWS generates the ids of {unit.generated}: those are created anew" if unit.generated else ""
        return Change(
            kind,
            unit.subject,
            "guarded",
            f"import blocks take back {w['them']} (Terraform 1.5+){anew}. Once applied the imports are no-ops: "
            "adopt may be dropped in any later change",
        )
    if unit.decision:
        return Change(
            kind, unit.subject, "guarded", f"created anew: {w['them']} {w['was']} deleted in AWS (deleted_in_aws)"
        )
    if was is None:
        return Change(
            f"switched on: {unit.ident[-1]}",
            unit.subject,
            "guarded",
            f"assumed never on before: {unknown}, so the catalog's history was not read; if it was on before, the "
            f"forgotten {w['them']} {w['stay']} in AWS and {w['collide']} at apply: then add "
            f"{unit.how.format(key='adopt')} (import), or {unit.how.format(key='deleted_in_aws')} (deleted by hand)",
        )
    generated = f"; {unit.generated} are created anew: AWS generates their ids" if unit.generated else ""
    return Change(
        kind,
        unit.subject,
        "guarded",
        f"would create {w['them']} again while the forgotten {w['ones']} in AWS (name collision at apply)",
        f"{unit.subject} switches {unit.label} on again: it was on in commit {was}, and switching it off forgot "
        f"(removed, destroy = false) {w['them']}, which {w['stay']} in AWS under {w['names']}, so creating "
        f"{w['it']} fails at apply. Add {unit.how.format(key='adopt')} to import {w['it']} (import blocks"
        f"{generated}), or, if {w['they']} deleted in AWS by hand, {unit.how.format(key='deleted_in_aws')}",
        unit.at,
    )
