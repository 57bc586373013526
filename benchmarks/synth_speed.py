#!/usr/bin/env python3
"""Synth at the speed of the change: the synth cache and the lazy engine start, side by side.

    .venv/bin/python -m benchmarks.synth_speed [--before main] [--only cache,stack,jobs,example] [--runs 3]
        [--cache-silos 200] [--cache-jobs 2] [--stack-silos 200] [--jobs-silos 100]

"Before" is the code of git revision ``--before`` (exported with ``git archive``), "after"
the working tree; both run ``python -m silolake synth`` in fresh processes from the same
venv, this interpreter's (``PYTHONPATH`` picks the code), timed and sampled as in :mod:`benchmarks.run`.
Pairs alternate run by run, so load changes hit both sides; the 1-minute load average is
recorded beside every number. Every comparison also compares the outputs byte for byte
(``manifest.json`` and ``stacks/``) and prints whether they are identical.

- cache: a ``--cache-silos`` catalog synthesized without the cache, then into a cache
  (cold), again with nothing changed, and with one silo changed; the last is compared
  with an uncached synth of the changed catalog. Targets: no change <= 0.05 x uncached,
  one silo changed <= 0.15 x.
- stack: cold ``synth --stack silo-silo0100`` before vs after (time and peak memory of the
  process tree, the engine's Node.js process included). Target <= 0.5 x both.
- example: the README's synth command after setup (``silolake synth silos.yaml``), before vs
  after without a cache, and after with nothing changed since the previous run.
- jobs: ``--jobs-silos`` full synth ``--jobs 1`` before vs after, and ``--jobs 2`` vs
  ``--jobs 1`` after. Targets <= 0.55 x each.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

from benchmarks.catalogs import write_catalog
from benchmarks.run import REPO, median_of, report, run, table


def export(ref: str, dest: Path) -> Path:
    """The tree of git revision ``ref`` in ``dest`` (replaced)."""
    shutil.rmtree(dest, ignore_errors=True)
    data = subprocess.run(["git", "archive", "--format=tar", ref], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def synth(code: Path, catalog: Path, out: Path, *args: str, fresh: bool = True) -> dict:
    """``silolake synth`` of ``code`` in a fresh process (``fresh``: into an empty ``out``)."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    parallel = "--jobs" in args and args[args.index("--jobs") + 1] != "1"
    cmd = [sys.executable, "-m", "silolake", "synth", catalog, "--out", out, *args]
    # In the code's own directory: ``python -m`` puts the working directory first on sys.path.
    return run(cmd, env={"PYTHONPATH": str(code)}, workers=parallel, cwd=code)


def identical(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` hold the same manifest and stack files, byte for byte."""

    def files(root: Path) -> list[str]:
        found = [p.relative_to(root).as_posix() for p in (root / "stacks").rglob("*") if p.is_file()]
        return sorted([*found, "manifest.json"])

    names = files(a)
    if names != files(b):
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def change_one_silo(catalog: Path, index: int) -> Path:
    """A copy of ``catalog`` with silo ``index`` given one more owner, under the same file name in
    a sibling directory (the catalog's file name is one of every stack's inputs)."""
    doc = yaml.safe_load(catalog.read_text())
    doc["silos"][index]["owners"].append("someone-else@bench.example")
    changed = catalog.parent / "changed" / catalog.name
    changed.parent.mkdir(exist_ok=True)
    changed.write_text(yaml.safe_dump(doc, sort_keys=False))
    return changed


def cache(out: Path, silos: int, jobs: str) -> dict:
    catalog = write_catalog(out / "cache", silos)
    changed = change_one_silo(catalog, silos // 2)
    here, cached = REPO, out / "cache" / "cached"
    label = f"{silos} silos --jobs {jobs}"
    rows = {
        f"{label}, no cache": synth(here, catalog, out / "cache" / "plain", "--jobs", jobs, "--no-cache"),
        f"{label}, cold cache (fills it)": synth(here, catalog, cached, "--jobs", jobs),
        f"{label}, nothing changed (cached)": synth(here, catalog, cached, "--jobs", jobs, fresh=False),
    }
    same_unchanged = identical(out / "cache" / "plain", cached)
    rows[f"{label}, one silo changed (cached)"] = synth(here, changed, cached, "--jobs", jobs, fresh=False)
    rows[f"{label}, one silo changed, no cache"] = synth(
        here, changed, out / "cache" / "plain-changed", "--jobs", jobs, "--no-cache"
    )
    same_changed = identical(out / "cache" / "plain-changed", cached)
    print(f"cache: nothing changed == uncached: {same_unchanged}; one silo changed == uncached: {same_changed}")
    base = rows[f"{label}, no cache"]["s"]
    for name in (f"{label}, nothing changed (cached)", f"{label}, one silo changed (cached)"):
        print(f"cache: {name}: {rows[name]['s'] / base:.3f} x uncached")
    return {k: report(k, median_of([v])) for k, v in rows.items()}


def stack(out: Path, runs: int, silos: int, before: Path) -> dict:
    catalog = write_catalog(out / "stack", silos)
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        for side, code, extra in (("before", before, ()), ("after", REPO, ("--no-cache",))):
            row = synth(code, catalog, out / "stack" / side, "--stack", "silo-silo0100", *extra)
            results.setdefault(f"{silos} silos, cold --stack silo-silo0100, {side}", []).append(row)
    same = identical(out / "stack" / "before", out / "stack" / "after")
    rows = {k: report(k, median_of(v)) for k, v in results.items()}
    b, a = rows.values()
    print(f"stack: after/before time {a['s'] / b['s']:.3f} x, peak RSS {a['rss_mb'] / b['rss_mb']:.3f} x; same: {same}")
    return rows


def jobs(out: Path, runs: int, silos: int, before: Path) -> dict:
    catalog = write_catalog(out / "jobs", silos)
    sides = (
        ("before --jobs 1", before, ("--jobs", "1")),
        ("after --jobs 1", REPO, ("--jobs", "1", "--no-cache")),
        ("after --jobs 2", REPO, ("--jobs", "2", "--no-cache")),
    )
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        for side, code, extra in sides:
            results.setdefault(f"{silos} silos, {side}", []).append(
                synth(code, catalog, out / "jobs" / side.replace(" ", ""), *extra)
            )
    same = [identical(out / "jobs" / "before--jobs1", out / "jobs" / s.replace(" ", "")) for s, _, _ in sides[1:]]
    rows = {k: report(k, median_of(v)) for k, v in results.items()}
    b1, a1, a2 = (r["s"] for r in rows.values())
    print(f"jobs: after/before --jobs 1 {a1 / b1:.3f} x; after --jobs 2 / --jobs 1 {a2 / a1:.3f} x; same: {same}")
    return rows


def example(out: Path, runs: int, before: Path) -> dict:
    """What the README's ``dev.py synth`` runs after setup: ``silolake synth silos.yaml``, before vs after,
    without a cache and with the cache of the previous run (nothing changed)."""
    catalog = REPO / "silos.yaml"
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        results.setdefault("example, before", []).append(synth(before, catalog, out / "example" / "before"))
        results.setdefault("example, after, no cache", []).append(
            synth(REPO, catalog, out / "example" / "after", "--no-cache")
        )
        synth(REPO, catalog, out / "example" / "cached")  # fills the cache
        results.setdefault("example, after, nothing changed (cached)", []).append(
            synth(REPO, catalog, out / "example" / "cached", fresh=False)
        )
    same = [identical(out / "example" / "before", out / "example" / s) for s in ("after", "cached")]
    rows = {k: report(k, median_of(v)) for k, v in results.items()}
    b, a, c = (r["s"] for r in rows.values())
    print(f"example: after/before {a / b:.3f} x, cached/before {c / b:.3f} x; same: {same}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="main", help="git revision of the code to compare with")
    parser.add_argument("--only", default="cache,stack,jobs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache-silos", type=int, default=200)
    parser.add_argument("--cache-jobs", default="2")
    parser.add_argument("--stack-silos", type=int, default=200)
    parser.add_argument("--jobs-silos", type=int, default=100)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"uptime at start: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    before = export(args.before, args.out / "before-code")
    rows: dict[str, dict] = {}
    for part in args.only.split(","):
        if part == "cache":
            rows.update(cache(args.out, args.cache_silos, args.cache_jobs))
        elif part == "stack":
            rows.update(stack(args.out, args.runs, args.stack_silos, before))
        elif part == "jobs":
            rows.update(jobs(args.out, args.runs, args.jobs_silos, before))
        elif part == "example":
            rows.update(example(args.out, args.runs, before))
    table(rows)
    print(f"\nuptime at end: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
