#!/usr/bin/env python3
"""The ghost stack's cost (the ``removed`` blocks of ``silolake.stacks.continuity``), before and after.

    .venv/bin/python -m benchmarks.ghost [--before main] [--catalog PATH ...]

"Before" is the code of git revision ``--before`` (``git archive``), "after" the working
tree; both run in fresh processes from this interpreter's venv, alternating, one run
each (the machine is shared: compare the ratios, with the load beside them).

- blocks: per silo, in one process per side, the real ``SiloStack`` is built and then
  ``continuity.silo_blocks`` adds its ``moved``/``removed``/``import`` blocks: wall time
  and the number of messages sent to the engine's Node.js process (every jsii call is
  one; the count does not depend on the load), with the real stack's own construction
  beside them for scale.
- synth: ``silolake synth --stack silo-X`` per silo, a fresh process per side (engine
  start included), and the two outputs compared byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from benchmarks.catalogs import catalog
from benchmarks.run import REPO, load
from benchmarks.synth_speed import export, identical, synth

CATALOGS = [REPO / "tests" / "fixtures" / "acme" / "silos.yaml", REPO / "tests" / "day2" / "catalogs" / "full.yaml"]


def many_flows(directory: Path, copies: int = 4) -> Path:
    """A one-silo catalog of :mod:`benchmarks.catalogs` (every capability but QuickSight and
    the malware hold, so its ghost is built) with each of its three flows ``copies`` times
    under other names: a silo with many flows of few shapes."""
    data = catalog(1)
    [silo] = data["silos"]
    silo["flows"] = [dict(f, name=f"{f['name']}{k}") for k in range(copies) for f in silo["flows"]]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "glue_src").mkdir(exist_ok=True)
    path = directory / f"many-flows-{copies}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


#: Runs inside the measured code's process (``PYTHONPATH`` = that code): prints one JSON line per silo.
PROBE = r"""
import json, sys, time
from jsii._kernel.providers import process
from silolake.catalog import load_catalog
try:
    from silolake.engine.cdk import APP_CONTEXT, App
    from silolake.aws.terraform_text import terraform_view
except ImportError:  # code from before the rooms (silolake/cdk.py, silolake/terraform_text.py)
    from silolake.cdk import APP_CONTEXT, App
    from silolake.terraform_text import terraform_view
from silolake.stacks import continuity
from silolake.stacks.silo import SiloStack

import os
def cpu():
    # CPU seconds of this process and of the engine's Node.js children: unlike wall time,
    # barely moved by other work on the machine.
    total = time.process_time()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        for kid in open(f"/proc/{os.getpid()}/task/{task}/children").read().split():
            fields = open(f"/proc/{kid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total

sent = [0]
_send = process._NodeProcess.send
def send(self, *args, **kwargs):
    sent[0] += 1
    return _send(self, *args, **kwargs)
process._NodeProcess.send = send

catalog = terraform_view(load_catalog(sys.argv[1]))
SiloStack(App(context=dict(APP_CONTEXT), skip_validation=True), catalog=catalog, silo=catalog.deployable_silos[0])
for silo in catalog.deployable_silos:
    sent[0], start, used = 0, time.perf_counter(), cpu()
    stack = SiloStack(App(context=dict(APP_CONTEXT), skip_validation=True), catalog=catalog, silo=silo)
    build = (time.perf_counter() - start, sent[0], cpu() - used)
    sent[0], start, used = 0, time.perf_counter(), cpu()
    continuity.silo_blocks(stack, catalog, silo)
    blocks = (time.perf_counter() - start, sent[0], cpu() - used)
    print(json.dumps({"silo": silo.name, "build_s": build[0], "build_msgs": build[1], "build_cpu": build[2],
                      "blocks_s": blocks[0], "blocks_msgs": blocks[1], "blocks_cpu": blocks[2]}))
"""


def probe(code: Path, catalog: Path) -> dict[str, dict]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(catalog)],
        env=dict(os.environ, PYTHONPATH=str(code), PYTHONDONTWRITEBYTECODE="1"),
        cwd=code,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {r["silo"]: r | {"load": load()} for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main")
    parser.add_argument("--catalog", action="append", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="silolake-ghost-"))
    before = export(args.before, work / "before")
    sides = {"before": before, "after": REPO}
    print(
        "| catalog / silo | blocks wall before / after | ratio | blocks CPU before / after | ratio "
        "| engine messages before / after | ratio | real stack built (after) | synth --stack before / after | ratio "
        "| identical | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, path in enumerate(args.catalog or [*CATALOGS, many_flows(work / "many")]):
        order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
        blocks = {side: probe(sides[side], path) for side in order}
        for j, silo in enumerate(blocks["after"]):
            stack = f"silo-{silo}"
            timed = {}
            for side in order if j % 2 == 0 else order[::-1]:
                timed[side] = synth(sides[side], path, work / side / stack, "--stack", stack)
            same = identical(work / "before" / stack, work / "after" / stack)
            b, a = blocks["before"][silo], blocks["after"][silo]
            tb, ta = timed["before"]["s"], timed["after"]["s"]
            print(
                f"| {path.parent.name}/{path.name} {silo} | {b['blocks_s']:.2f} / {a['blocks_s']:.2f} s "
                f"| {a['blocks_s'] / b['blocks_s']:.2f} x | {b['blocks_cpu']:.2f} / {a['blocks_cpu']:.2f} s "
                f"| {a['blocks_cpu'] / b['blocks_cpu']:.2f} x | {b['blocks_msgs']:,} / {a['blocks_msgs']:,} "
                f"| {a['blocks_msgs'] / b['blocks_msgs']:.2f} x "
                f"| {a['build_s']:.2f} s, {a['build_cpu']:.2f} s CPU, {a['build_msgs']:,} msgs "
                f"| {tb:.1f} / {ta:.1f} s | {ta / tb:.2f} x | {'yes' if same else 'NO'} "
                f"| {b['load']:.1f} / {a['load']:.1f} |"
            )


if __name__ == "__main__":
    main()
