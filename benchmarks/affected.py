#!/usr/bin/env python3
"""Benchmark ``silolake affected`` at scale (reported, not asserted).

    .venv/bin/python benchmarks/affected.py [--silos 1000]

Builds the generated catalog of ``tests/delivery/generated.py`` with N silos in a scratch
git repository, changes one flow's columns in one silo, and times, each in a fresh
process (both pay the same engine start):

- ``silolake synth`` of the same catalog reduced to 1 silo (the yardstick);
- ``silolake affected --base HEAD`` on the N-silo catalog.

Target: affected(N silos, one changed) <= 2 x synth(1 silo).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.delivery.generated import make_repo  # noqa: E402

SILOLAKE = [sys.executable, "-m", "silolake"]


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--silos", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = make_repo(Path(tmp) / "one", 1)
        synth_one, _ = timed([*SILOLAKE, "synth", str(one), "--out", str(Path(tmp) / "one-out")], REPO)
        big = make_repo(Path(tmp) / "big", args.silos)
        text = big.read_text()
        i = text.index("type: double", text.index("- name: silo07\n"))
        big.write_text(text[:i] + "type: float" + text[i + len("type: double") :])
        aff, out = timed([*SILOLAKE, "affected", str(big), "--base", "HEAD"], big.parent)
    print(f"synth, 1 silo:                       {synth_one:6.1f} s")
    print(f"affected, {args.silos} silos, 1 changed: {aff:6.1f} s  ({aff / synth_one:.2f} x)")
    print(out.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
