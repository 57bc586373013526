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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..adoptable import CAPABILITIES, Capability, listed
from ..source import SourceDoc
from .base import Change, as_dict, as_list

#: How many revisions of the catalog file are read at most (newest first).
MAX_REVISIONS = 500

#: The kind of the rule (:mod:`.capabilities`) that reports a capability switched on as new;
#: this rule's change replaces it for a capability switched on *again*.
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
    (git missing, not a repository, unknown revision). Two git processes whatever the count:
    ``git log`` lists the commits, ``git cat-file --batch`` reads every text."""
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


def _silo_in(text: str, silo: str) -> dict | None:
    """The raw entry of ``silo`` in a revision's text; ``None`` if it does not parse or lacks it."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return next((s for s in as_list(as_dict(data).get("silos")) if as_dict(s).get("name") == silo), None)


def _first_on(history: list[tuple[str, str]], silo: str, cap: Capability) -> str | None:
    """The newest commit of ``history`` in which ``cap`` is on in ``silo`` (short hash)."""
    for commit, text in history:
        # Cheap filter before parsing: the capability's own key must appear in the text.
        if cap.name in text or (cap.name == "sftp" and "keep_server" in text):
            entry = _silo_in(text, silo)
            if entry is not None and cap.where(entry) is not None:
                return commit[:12]
    return None


def _start(base_doc: SourceDoc) -> str | None:
    """The base's git revision (``load_base`` names a revision's text ``<rev>:./<file>``);
    ``None`` for a base given as a file."""
    if Path(base_doc.file).is_file() or ":./" not in base_doc.file:
        return None
    return base_doc.file.rsplit(":./", 1)[0]


def _silos(data: Any) -> Iterator[tuple[int, dict]]:
    for i, s in enumerate(as_list(as_dict(data).get("silos"))):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            yield i, s


def readoption_changes(changes: list[Change], base_doc: SourceDoc, doc: SourceDoc, catalog: Path) -> list[Change]:
    """``changes`` (of the other rules) with each capability switched on again judged: a
    change replacing the other rules' "added" verdict, refused (located at the key turning it
    on, naming what would collide, with the fix) unless ``adopt`` or ``deleted_in_aws`` lists
    it; ``adopt``/``deleted_in_aws`` naming a capability on in the base already (unless the
    base listed it too) or never on in the history are refused at that entry."""
    base = {s["name"]: s for _, s in _silos(base_doc.data)}
    org = str(as_dict(as_dict(doc.data).get("organization")).get("name"))
    start = _start(base_doc)
    history: list[tuple[str, str]] | None = None
    read = False
    mine: list[Change] = []
    replaced: set[tuple[str, str]] = set()
    for i, now in _silos(doc.data):
        old = base.get(now["name"])
        if old is None:
            continue  # a new silo: nothing of it was forgotten
        decided = {c.name: (key, k) for key in ("adopt", "deleted_in_aws") for k, c in listed(now, key)}
        before = {c.name for key in ("adopt", "deleted_in_aws") for _, c in listed(old, key)}
        subject = f"silo '{now['name']}'"
        for cap in CAPABILITIES:
            at, decision = cap.where(now), decided.get(cap.name)
            if at is None:
                continue  # off: naming it under adopt is a catalog problem (adoptable.adopt_problems)
            if cap.where(old) is not None:
                if decision and cap.name not in before:
                    mine.append(_needless(subject, i, cap, decision, f"it is on in the base ({base_doc.file})"))
                continue
            fixed = cap.fixed(org, now["name"], old)
            if not fixed:
                continue  # nothing with a fixed name was forgotten (e.g. partner access stayed)
            if start is not None and not read:
                history, read = revisions(catalog, start), True
            was = None if history is None else _first_on(history, now["name"], cap)
            if history is not None and was is None:
                if decision:
                    span = f"the last {len(history)} revisions of {catalog.name} before {start}"
                    mine.append(_needless(subject, i, cap, decision, f"it was never on in {span}"))
                continue
            unknown = (
                f"the base ({base_doc.file}) is a file"
                if start is None
                else f"the git history of {catalog.name} could not be read"
            )
            mine.append(_on_again(subject, i, cap, at, decision, fixed, was, unknown))
            replaced.add((subject, _SUPERSEDES.get(cap.name, "")))
    return [c for c in changes if (c.subject, c.kind) not in replaced] + mine


def _needless(subject: str, i: int, cap: Capability, decision: tuple[str, int], why: str) -> Change:
    key, k = decision
    return Change(
        f"{key}: {cap.name}",
        subject,
        "guarded",
        "nothing forgotten to take back or create",
        f"{subject} lists '{cap.name}' under {key}, but {why}: nothing of it was forgotten, so there is nothing "
        f"to import or create. Remove '{cap.name}' from {key}",
        ("silos", i, key, k),
    )


def _on_again(
    subject: str,
    i: int,
    cap: Capability,
    at: tuple,
    decision: tuple[str, int] | None,
    fixed: list[str],
    was: str | None,
    unknown: str,
) -> Change:
    them = ", ".join(fixed)
    kind = f"switched on again: {cap.name}"
    if decision and decision[0] == "adopt":
        return Change(
            kind,
            subject,
            "guarded",
            f"import blocks take back {them} (Terraform 1.5+); AWS generates the ids of {cap.generated}: "
            "those cannot be known offline and are created anew. Once applied the imports are no-ops: "
            f"adopt: [{cap.name}] may be dropped in any later change",
        )
    if decision:
        return Change(kind, subject, "guarded", f"created anew: {them} were deleted in AWS (deleted_in_aws)")
    if was is None:
        return Change(
            kind,
            subject,
            "guarded",
            f"assumed never on before: {unknown}, so the catalog's history was not read; if it was on "
            f"before, the forgotten {them} are still in AWS and collide at apply: then list "
            f"'{cap.name}' under adopt (import) or deleted_in_aws (deleted by hand)",
        )
    return Change(
        kind,
        subject,
        "guarded",
        f"would create {them} again while the forgotten ones are in AWS (name collision at apply)",
        f"{subject} switches {cap.label} on again: it was on in commit {was}, and switching it off forgot "
        f"(removed, destroy = false) {them}, which stay in AWS under these fixed names, so creating them fails at "
        f"apply. Add adopt: [{cap.name}] to the silo to import them (import blocks; {cap.generated} are created "
        f"anew: AWS generates their ids), or, if they were deleted in AWS by hand, deleted_in_aws: [{cap.name}]",
        ("silos", i, *at),
    )
