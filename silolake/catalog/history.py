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
from typing import Any

from .errors import CatalogError, Problem
from .lock import lock_path_for, read_lock
from .model import Catalog
from .source import SourceDoc, parse_yaml, read_yaml


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


def _silos(doc: SourceDoc) -> dict[str, tuple[int, dict[str, Any]]]:
    silos = doc.data.get("silos") if isinstance(doc.data, dict) else None
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, silo in enumerate(silos if isinstance(silos, list) else []):
        if isinstance(silo, dict) and isinstance(silo.get("name"), str):
            out.setdefault(silo["name"], (i, silo))
    return out


def base_problems(current: Catalog, base_doc: SourceDoc, lock_accounts: dict[str, str] | None = None) -> list[Problem]:
    """Silos removed without a prior decommission, and silos whose account changed.

    ``current`` is the validated catalog (its ids include those bootstrap recorded); a
    base entry given by e-mail is compared through the lock file (``lock_accounts``,
    read next to the catalog by default), which holds the id that e-mail resolved to.
    """
    if lock_accounts is None:
        lock_accounts = read_lock(lock_path_for(current.source)).accounts
    doc = read_yaml(current.source)
    now = _silos(doc)
    accounts = {s.name: s.account_id for s in current.silos}
    problems = []
    for name, (_, old) in _silos(base_doc).items():
        if name not in now:
            if old.get("decommission") is not True:
                problems.append(
                    doc.problem(
                        ("silos",),
                        (
                            f"silo '{name}' was removed, but it is not decommissioned in the base ({base_doc.file}); "
                            "removing it now would destroy what its stack manages. Restore it, "
                            f"set decommission: true on silo '{name}' and deploy that first; "
                            "remove it in a later change"
                        ),
                        at_key=True,
                    )
                )
            continue
        i, new = now[name]
        before = old.get("account_id") or lock_accounts.get(name)
        after = accounts.get(name)
        if before and after != before:
            where = ("silos", i, "account_id" if "account_id" in new else "name")
            became = f"account {after}" if after else "an account the organization has yet to create"
            problems.append(
                doc.problem(
                    where,
                    (
                        f"silo '{name}' moved from account {before} (base {base_doc.file}) to {became}; "
                        "a silo's data and state stay in its account. Keep the account id; "
                        "to move, decommission this silo and add a new one"
                    ),
                )
            )
    return problems
