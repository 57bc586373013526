"""Generated proof of the day-2 invariant: edits derived from the JSON Schema, applied to
the catalog using every capability (``catalogs/full.yaml``), each accepted one synthesized
and compared with the base (docs/day-2.md).

Bounded for the test command: silo ``hub``'s keys only (where every capability lives),
:data:`LIMIT` edits drawn with a fixed seed from one per (key, kind), every kind of edit
among them, per-stack synth of ``silo-hub``. The
exhaustive run over every key and stack is ``benchmarks/day2_invariant.py``.
"""

from __future__ import annotations

import json

import pytest

from .edits import full_data, synth_data
from .invariant import outcome
from .schema_edits import catalog_edits, sample

pytestmark = pytest.mark.slow

SEED = 21
#: Edits per run: one of each kind, the rest drawn from every (key, kind) of silo hub.
LIMIT = 10
HUB = "silo-hub"


def test_every_sampled_schema_edit_keeps_data_or_is_refused(tmp_path):
    base = full_data()
    base_stack = json.loads(
        (synth_data(base, tmp_path / "base", [HUB]).out / "stacks" / HUB / "cdk.tf.json").read_text()
    )
    chosen = sample(catalog_edits(base), per_key=1, seed=SEED, prefix=("silos", 0), limit=LIMIT)
    kinds = {e.kind for e in chosen}
    assert kinds >= {"toggle", "remove", "value", "add", "reorder", "drop-item", "rename-item"}
    results = {}
    for i, edit in enumerate(chosen):
        results[str(edit)] = outcome(edit, base, {HUB: base_stack}, tmp_path / f"e{i}")
    # Both sides are exercised: accepted edits were synthesized and compared, others refused.
    assert "kept" in results.values() and {"refused", "invalid"} & set(results.values())
