"""The catalog: ``silos.yaml`` -> validated, typed :class:`Catalog`.

This package never imports cdktf or the AWS provider: validation must stay fast (well
under a second for 1,000 silos) and usable where no Node.js runtime exists.

Entry point: :func:`load_catalog`.
"""

from __future__ import annotations

from pathlib import Path

from .adoptable import adopt_problems
from .errors import CatalogError, Problem
from .flow import Flow
from .hints import with_hints
from .lock import AccountsLock, lock_path_for, organization_problems, read_lock
from .model import Catalog, Silo, build_catalog
from .renames import rename_problems
from .schema import schema_problems
from .semantic import semantic_problems
from .source import read_yaml

__all__ = ["CatalogError", "Catalog", "Flow", "Problem", "Silo", "load_catalog", "validate_file"]


def validate_file(path: Path | str, *, lock: AccountsLock | None = None) -> tuple[object, list[Problem]]:
    """Parse and check ``path``; return (raw data, every problem found)."""
    doc = read_yaml(path, strict=False)  # duplicate keys are reported with everything else
    problems = list(doc.problems)
    problems += schema_problems(doc)
    problems += semantic_problems(doc, lock.accounts if lock else {})
    problems += rename_problems(doc)
    problems += adopt_problems(doc)
    return doc.data, sorted(set(with_hints(doc, problems)))


def load_catalog(path: Path | str = "silos.yaml", *, lock_path: Path | str | None = None) -> Catalog:
    """Load, validate and model a catalog, merging ids recorded by bootstrap.

    Raises :class:`CatalogError` listing every problem; never a parser exception.
    """
    path = Path(path)
    lock_problems: list[Problem] = []
    lock_file = Path(lock_path) if lock_path else lock_path_for(path)
    try:
        lock = read_lock(lock_file)
    except CatalogError as exc:  # still check the catalog: all problems in one run
        lock, lock_problems = AccountsLock(), exc.problems
    try:
        raw, problems = validate_file(path, lock=lock)
    except CatalogError as exc:
        raise CatalogError(exc.problems + lock_problems) from None
    lock_problems += organization_problems(lock, lock_file, raw)
    if problems or lock_problems:
        raise CatalogError(problems + lock_problems)
    return build_catalog(raw, path, lock.accounts, lock.layout)  # type: ignore[arg-type]
