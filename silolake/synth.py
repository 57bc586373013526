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


def synth_into(app, catalog: Catalog) -> list[str]:
    from .stacks import build_app

    names = build_app(app, catalog)
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


def synthesize(catalog: Catalog, out: Path) -> list[StackSummary]:
    """Synthesize every stack of ``catalog`` into ``out`` (replaced atomically)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        names = synth_into(make_app(str(staging)), catalog)
        summaries = summarize(staging, names)
        if out.exists():
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
