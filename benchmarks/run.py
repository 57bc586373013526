#!/usr/bin/env python3
"""Side-by-side benchmarks of the engine, per-stack synth, parallel synth and validation.

    .venv/bin/python benchmarks/run.py [--only engines,stack,jobs,big,validate] [--runs 3] [--big 5000]

Every measurement is a fresh process (what a developer or a CI job pays), timed wall
clock, with peak RSS sampled every 50 ms over the process and its descendants (the
jsii Node.js child holds most of it); for parallel synth also the peak of the largest
worker (a worker's tree). Pairs are measured in the same run, alternating, so a change
of machine load hits both sides; the 1-minute load average (``uptime``) is recorded
beside every number. Results are printed as Markdown tables for
``benchmarks/RESULTS.md`` and as JSON lines on stderr.

Comparisons (the targets of issue "Engine and scale"; reported, never asserted):

- engines: start-up (import of the engine and the provider bindings) and synth of the
  example catalog, cdktn vs cdktf (cdktf from ``.venv-cdktf``, made by ``dev.py test``);
  target: example synth on cdktn <= 0.45 x cdktf;
- stack: ``synth --stack silo-silo0500`` of a 1,000-silo catalog vs a full synth of a
  1-silo catalog; target <= 1.3 x;
- jobs: full 1,000-silo synth with ``--jobs 1`` vs ``--jobs 2``; target <= 0.65 x, peak
  RSS per worker <= 1.2 GB; big: a 5,000-silo catalog with ``--jobs 2`` synthesizes;
- validate: ``load_catalog`` of 1,000 silos vs a bare libyaml parse (``yaml.CSafeLoader``)
  of the same file; target <= 1.5 x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.catalogs import write_catalog  # noqa: E402
from silolake.catalog import load_catalog  # noqa: E402
from silolake.synth.pool import tree_rss  # noqa: E402

EXAMPLE = REPO / "tests" / "fixtures" / "acme" / "silos.yaml"
PYTHON = {"cdktn": REPO / ".venv" / "bin" / "python", "cdktf": REPO / ".venv-cdktf" / "bin" / "python"}
MB = 2**20


def load() -> float:
    return os.getloadavg()[0]


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids.extend(int(c) for c in fh.read().split())
    except (FileNotFoundError, ProcessLookupError):
        pass
    return kids


def run(
    cmd: list[str | Path],
    *,
    engine: str = "cdktn",
    workers: bool = False,
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> dict:
    """Run ``cmd`` in a fresh process in ``cwd`` (``env`` added to the environment); wall seconds, peak RSS
    (MB) of its tree and (``workers``) of its largest worker process tree."""
    env = dict(os.environ, SILOLAKE_ENGINE=engine, PYTHONDONTWRITEBYTECODE="1", **(env or {}))
    load_before = load()
    started = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = worker_peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, worker_peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            # Workers are the children with a Node.js child of their own (the engine).
            for kid in _children(proc.pid) if workers else []:
                if _children(kid):
                    worker_peak = max(worker_peak, tree_rss(kid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{err.decode()}")
    return {"s": wall, "rss_mb": peak / MB, "worker_mb": worker_peak / MB, "load": max(load_before, load())}


def synth(catalog: Path, out: Path, *args: str, engine: str = "cdktn") -> dict:
    parallel = "--jobs" in args and args[args.index("--jobs") + 1] != "1"
    return run(
        [PYTHON[engine], "-m", "silolake", "synth", catalog, "--out", out, *args], engine=engine, workers=parallel
    )


def median_of(results: list[dict]) -> dict:
    return {
        "s": statistics.median(r["s"] for r in results),
        "rss_mb": max(r["rss_mb"] for r in results),
        "worker_mb": max(r["worker_mb"] for r in results),
        "load": max(r["load"] for r in results),
        "runs": [round(r["s"], 2) for r in results],
    }


def report(name: str, row: dict) -> dict:
    print(json.dumps({"measure": name, **row}), file=sys.stderr, flush=True)
    return row


def engines(runs: int, out: Path) -> dict:
    """Start-up and example synth, alternating cdktn / cdktf runs."""
    if not PYTHON["cdktf"].exists():
        raise SystemExit("no .venv-cdktf: run `python3 scripts/dev.py test` (or setup the cdktf extra) first")
    importer = "import silolake.engine.cdk as c; c.aws.s3_bucket.S3Bucket"
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        for engine in ("cdktn", "cdktf"):
            results.setdefault(f"import {engine}", []).append(run([PYTHON[engine], "-c", importer], engine=engine))
            results.setdefault(f"example {engine}", []).append(synth(EXAMPLE, out / f"example-{engine}", engine=engine))
    return {k: report(k, median_of(v)) for k, v in results.items()}


def stack(runs: int, out: Path) -> dict:
    one, thousand = write_catalog(out, 1), write_catalog(out, 1000)
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        results.setdefault("1-silo catalog, full synth", []).append(synth(one, out / "one"))
        results.setdefault("1,000-silo catalog, --stack silo-silo0500", []).append(
            synth(thousand, out / "stack", "--stack", "silo-silo0500")
        )
    return {k: report(k, median_of(v)) for k, v in results.items()}


def jobs(runs: int, out: Path, silos: int = 1000) -> dict:
    catalog = write_catalog(out, silos)
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        for n in ("1", "2"):
            results.setdefault(f"{silos:,} silos --jobs {n}", []).append(synth(catalog, out / f"jobs{n}", "--jobs", n))
    return {k: report(k, median_of(v)) for k, v in results.items()}


def big(size: int, out: Path) -> dict:
    path = write_catalog(out, size)
    key = f"{size:,} silos --jobs 2"
    return {key: report(key, median_of([synth(path, out / f"big{size}", "--jobs", "2")]))}


def validate(runs: int, out: Path) -> dict:
    """In-process: catalog validation vs the bare libyaml parse it cannot avoid (median of ``runs``)."""
    path = write_catalog(out, 1000)
    parse, full = [], []
    for _ in range(max(runs, 5)):
        t = time.perf_counter()
        with open(path, "rb") as fh:
            yaml.load(fh, Loader=yaml.CSafeLoader)
        parse.append(time.perf_counter() - t)
        t = time.perf_counter()
        load_catalog(path)
        full.append(time.perf_counter() - t)
    rows = {
        "bare libyaml parse (CSafeLoader), 1,000 silos": {"s": statistics.median(parse), "load": load()},
        "load_catalog (validate), 1,000 silos": {"s": statistics.median(full), "load": load()},
    }
    for k, v in rows.items():
        report(k, v)
    return rows


def table(rows: dict[str, dict]) -> None:
    print("| measurement | wall (median) | runs | peak RSS (tree) | peak RSS per worker | load (1 min) |")
    print("|---|---:|---|---:|---:|---:|")
    for name, r in rows.items():
        rss = f"{r['rss_mb']:.0f} MB" if r.get("rss_mb") else "-"
        worker = f"{r['worker_mb']:.0f} MB" if r.get("worker_mb") else "-"
        runs = ", ".join(f"{x:.1f}" for x in r.get("runs", [])) or "-"
        print(f"| {name} | {r['s']:.2f} s | {runs} | {rss} | {worker} | {r['load']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="engines,stack,jobs,big,validate")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", type=int, default=5000, help="silos of the large parallel synth")
    parser.add_argument("--jobs-silos", type=int, default=1000, help="silos of the --jobs 1 vs --jobs 2 synth")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"uptime at start: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    rows: dict[str, dict] = {}
    for part in args.only.split(","):
        if part == "big":
            rows.update(big(args.big, args.out))
        elif part == "jobs":
            rows.update(jobs(args.runs, args.out, args.jobs_silos))
        else:
            rows.update(
                {"engines": engines, "stack": stack, "jobs": jobs, "validate": validate}[part](args.runs, args.out)
            )
    table(rows)
    print(f"\nuptime at end: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
