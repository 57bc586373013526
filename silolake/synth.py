"""Synthesize a validated catalog into ``cdktf.out`` atomically.

The output directory is only replaced once the whole app synthesized, so a failure
(bad catalog, a construct error) never leaves a half-written tree that a later
``cdktf deploy`` could pick up. cdktf is imported here lazily: ``silolake validate``
must not pay the ~15 s provider import.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog.model import Catalog

#: Context making logical ids stable and readable (no hash suffixes tied to stack ids).
APP_CONTEXT = {"excludeStackIdFromLogicalIds": "true", "allowSepCharsInLogicalIds": "true"}


@dataclass(frozen=True)
class StackSummary:
    name: str
    path: Path
    resources: int
    by_type: dict[str, int]


def make_app(outdir: str | None = None):
    from .cdk import App

    kwargs: dict[str, Any] = {"context": dict(APP_CONTEXT), "skip_validation": False}
    if outdir is not None:
        kwargs["outdir"] = outdir
    return App(**kwargs)


def synth_into(app, catalog: Catalog, stacks: Sequence[str] | None = None) -> list[str]:
    from .stacks import build_app

    names = build_app(app, catalog, stacks)
    app.synth()
    return names


def summarize(out: Path, names: list[str]) -> list[StackSummary]:
    summaries = []
    for name in names:
        path = out / "stacks" / name / "cdk.tf.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        by_type = Counter({rtype: len(items) for rtype, items in doc.get("resource", {}).items()})
        summaries.append(StackSummary(name, path, sum(by_type.values()), dict(sorted(by_type.items()))))
    return summaries


def synthesize(
    catalog: Catalog, out: Path, *, stacks: Sequence[str] | None = None, jobs: int = 1
) -> list[StackSummary]:
    """Synthesize the stacks of ``catalog`` into ``out``; return one summary per stack written.

    Without ``stacks`` the whole ``out`` is replaced atomically. With ``stacks`` (names or
    globs such as ``silo-*``) only those stacks are constructed, and each one's directory
    is swapped in; other stacks' output is left as it was and ``manifest.json`` lists both.
    ``jobs`` is accepted for the engine's parallel synth; this implementation runs one.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        app = make_app(str(staging))
        names = synth_into(app, catalog) if stacks is None else synth_into(app, catalog, stacks)
        summaries = summarize(staging, names)
        if stacks is not None and out.exists():
            _swap_stacks(staging, out, names)
        elif out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, trash / "old")
            os.replace(staging, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [StackSummary(s.name, out / s.path.relative_to(staging), s.resources, s.by_type) for s in summaries]


def _swap_stacks(staging: Path, out: Path, names: list[str]) -> None:
    """Move each synthesized stack directory into ``out`` and merge the manifests."""
    (out / "stacks").mkdir(exist_ok=True)
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    try:
        for name in names:
            if (out / "stacks" / name).exists():
                os.replace(out / "stacks" / name, trash / name)
            os.replace(staging / "stacks" / name, out / "stacks" / name)
        manifest_path = out / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"stacks": {}}
        fresh = json.loads((staging / "manifest.json").read_text())
        manifest.setdefault("stacks", {}).update(fresh.get("stacks", {}))
        manifest["stacks"] = dict(sorted(manifest["stacks"].items()))
        for key, value in fresh.items():
            manifest.setdefault(key, value)
        tmp = out / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, manifest_path)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
