"""The day-2 invariant on one edit of ``catalogs/full.yaml`` (docs/day-2.md).

Every data-, identity- or address-holding resource of the base either stays at its
address (not replaced), moves with a ``moved`` block, is forgotten with
``removed { destroy = false }``, or ``validate --base`` refuses the edit (a located
problem; an edit the schema or the semantic checks reject counts as refused too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from silolake.catalog import load_catalog
from silolake.catalog.changes.history import base_problems
from silolake.catalog.errors import CatalogError
from silolake.catalog.source import read_yaml
from silolake.stacks.losses import losses
from silolake.synth.app import synthesize

from .schema_edits import Edit


def outcome(edit: Edit, base: dict[str, Any], base_stacks: dict[str, dict], workdir: Path) -> str:
    """``refused``, ``invalid`` or ``kept`` for ``edit``; raises ``AssertionError`` naming
    the lost addresses when an accepted edit loses one."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    path = workdir / "silos.yaml"
    path.write_text(yaml.safe_dump(edit.apply(base), sort_keys=False), encoding="utf-8")
    try:
        catalog = load_catalog(path)
    except CatalogError:
        return "invalid"
    if base_problems(catalog, read_yaml(workdir / "base.yaml"), {}):
        return "refused"
    present = {s.stack_name for s in catalog.deployable_silos} | {c.stack_name for c in catalog.analytics}
    stacks = [name for name in base_stacks if name in present]
    # A stack no longer built is a silo or consumer whose removal the classifier accepted
    # (decommissioned first): it is no longer planned, nothing in it is touched.
    if stacks:
        synthesize(catalog, workdir / "cdktf.out", stacks=stacks)
    owners = {s.stack_name: frozenset(s.owners) for s in catalog.deployable_silos}
    for name in stacks:
        after = yaml.safe_load((workdir / "cdktf.out" / "stacks" / name / "cdk.tf.json").read_text())
        # Removing an owner is the explicit decision to delete their user (access revoked):
        # the judgment of `validate --base --synthesized` (silolake.stacks.losses).
        gone = losses(base_stacks[name], after, owners.get(name, frozenset()))
        assert not gone, f"{edit}: {name} loses {sorted(gone)}"
    return "kept"
