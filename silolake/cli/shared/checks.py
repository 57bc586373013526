"""Catalog checks ``validate`` and ``synth`` share: the change classification and the notices."""

from __future__ import annotations

from pathlib import Path

from ...catalog import CatalogError
from .common import err


def check_changes(
    catalog, path: Path, base: str | None, out_dir: Path, *, synthesized: bool = False, cache_dir: Path | None = None
) -> None:
    """Classify the changes against ``base`` (or the last synth in ``out_dir``); print them;
    raise :class:`CatalogError` with the refused ones. ``synthesized`` (with ``base``): once
    the catalog rules accept the change, also compare the synthesized stacks it touches
    (:mod:`silolake.review.replaced`), with the synth cache in ``cache_dir``, and name them."""
    from ...catalog import lock_path_for, read_lock
    from ...catalog.changes import classify, last_synth, lock_changes, problems_of, snapshot
    from ...catalog.changes.history import base_changes, load_base
    from ...catalog.source import read_yaml

    if base:
        changes, doc = base_changes(catalog, load_base(base, path))
        against = base
    else:
        doc = read_yaml(catalog.source)
        lock = lock_path_for(catalog.source)
        new = snapshot(catalog, doc.data)
        changes = lock_changes(new, read_lock(lock).accounts, doc, lock.name)
        previous = last_synth(out_dir, catalog)
        against = f"last synth in {out_dir}" if previous else lock.name
        if previous is not None:
            changes += classify(previous, new, doc, against)
    for change in changes:
        if not change.refused:  # refused ones are reported as located problems below
            err.print(f"change ({against}): {change.line()}", markup=False)
    problems = problems_of(changes, doc)
    if problems:
        raise CatalogError(problems)
    if synthesized and base:
        from .synthesized import synthesized_changes

        done = synthesized_changes(path, base, doc, cache_dir=cache_dir)
        err.print(f"change ({against}): {done.summary()}", markup=False)
        if done.lost:
            raise CatalogError(problems_of(done.lost, doc))
        if done.compared:
            err.print(f"change ({against}): synthesized stacks compared: nothing destroyed or replaced", markup=False)


def unvalidated_changes(invalid: CatalogError, path: Path, base: str | None, out_dir: Path) -> CatalogError:
    """``invalid`` (the catalog at ``path`` failed validation) with the refused changes
    against ``base`` (or the last synth in ``out_dir``) of the entries that do validate: the
    catalog read leniently (:func:`~silolake.catalog.changes.raw_snapshot`), so a verdict
    such as a removed column is not hidden behind the problem it causes elsewhere (a quality
    rule naming that column). A refusal located at or above a validation problem (a silo
    whose entry is invalid, a column with a mistyped type) is left out: that entry cannot be
    judged until it is fixed. Nothing is added when the catalog does not parse."""
    from ...catalog import lock_path_for, read_lock
    from ...catalog.changes import classify, last_synth, problems_of, raw_snapshot
    from ...catalog.changes.history import load_base
    from ...catalog.source import read_yaml

    try:
        doc = read_yaml(path)
        accounts = read_lock(lock_path_for(path)).accounts
        before = raw_snapshot(load_base(base, path).data, accounts) if base else last_synth(out_dir, path)
    except CatalogError:
        return invalid
    if before is None or not isinstance(doc.data, dict):
        return invalid
    changes = classify(before, raw_snapshot(doc.data, accounts), doc, base or f"last synth in {out_dir}")
    judged = [p for p in problems_of(changes, doc) if not any(_within(q.path, p.path) for q in invalid.problems)]
    return CatalogError(invalid.problems + judged)


def _within(path: str, entry: str) -> bool:
    """Whether key path ``path`` is ``entry`` or under it (``silos[0].name`` is under ``silos``)."""
    return path == entry or path.startswith((f"{entry}.", f"{entry}["))


def notices(catalog, *, synth: bool) -> None:
    from ...catalog.not_built import not_built_notices

    for line in not_built_notices(catalog):
        err.print(f"notice: {line}", markup=False)
    if catalog.master_pipeline is not None:
        from ...aws.delivery_names import MASTER_BUILDSPEC as BUILDSPEC

        root = Path(catalog.source).parent
        spec = root / BUILDSPEC
        if not spec.is_file():
            err.print(
                f"notice: delivery.pipeline is set, but {spec} does not exist: the master build reads it from the "
                "source (silolake init writes one for a catalog repository)",
                markup=False,
            )
        elif (
            "scripts/dev.py" in spec.read_text(encoding="utf-8", errors="replace")
            and not (root / "scripts" / "dev.py").is_file()
        ):
            err.print(
                f"notice: {spec} runs scripts/dev.py, which this repository does not have: the master build "
                "would fail (silolake init writes a buildspec for a catalog repository)",
                markup=False,
            )
