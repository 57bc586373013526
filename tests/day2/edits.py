"""Edits of ``catalogs/full.yaml`` synthesized per stack (docs/day-2.md).

:func:`synth_edit` applies an edit (a function changing the parsed YAML in place) to the
catalog that uses every capability, writes it to a scratch directory and synthesizes only
the stacks asked for: a silo stack costs about a second once the engine runs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from silolake.catalog import load_catalog
from silolake.stacks.losses import addresses as addresses  # re-exported for the edit tests
from silolake.stacks.losses import losses
from silolake.stacks.losses import moved as moved
from silolake.stacks.losses import removed as forgotten
from silolake.synth.app import synthesize
from tests.conftest import Synth

FULL = Path(__file__).parent / "catalogs" / "full.yaml"

Edit = Callable[[dict[str, Any]], None]


def full_data() -> dict[str, Any]:
    return yaml.safe_load(FULL.read_text(encoding="utf-8"))


def silo(data: dict[str, Any], name: str = "hub") -> dict[str, Any]:
    return next(s for s in data["silos"] if s["name"] == name)


def flow(data: dict[str, Any], name: str, silo_name: str = "hub") -> dict[str, Any]:
    return next(f for f in silo(data, silo_name)["flows"] if f["name"] == name)


def synth_data(data: dict[str, Any], workdir: Path, stacks: Sequence[str] | None) -> Synth:
    """Synthesize ``data`` into ``workdir``: the stacks named (every stack with ``None``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "silos.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    catalog = load_catalog(path)
    out = workdir / "cdktf.out"
    summaries = synthesize(catalog, out, stacks=None if stacks is None else list(stacks))
    return Synth(catalog, out, [s.name for s in summaries])


def synth_edit(edit: Edit | None, workdir: Path, stacks: Sequence[str]) -> Synth:
    data = copy.deepcopy(full_data())
    if edit is not None:
        edit(data)
    return synth_data(data, workdir, stacks)


def lost(before: dict, after: dict) -> set[str]:
    """Data-, identity- or address-holding addresses of ``before`` that Terraform would destroy
    applying ``after``: neither kept, moved to a kept address, nor forgotten; or kept but
    replaced (a ForceNew attribute changed). The same judgment as ``validate --synthesized``
    (:func:`silolake.stacks.losses.losses`)."""
    return set(losses(before, after))


def removed(stack: dict) -> set[str]:
    """Forgotten addresses; every ``removed`` block silolake emits keeps the resource."""
    assert all(b["lifecycle"] == {"destroy": False} for b in stack.get("removed", []))
    return forgotten(stack)
