"""Golden synth: a normalised snapshot of every stack the example catalog synthesizes.

Every framework change shows its effect on every stack as a diff of
``tests/golden/stacks/<stack>.json`` in the pull request. The test in
``tests/test_golden.py`` fails on any difference; accept a deliberate change with

    .venv/bin/python -m tests.golden accept

Normalisation only removes what Terraform never reads: the engine's version stamp in
the top-level ``//`` block. Everything else is kept, with sorted keys and one key per
line so diffs are readable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "stacks"


def normalise(doc: dict[str, Any]) -> str:
    """Stable text of one synthesized ``cdk.tf.json`` document (engine stamp removed)."""
    doc = dict(doc)
    meta = dict(doc.get("//", {}))
    meta.pop("metadata", None)  # {"backend": ..., "stackName": ..., "version": <engine version>}
    if meta:
        doc["//"] = meta
    else:
        doc.pop("//", None)
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_stacks(out: Path) -> dict[str, str]:
    """``{stack name: normalised text}`` of every stack under ``out/stacks``."""
    return {
        path.parent.name: normalise(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((out / "stacks").glob("*/cdk.tf.json"))
    }


def golden() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(GOLDEN_DIR.glob("*.json"))}


def write(stacks: dict[str, str]) -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stale in set(golden()) - set(stacks):
        (GOLDEN_DIR / f"{stale}.json").unlink()
    for name, text in stacks.items():
        (GOLDEN_DIR / f"{name}.json").write_text(text, encoding="utf-8")
