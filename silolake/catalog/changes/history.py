"""Checks of a catalog change against a base catalog (``silolake validate --base``).

A silo's account holds its data and its Terraform state. Deleting its entry would make
the next apply tear down its stack, and re-pointing it at another account would leave
the old account orphaned while Terraform starts over elsewhere. Neither may happen by
accident, so removal is a two-step change: ``decommission: true`` first (keeps account
and data, revokes sharing, stops pipelines), deployed; the entry can go in a later
change. The base is usually the target branch (``--base origin/main``) in CI.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import CatalogError, Problem
from ..lock import lock_path_for, read_lock
from ..model import Catalog
from ..source import SourceDoc, parse_yaml, read_yaml
from .base import Change, base_name
from .classify import classify, problems_of
from .readoption import readoption_changes
from .snapshot import raw_snapshot, snapshot


def load_base(base: str, catalog_path: Path) -> SourceDoc:
    """Parse the base catalog: a file path, or else a git revision of ``catalog_path``.

    Only parsed, not validated: the base may predate today's schema, and only its silo
    entries matter here.
    """
    if Path(base).is_file():
        return read_yaml(base)
    catalog_path = Path(catalog_path).resolve()
    spec = f"{base}:./{catalog_path.name}"  # ./ = relative to the catalog's directory, wherever the repo root is
    try:
        proc = subprocess.run(
            ["git", "show", spec], cwd=catalog_path.parent, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        proc = None
    if proc is None or proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc and proc.stderr.strip() else "git is not available"
        raise CatalogError(
            [
                Problem(
                    base,
                    1,
                    1,
                    "(document)",
                    f"--base '{base}' is neither a file nor a git revision containing {catalog_path.name} ({reason})",
                )
            ]
        )
    return parse_yaml(proc.stdout, spec)


def base_changes(
    current: Catalog, base_doc: SourceDoc, lock_accounts: dict[str, str] | None = None
) -> tuple[list[Change], SourceDoc]:
    """Every change from the base to ``current`` (see :mod:`.changes`), and the current source.

    ``current`` is the validated catalog (its ids include those bootstrap recorded); a
    base entry given by e-mail is compared through the lock file (``lock_accounts``,
    read next to the catalog by default), which holds the id that e-mail resolved to.
    """
    if lock_accounts is None:
        lock_accounts = read_lock(lock_path_for(current.source)).accounts
    doc = read_yaml(current.source)
    changes = classify(raw_snapshot(base_doc.data, lock_accounts), snapshot(current), doc, base_name(base_doc))
    return readoption_changes(changes, base_doc, doc, Path(current.source)), doc


def base_problems(current: Catalog, base_doc: SourceDoc, lock_accounts: dict[str, str] | None = None) -> list[Problem]:
    """The refused changes from the base to ``current``, as located problems."""
    changes, doc = base_changes(current, base_doc, lock_accounts)
    return problems_of(changes, doc)
