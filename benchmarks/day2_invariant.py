#!/usr/bin/env python3
"""Exhaustive run of the day-2 invariant (docs/day-2.md; the bounded sample is
``tests/day2/test_generated_edits.py``).

    .venv/bin/python benchmarks/day2_invariant.py [--limit N] [--seed S]

Every edit the JSON Schema suggests for ``tests/day2/catalogs/full.yaml`` (every key:
toggle, remove, change value, add, reorder lists, drop and rename list items) is applied;
each accepted by ``validate --base`` is synthesized (only the stacks of the base still
built) and compared with the base: no data-, identity- or address-holding resource may be
lost (gone without ``moved``/``removed``, or replaced). Prints one line per edit and a
summary; exits 1 naming the edits that lose something. Takes minutes (one synth per
accepted edit).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.day2.edits import full_data, synth_data  # noqa: E402
from tests.day2.invariant import outcome  # noqa: E402
from tests.day2.schema_edits import catalog_edits  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="run only N edits (drawn with --seed)")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args(argv)
    base = full_data()
    edits = catalog_edits(base)
    if args.limit is not None:
        edits = random.Random(args.seed).sample(edits, min(args.limit, len(edits)))
    failures, counts = [], {"kept": 0, "refused": 0, "invalid": 0}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        synth = synth_data(base, work / "base", None)  # every stack
        stacks = {n: json.loads((synth.out / "stacks" / n / "cdk.tf.json").read_text()) for n in synth.stack_names}
        for i, edit in enumerate(edits):
            try:
                result = outcome(edit, base, stacks, work / f"e{i}")
            except AssertionError as exc:
                result = "LOST"
                failures.append(str(exc))
            counts[result] = counts.get(result, 0) + 1
            print(f"{result:8} {edit}", flush=True)
    print(f"{len(edits)} edits in {time.monotonic() - started:.0f} s: {counts}")
    for failure in failures:
        print(f"LOST: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
