"""The README's synth command on a fresh clone, two commits side by side in one run.

    python3 benchmarks/fresh_setup.py BEFORE_REF AFTER_REF [--rounds N]

For each round and each ref (alternating, so machine load hits both), clone the ref into a new
directory, point pip's and npm's caches at new empty directories (as
``../shared/tools/fresh-machine`` does), run ``python3 scripts/dev.py synth`` and record the wall
time, the size of ``.venv/`` and the exit code. Downloads count: that is what a fresh machine
pays. Prints one Markdown table row per run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def fresh_synth(ref: str) -> tuple[float, int, int]:
    """``(wall seconds, .venv bytes, exit code)`` of the README's synth command on ``ref``."""
    with tempfile.TemporaryDirectory(prefix="fresh-setup.") as tmp:
        clone = Path(tmp) / "p"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", ref], check=True)
        cache = Path(tmp) / "cache"
        env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
        env |= {
            "PIP_CACHE_DIR": str(cache / "pip"),
            "UV_CACHE_DIR": str(cache / "uv"),
            "npm_config_cache": str(cache / "npm"),
            "XDG_CACHE_HOME": str(cache / "xdg"),
            "CHECKPOINT_DISABLE": "1",
        }
        start = time.perf_counter()
        code = subprocess.run(
            [sys.executable, "scripts/dev.py", "synth"], cwd=clone, env=env, capture_output=True
        ).returncode
        wall = time.perf_counter() - start
        return wall, _size(clone / ".venv"), code


def main(argv: list[str]) -> int:
    refs = argv[:2]
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 1
    print("| ref | round | wall | .venv size | exit | load (1 min) |\n|---|---:|---:|---:|---:|---:|")
    for n in range(rounds):
        for ref in refs if n % 2 == 0 else reversed(refs):
            wall, size, code = fresh_synth(ref)
            load = os.getloadavg()[0]
            print(f"| {ref} | {n + 1} | {wall:.1f} s | {size / 2**20:,.0f} MB | {code} | {load:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
