#!/usr/bin/env python3
"""Benchmark validate and synth against generated catalogs of 1, 10, 100 and 1,000 silos.

    .venv/bin/python benchmarks/run.py [--sizes 1,10,100,1000] [--synth-max 100] [--out benchmarks/out]

Each silo is realistic: three flows (api, sftp csv, upload parquet) with typed columns,
SFTP and web upload enabled. Reported per size:
- validate: in-process ``load_catalog`` time (median of 3; the CLI adds ~0.3 s start-up);
- synth: wall time of a fresh ``silolake synth`` process (includes the ~15 s provider import);
- peak RSS: the sum of the Python process and its jsii Node.js child, sampled every 50 ms;
- marginal: (synth(N) - synth(1)) / (N - 1), the cost of one more silo;
- resources: total Terraform resources, and per silo stack.
Targets (reported, not asserted): validate(1,000) < 1 s; synth(100) <= 2.5 x synth(1);
peak RSS < 1.5 GB.
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

from silolake.catalog import load_catalog  # noqa: E402

COLUMNS = {
    "api": [
        ("event_id", "string"),
        ("amount", "decimal(12,2)"),
        ("occurred_at", "timestamp"),
        ("attributes", "map<string,string>"),
        ("items", "array<struct<sku:string,qty:int>>"),
    ],
    "sftp": [("record_id", "string"), ("period", "date"), ("units", "bigint"), ("revenue", "decimal(14,2)")],
    "upload": [("item_id", "string"), ("price", "decimal(12,2)"), ("valid_from", "date")],
}


def catalog(silos: int) -> dict:
    def account(i: int) -> str:
        return f"{100000000000 + i:012d}"

    return {
        "version": 1,
        "organization": {
            "name": "bench",
            "management_account_id": account(1),
            "home_region": "eu-west-1",
            "allowed_regions": ["eu-west-1", "eu-central-1"],
            "state_bucket_prefix": "bench-tfstate",
            "tags": {"cost-center": "bench"},
        },
        "datalake_account": {"account_id": account(2)},
        "analytics": [{"name": "bi", "account_id": account(3), "reader_roles": ["analyst"], "silos": "all"}],
        "silos": [
            {
                "name": f"silo{i:04d}",
                "account_id": account(10 + i),
                "owners": [f"owner{i}@bench.example"],
                "ingestion": {
                    "sftp": {"enabled": True, "allowed_cidrs": ["203.0.113.0/24"]},
                    "web_upload": {"enabled": True},
                },
                "flows": [
                    {
                        "name": "events",
                        "source": "api",
                        "columns": [{"name": n, "type": t} for n, t in COLUMNS["api"]],
                        "keys": ["event_id"],
                        "schedule": "rate(1 hour)",
                        "warehouse": True,
                    },
                    {
                        "name": "reports",
                        "source": "sftp",
                        "format": "csv",
                        "columns": [{"name": n, "type": t} for n, t in COLUMNS["sftp"]],
                        "keys": ["record_id"],
                        "schedule": "cron(0 6 * * ? *)",
                    },
                    {
                        "name": "prices",
                        "source": "upload",
                        "format": "parquet",
                        "columns": [{"name": n, "type": t} for n, t in COLUMNS["upload"]],
                        "keys": ["item_id"],
                    },
                ],
            }
            for i in range(silos)
        ],
    }


def _tree_rss(pid: int) -> int:
    """RSS in bytes of ``pid`` and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure_synth(path: Path, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "silolake", "synth", str(path), "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"synth of {path} failed:\n{err}")
    return time.perf_counter() - started, peak


def count_resources(out: Path) -> tuple[int, int]:
    total, silo_stack = 0, 0
    for f in (out / "stacks").glob("*/cdk.tf.json"):
        n = sum(len(v) for v in json.loads(f.read_text()).get("resource", {}).values())
        total += n
        if f.parent.name.startswith("silo-"):
            silo_stack = n
    return total, silo_stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--synth-max", type=int, default=100, help="largest size to synthesize")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    base_synth = None
    for n in (int(s) for s in args.sizes.split(",")):
        path = args.out / f"silos-{n}.yaml"
        path.write_text(yaml.safe_dump(catalog(n), sort_keys=False))
        (args.out / "glue_src").mkdir(exist_ok=True)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            load_catalog(path)
            times.append(time.perf_counter() - t)
        row = {"silos": n, "validate_s": statistics.median(times)}
        if n <= args.synth_max:
            wall, rss = measure_synth(path, args.out / f"cdktf-{n}.out")
            total, per_silo = count_resources(args.out / f"cdktf-{n}.out")
            base_synth = base_synth or (n, wall)
            row.update(synth_s=wall, rss_mb=rss / 2**20, resources=total, per_silo_stack=per_silo)
            if n > base_synth[0]:
                row["marginal_s"] = (wall - base_synth[1]) / (n - base_synth[0])
                row["ratio"] = wall / base_synth[1]
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(
        "| silos | validate | synth wall | peak RSS (py+node) | synth / synth(1) | marginal per silo "
        "| resources (total / per silo stack) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        synth = f"{r['synth_s']:.1f} s" if "synth_s" in r else "not run"
        rss = f"{r['rss_mb']:.0f} MB" if "rss_mb" in r else "-"
        ratio = f"{r['ratio']:.2f}x" if "ratio" in r else ("1.00x" if "synth_s" in r else "-")
        marginal = f"{r['marginal_s'] * 1000:.0f} ms" if "marginal_s" in r else "-"
        res = f"{r['resources']} / {r['per_silo_stack']}" if "resources" in r else "-"
        print(f"| {r['silos']} | {r['validate_s'] * 1000:.0f} ms | {synth} | {rss} | {ratio} | {marginal} | {res} |")


if __name__ == "__main__":
    main()
