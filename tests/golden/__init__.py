"""Golden synth: every stack the example catalog synthesizes, as Terraform delivers it to AWS.

Every framework change shows its effect on every stack as a diff of
``tests/golden/stacks/<stack>.json`` in the pull request. The test in
``tests/golden/test_golden.py`` fails on any difference; accept a deliberate change with

    .venv/bin/python -m tests.golden accept

What is stored is what a reviewer needs to judge a change:

- every string as ``terraform apply`` sends it (:mod:`tests.delivered`: Terraform core
  evaluates the templates, so an escaping fault shows as the wrong text AWS would get,
  and a reference the engine wrote reads ``tfref:<expression>``);
- every string that holds a JSON document (IAM and resource policies, state machine
  definitions, dashboards, container settings) stored parsed under the key ``"(json)"``,
  so a diff names the statement or state that changed instead of one 9,000-character line;
- every multi-line string (buildspecs, scripts) stored as its list of lines under ``"(lines)"``;
- every long one-line string with a structure (the Redshift SQL a state machine passes in
  ``States.Array(...)``, Glue's comma-separated extra files, a content security policy) stored
  parsed by :mod:`tests.golden.views`, losslessly, so no golden line passes
  :data:`LINE_MAX` characters (``tests/golden/test_views.py``);
- the engine's version stamp in the top-level ``//`` block removed (Terraform never reads it).

Sorted keys, one key per line.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tests.delivered import Delivery, deliver

from . import views

GOLDEN_DIR = Path(__file__).resolve().parent / "stacks"
#: The key a parsed JSON document is stored under, in place of its string.
JSON_KEY = "(json)"
#: The key a multi-line text (a buildspec, a script) is stored under, as its list of lines.
LINES_KEY = "(lines)"
#: The longest line a golden file may have, in characters: a reviewer reads a diff line whole.
LINE_MAX = 300


def _expand(node: Any) -> Any:
    """``node`` with every JSON string as ``{"(json)": parsed}``, every multi-line one as ``{"(lines)": [...]}``,
    every long structured one as its :func:`views.view`."""
    if isinstance(node, dict):
        return {k: _expand(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand(v) for v in node]
    if isinstance(node, str) and node[:1] in "{[":
        try:
            parsed = json.loads(node)
        except ValueError:
            return node
        if isinstance(parsed, (dict, list)):
            return {JSON_KEY: _expand(parsed)}
    if isinstance(node, str) and "\n" in node.rstrip("\n"):
        return {LINES_KEY: node.split("\n")}
    if isinstance(node, str):
        return views.view(node)
    return node


def normalise(doc: dict[str, Any]) -> str:
    """Stable text of one delivered ``cdk.tf.json`` document (engine stamp removed, JSON parsed)."""
    doc = dict(doc)
    meta = dict(doc.get("//", {}))
    meta.pop("metadata", None)  # {"backend": ..., "stackName": ..., "version": <engine version>}
    if meta:
        doc["//"] = meta
    else:
        doc.pop("//", None)
    return json.dumps(_expand(doc), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def texts(delivery: Delivery) -> dict[str, str]:
    """``{stack name: normalised text}`` of a delivery."""
    return {name: normalise(doc) for name, doc in sorted(delivery.stacks.items())}


class _Output:
    """The stacks under ``out/stacks`` in the shape :func:`tests.delivered.deliver` reads."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.stack_names = sorted(path.parent.name for path in (out / "stacks").glob("*/cdk.tf.json"))

    def stack(self, name: str) -> dict:
        return json.loads((self.out / "stacks" / name / "cdk.tf.json").read_text(encoding="utf-8"))


def read_stacks(out: Path) -> dict[str, str]:
    """``{stack name: normalised text}`` of every stack under ``out/stacks``, as delivered."""
    with tempfile.TemporaryDirectory() as work:
        return texts(deliver(_Output(out), Path(work)))


def golden() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(GOLDEN_DIR.glob("*.json"))}


def write(stacks: dict[str, str]) -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stale in set(golden()) - set(stacks):
        (GOLDEN_DIR / f"{stale}.json").unlink()
    for name, text in stacks.items():
        (GOLDEN_DIR / f"{name}.json").write_text(text, encoding="utf-8")
