"""One stack synthesized in an ``App`` of its own: what :func:`silolake.synth.app.synthesize` runs in
this process and each :mod:`silolake.synth.pool` worker runs in its own.

Kept apart from :mod:`silolake.synth.app` so the worker pool and the orchestrator both import it
without importing each other. The engine is imported only when an app is made.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The engine's manifest of a synthesized tree: ``{"version": <engine>, "stacks": {<name>: {...}}}``.
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class StackDone:
    """One stack synthesized (reported while the synth runs): ``index`` of ``total``, wall ``seconds``;
    ``cached``: copied from the synth cache, the engine did not run for it."""

    name: str
    index: int
    total: int
    resources: int
    seconds: float
    worker: int
    cached: bool = False


def make_app(outdir: str | None = None):
    """An ``App`` with :data:`silolake.engine.cdk.APP_CONTEXT`, writing into ``outdir`` when given."""
    from ..engine.cdk import APP_CONTEXT, App

    kwargs: dict[str, Any] = {"context": dict(APP_CONTEXT), "skip_validation": False}
    if outdir is not None:
        kwargs["outdir"] = outdir
    return App(**kwargs)


def synth_stack(build: Callable[[Any], Any], name: str, staging: Path) -> dict[str, Any]:
    """Synthesize one stack in an ``App`` of its own into ``staging/stacks/<name>``.

    Returns ``{"entry": <its manifest entry>, "version": <engine version>, "by_type": {type: count}}``."""
    work = staging / ".work" / name
    work.parent.mkdir(exist_ok=True)
    app = make_app(str(work))
    build(app)
    app.synth()
    manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    os.replace(work / "stacks" / name, staging / "stacks" / name)
    shutil.rmtree(work)
    doc = json.loads((staging / "stacks" / name / "cdk.tf.json").read_text(encoding="utf-8"))
    by_type = {rtype: len(items) for rtype, items in doc.get("resource", {}).items()}
    return {"entry": manifest["stacks"][name], "version": manifest["version"], "by_type": by_type}
