#!/usr/bin/env python3
"""Synth at the speed of the change: the synth cache and the lazy engine start, side by side.

    .venv/bin/python -m benchmarks.synth_speed [--before main] [--only cache,stack,jobs,example,scheduler]
        [--runs 3] [--cache-silos 200] [--cache-jobs 2] [--stack-silos 200] [--jobs-silos 100]

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
- jobs: ``--jobs-silos`` full synth, ``--jobs 1`` and ``--jobs 2`` of the working tree and
  ``--jobs 2`` of ``--before``, each in a session of its own, with the CPU seconds of the
  synth process and of each worker (its Node.js processes included), the cores it got and
  the CPU on its critical path (what idle cores would take); then a cold one-stack synth,
  the start-up each worker pays, for Amdahl's bound. Target: ``--jobs 2`` <= 0.55 x
  ``--jobs 1``. (The earlier ``--jobs 1`` before vs after pair, target met, is in RESULTS.md.)
- scheduler: the CPU one busy process gets against two in one session and two in sessions
  of their own (Linux autogroup shares CPU between sessions first), ``--runs`` rounds.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.catalogs import write_catalog
from benchmarks.run import MB, REPO, median_of, report, run, table
from silolake.synth.pool import tree_rss

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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
    cmd: list[str | Path] = [sys.executable, "-m", "silolake", "synth", catalog, "--out", out, *args]
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


def _tree(root: int) -> dict[int, int]:
    """``{pid: parent pid}`` of ``root``'s live descendants (Linux ``/proc``)."""
    found, pending = {}, [root]
    while pending:
        pid = pending.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    for child in map(int, fh.read().split()):
                        found[child] = pid
                        pending.append(child)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` itself (not of its children), or ``None`` once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def sampled(cmd: list[str | Path], code: Path, every: float = 0.1) -> dict:
    """Run ``cmd`` (``code`` on ``PYTHONPATH``, in ``code``) in a session of its own and sample its process
    tree every ``every`` seconds: wall and CPU seconds, split into the synth process itself
    (``parent_cpu``) and each synth worker with its Node.js processes (``worker_cpu``, largest first).

    ``cpu`` is exact (``wait4``: every descendant was reaped); the split is sampled, so it misses at
    most ``every`` seconds of CPU per process. ``cores``: ``cpu / s``, the parallelism the run got.
    ``critical``: the CPU seconds on the longest chain, ``parent_cpu`` plus the busiest worker's
    (all of ``cpu`` without workers): what the run takes on idle cores, as one worker's Python
    and Node.js processes take turns (each waits for the other's answer) and never run at once."""
    env = dict(os.environ, PYTHONPATH=str(code), PYTHONDONTWRITEBYTECODE="1")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # A session of its own: under autogroup, the benchmark's own sampling is not charged to it.
        proc = subprocess.Popen(
            [str(c) for c in cmd], cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        cpu: dict[int, float] = {}
        parent_of: dict[int, int] = {}
        workers: set[int] = set()  # children of the synth process running a worker (spawned Python)
        peak = worker_peak = 0
        while True:
            done, status, usage = os.wait4(proc.pid, os.WNOHANG)  # reaps it: poll() would lose its rusage
            if done:
                break
            parents = _tree(proc.pid)
            parent_of.update(parents)
            # Checked on every sample: a child seen between its fork and its exec is not a worker yet.
            workers.update(pid for pid, parent in parents.items() if parent == proc.pid and _is_worker(pid))
            for pid in [proc.pid, *parents]:
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    cpu[pid] = seconds
            peak = max(peak, tree_rss(proc.pid))
            for worker in workers & parents.keys():
                worker_peak = max(worker_peak, tree_rss(worker))
            time.sleep(every)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{err.read().decode()}")
    by_worker = dict.fromkeys(workers, 0.0)
    parent_cpu = 0.0
    for pid, seconds in cpu.items():
        top = pid
        while parent_of.get(top, proc.pid) != proc.pid:  # up to the synth process's child it descends from
            top = parent_of[top]
        if top in by_worker:
            by_worker[top] += seconds
        else:
            parent_cpu += seconds
    total = usage.ru_utime + usage.ru_stime
    worker_cpu = sorted(by_worker.values(), reverse=True)
    return {
        "s": wall,
        "rss_mb": peak / MB,
        "worker_mb": worker_peak / MB,
        "load": max(load_before, os.getloadavg()[0]),
        "cpu": total,
        "parent_cpu": parent_cpu,
        "worker_cpu": worker_cpu,
        "cores": total / wall,
        "critical": parent_cpu + worker_cpu[0] if worker_cpu else total,
    }


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"spawn_main" in fh.read()
    except (FileNotFoundError, ProcessLookupError):
        return False


def jobs(out: Path, runs: int, silos: int, before: Path) -> dict:
    """``--jobs 1`` vs ``--jobs 2`` on a ``silos`` catalog, this tree, and ``--jobs 2`` of ``before`` (its
    workers in the synth's session); then a cold one-silo-stack synth, the start-up every worker pays.

    Prints wall and CPU ratios and Amdahl's bound for two workers from the serial part measured."""
    catalog = write_catalog(out / "jobs", silos)
    sides = (
        ("after --jobs 1", REPO, ("--jobs", "1", "--no-cache")),
        ("after --jobs 2", REPO, ("--jobs", "2", "--no-cache")),
        ("before --jobs 2", before, ("--jobs", "2", "--no-cache")),
    )
    results: dict[str, list[dict]] = {}
    for _ in range(runs):
        for side, code, extra in sides:
            dest = out / "jobs" / side.replace(" ", "")
            shutil.rmtree(dest, ignore_errors=True)
            cmd: list[str | Path] = [sys.executable, "-m", "silolake", "synth", catalog, "--out", dest, *extra]
            results.setdefault(f"{silos} silos, {side}", []).append(sampled(cmd, code))
            _print_cpu(f"{silos} silos, {side}", results[f"{silos} silos, {side}"][-1])
    same = [identical(out / "jobs" / "after--jobs1", out / "jobs" / s.replace(" ", "")) for s, _, _ in sides[1:]]
    one = out / "jobs" / "one-stack"
    shutil.rmtree(one, ignore_errors=True)
    stack = f"silo-silo{silos // 2:04d}"
    cold = sampled(
        [sys.executable, "-m", "silolake", "synth", catalog, "--out", one, "--stack", stack, "--no-cache"], REPO
    )
    _print_cpu(f"{silos} silos, cold --stack {stack}", cold)
    rows = {k: report(k, _median(v)) for k, v in results.items()}
    j1, j2, b2 = rows.values()
    print(f"jobs: outputs identical to after --jobs 1: {same}")
    print(
        f"jobs: wall   after --jobs 2 / --jobs 1 {j2['s'] / j1['s']:.3f} x; before --jobs 2 / after --jobs 1 "
        f"{b2['s'] / j1['s']:.3f} x"
    )
    print(
        f"jobs: cores used  --jobs 1 {j1['cores']:.2f}, after --jobs 2 {j2['cores']:.2f}, before --jobs 2 "
        f"{b2['cores']:.2f}"
    )
    print(
        f"jobs: critical-path CPU  after --jobs 2 / --jobs 1 {j2['critical'] / j1['cpu']:.3f} x; "
        f"total CPU {j2['cpu'] / j1['cpu']:.3f} x"
    )
    # Amdahl: what two workers cannot split is one engine start-up (each worker pays its own) and the
    # synth process's own work (validation, hand-out, commit). A warm stack costs the --jobs 1 CPU
    # spread over its stacks; the cold one-stack synth less one warm stack is the start-up.
    stacks = silos + 3
    warm = (j1["cpu"] - cold["cpu"]) / (stacks - 1)
    serial = (cold["cpu"] - warm) + j2["parent_cpu"]
    fraction = serial / j1["cpu"]
    print(
        f"jobs: Amdahl  start-up {cold['cpu'] - warm:.1f} s CPU + synth process {j2['parent_cpu']:.1f} s of "
        f"{j1['cpu']:.1f} s = serial fraction {fraction:.3f}; bound for 2 workers {fraction + (1 - fraction) / 2:.3f} x"
    )
    return rows


def _median(results: list[dict]) -> dict:
    """:func:`benchmarks.run.median_of` plus the CPU figures (medians)."""
    row = median_of(results)
    for key in ("cpu", "parent_cpu", "cores", "critical"):
        row[key] = statistics.median(r[key] for r in results)
    row["worker_cpu"] = results[0]["worker_cpu"] if len(results) == 1 else [r["worker_cpu"] for r in results]
    return row


def _print_cpu(name: str, r: dict) -> None:
    workers = ", ".join(f"{c:.1f}" for c in r["worker_cpu"]) or "-"
    print(
        f"{name}: wall {r['s']:.1f} s, CPU {r['cpu']:.1f} s (synth process {r['parent_cpu']:.1f} s, workers "
        f"{workers}), cores {r['cores']:.2f}, critical path {r['critical']:.1f} s CPU, load {r['load']:.1f}",
        flush=True,
    )


def _burn(seconds: float, *, own_session: bool) -> subprocess.Popen:
    """A Python process spinning on the CPU for ``seconds`` of wall time."""
    spin = f"import time\nend = time.time() + {seconds}\nwhile time.time() < end: pass"
    return subprocess.Popen([sys.executable, "-c", spin], start_new_session=own_session)


def _cpu_of(procs: list[subprocess.Popen]) -> float:
    """CPU seconds ``procs`` used, read from ``wait4`` as each exits."""
    total = 0.0
    for proc in procs:
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        total += usage.ru_utime + usage.ru_stime
    return total


def scheduler(runs: int, seconds: float = 6.0) -> None:
    """The CPU one busy process gets, two in one session, and two in sessions of their own, for
    ``seconds`` each, alternated ``runs`` times (what autogroup does to workers sharing a session)."""
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    print(f"scheduler: {autogroup} = {autogroup.read_text().strip() if autogroup.exists() else 'absent'}")
    for i in range(runs):
        load = os.getloadavg()[0]
        one = _cpu_of([_burn(seconds, own_session=False)])
        shared = _cpu_of([_burn(seconds, own_session=False) for _ in range(2)])
        own = _cpu_of([_burn(seconds, own_session=True) for _ in range(2)])
        print(
            f"scheduler: round {i + 1} (load {load:.1f}): CPU seconds in {seconds:.0f} s: one process {one:.2f}; "
            f"two in one session {shared:.2f} ({shared / one:.2f} x); two in sessions of their own {own:.2f} "
            f"({own / one:.2f} x)",
            flush=True,
        )


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
        elif part == "scheduler":
            scheduler(args.runs)
    table(rows)
    print(f"\nuptime at end: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
