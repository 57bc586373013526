"""silolake.synth.app: stack selection, per-stack synth into an existing tree, parallel workers, clean-up.

Per-stack and parallel output is compared byte for byte with the session's full
single-process synth (``example_synth``), so "the same output" means the same files.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from silolake.catalog import Catalog
from silolake.synth.app import StackDone, StackSelectionError, select_stacks, synthesize
from tests.conftest import EXAMPLE, REPO


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def assert_same_files(a: Path, b: Path, files: list[str]) -> None:
    _, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    assert not mismatch and not errors, f"differ: {mismatch + errors}"


def staging_dirs(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".staging-" in p.name)


# --- selection (no engine) -------------------------------------------------------------


def test_select_stacks_takes_names_and_globs_in_deploy_order(example_catalog: Catalog) -> None:
    everything = select_stacks(example_catalog, None)
    assert everything[:2] == ["org", "datalake"]
    silos = [s.stack_name for s in example_catalog.deployable_silos]
    assert select_stacks(example_catalog, ["silo-*"]) == silos
    assert select_stacks(example_catalog, [silos[-1], "org"]) == ["org", silos[-1]]
    assert select_stacks(example_catalog, ["org", "o*"]) == ["org"], "a stack matched twice is built once"


def test_select_stacks_names_every_pattern_that_matches_nothing(example_catalog: Catalog) -> None:
    pending = example_catalog.pending_silos[0].stack_name
    with pytest.raises(StackSelectionError) as exc:
        select_stacks(example_catalog, ["org", "silo-nope", pending, "x*"])
    message = str(exc.value)
    assert "'silo-nope': no such stack" in message
    assert f"'{pending}': silo has no account yet" in message
    assert "'x*': no such stack" in message
    assert "'org'" not in message


def test_unknown_stack_writes_nothing(example_catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(StackSelectionError):
        synthesize(example_catalog, tmp_path / "out", stacks=["silo-nope"])
    assert list(tmp_path.iterdir()) == []


# --- per-stack synth --------------------------------------------------------------------


@pytest.mark.slow
def test_per_stack_synth_replaces_only_that_stack(example_synth, example_catalog, tmp_path, monkeypatch) -> None:
    out = tmp_path / "cdktf.out"
    shutil.copytree(example_synth.out, out)
    target = example_catalog.deployable_silos[0].stack_name
    (out / "stacks" / target / "cdk.tf.json").write_text("{}")  # stale output of the target
    (out / "stacks" / target / "stale-file").write_text("x")
    others = [n for n in example_synth.stack_names if n != target]
    inodes = {n: (out / "stacks" / n / "cdk.tf.json").stat().st_ino for n in others}

    # Only the selected stack is constructed: building any other stack would raise.
    import silolake.stacks as stacks_mod

    def refuse(*args, **kwargs):
        raise AssertionError("a stack that was not asked for was constructed")

    for cls in ("OrgStack", "DatalakeStack", "AnalyticsStack"):
        monkeypatch.setattr(stacks_mod, cls, refuse)
    summaries = synthesize(example_catalog, out, stacks=[target])

    assert [s.name for s in summaries] == [target]
    assert summaries[0].resources > 0
    assert tree(out) == tree(example_synth.out), "same layout, stale file gone"
    assert_same_files(out, example_synth.out, tree(example_synth.out))
    for n in others:  # untouched: same file, not rewritten
        assert (out / "stacks" / n / "cdk.tf.json").stat().st_ino == inodes[n]
    assert staging_dirs(tmp_path) == []


@pytest.mark.slow
def test_per_stack_synth_into_an_empty_directory_writes_that_stack_and_its_manifest(
    example_synth, example_catalog, tmp_path
) -> None:
    out = tmp_path / "out"
    names = [s.stack_name for s in example_catalog.analytics]
    synthesize(example_catalog, out, stacks=["analytics-*"])
    assert sorted(os.listdir(out / "stacks")) == sorted(names)
    manifest = json.loads((out / "manifest.json").read_text())
    full = json.loads((example_synth.out / "manifest.json").read_text())
    assert manifest == {"version": full["version"], "stacks": {n: full["stacks"][n] for n in names}}
    for n in names:
        assert_same_files(out, example_synth.out, [f"stacks/{n}/cdk.tf.json"])


def test_synthesize_failure_leaves_previous_output_and_no_staging(example_catalog, tmp_path, monkeypatch) -> None:
    import silolake.synth.app as synth_mod

    out = tmp_path / "cdktf.out"
    (out / "stacks" / "org").mkdir(parents=True)
    (out / "stacks" / "org" / "cdk.tf.json").write_text("previous synth")

    def boom(build, name, staging):
        raise RuntimeError("construct error")

    monkeypatch.setattr(synth_mod, "synth_stack", boom)
    for stacks in (None, ["org"]):
        with pytest.raises(RuntimeError):
            synth_mod.synthesize(example_catalog, out, stacks=stacks)
        assert (out / "stacks" / "org" / "cdk.tf.json").read_text() == "previous synth"
        assert staging_dirs(tmp_path) == []


def test_staging_left_by_a_killed_synth_is_removed_by_the_next(example_catalog, tmp_path, monkeypatch) -> None:
    import silolake.synth.app as synth_mod

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".cdktf.out.staging-{dead.stdout.strip()}-abc"
    (stale / "stacks").mkdir(parents=True)
    mine = tmp_path / f".cdktf.out.staging-{os.getpid()}-live"  # a running synth's (this process)
    mine.mkdir()
    assert synth_mod.remove_stale_staging(tmp_path / "cdktf.out") == [stale]
    assert staging_dirs(tmp_path) == [mine.name]


# --- parallel synth ---------------------------------------------------------------------


@pytest.mark.slow
def test_parallel_synth_is_byte_identical_and_recycles_workers(example_synth, example_catalog, tmp_path) -> None:
    """Two workers with a 1 MB budget: each retires after one stack and a fresh one takes over."""
    done: list[StackDone] = []
    summaries = synthesize(example_catalog, tmp_path / "out", jobs=2, worker_memory_mb=1, on_stack=done.append)
    assert [s.name for s in summaries] == example_synth.stack_names
    assert tree(tmp_path / "out") == tree(example_synth.out)
    assert_same_files(tmp_path / "out", example_synth.out, tree(example_synth.out))
    assert sorted(d.name for d in done) == sorted(example_synth.stack_names)
    assert [d.index for d in done] == list(range(1, len(done) + 1))
    assert {d.total for d in done} == {len(example_synth.stack_names)}
    assert len({d.worker for d in done}) == len(done), "every worker retired after its first stack"
    assert staging_dirs(tmp_path) == []


# --- signals and timeouts (the CLI, in a process of its own) ---------------------------


def _session_processes(sid: int) -> list[str]:
    """Command lines of live processes in session ``sid`` (workers and Node.js children included)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(stat.parent.joinpath("cmdline").read_text(errors="replace").replace("\0", " "))
    return found


def _start_synth(tmp_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "silolake", "synth", str(EXAMPLE), "--out", str(tmp_path / "out"), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session: leftovers are findable by session id
    )


def _assert_clean(tmp_path: Path, proc: subprocess.Popen) -> None:
    assert (tmp_path / "out" / "marker").read_text() == "previous", "existing output untouched"
    assert staging_dirs(tmp_path) == []
    deadline = time.monotonic() + 10
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _session_processes(proc.pid) == [], "a worker or Node.js process outlived synth"


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_stops_synth_and_removes_staging(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "marker").write_text("previous")
    proc = _start_synth(tmp_path, "--jobs", jobs)
    deadline = time.monotonic() + 60
    while not staging_dirs(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert staging_dirs(tmp_path), "synth never started staging"
    time.sleep(1.0)  # inside the engine's start-up
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "interrupted by SIGTERM" in stderr
    _assert_clean(tmp_path, proc)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_timeout_stops_synth_and_removes_staging(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "marker").write_text("previous")
    proc = _start_synth(tmp_path, "--jobs", jobs, "--timeout", "1.5")  # the engine alone takes longer
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 124, stderr
    assert "did not finish in time" in stderr
    _assert_clean(tmp_path, proc)


# --- feedback ---------------------------------------------------------------------------


def _events(total: int = 3) -> list[StackDone]:
    return [StackDone(f"silo-{i}", i, total, 90 + i, 0.25, 1 + i % 2) for i in range(1, total + 1)]


def test_progress_is_one_plain_line_per_stack_without_a_terminal() -> None:
    import io

    from rich.console import Console

    from silolake.synth.feedback import stack_progress

    buffer = io.StringIO()
    with stack_progress(Console(file=buffer, force_terminal=False, width=200)) as on_stack:
        for event in _events():
            on_stack(event)
    assert buffer.getvalue().splitlines() == [
        "[1/3] silo-1: 91 resources in 0.2s (worker 2)",
        "[2/3] silo-2: 92 resources in 0.2s (worker 1)",
        "[3/3] silo-3: 93 resources in 0.2s (worker 2)",
    ]


def test_progress_is_a_live_bar_on_a_terminal() -> None:
    import io

    from rich.console import Console

    from silolake.synth.feedback import stack_progress

    buffer = io.StringIO()
    with stack_progress(Console(file=buffer, force_terminal=True, width=120)) as on_stack:
        for event in _events():
            on_stack(event)
    text = buffer.getvalue()
    assert "\x1b[" in text, "terminal control sequences (a redrawn bar), not plain lines"
    assert "[1/3]" not in text


def test_cli_synth_of_an_unknown_stack_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "silolake", "synth", str(EXAMPLE), "--out", str(tmp_path / "out"), "--stack", "nope*"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "error: 'nope*': no such stack" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_timeout_the_engine_swallows_still_stops_synth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_catalog: Catalog
) -> None:
    """The alarm can land while the engine runs Python code for it (jsii hands the exception to
    the engine, which may drop it); synth still stops at the deadline, after the stack at hand."""
    from silolake import stacks
    from silolake.engine.cdk import TerraformStack
    from silolake.synth import app as synth_mod
    from silolake.synth.app import SynthTimeout

    def builder(name: str):
        def build(app) -> None:
            with contextlib.suppress(SynthTimeout):
                time.sleep(1.0)  # the alarm lands here, in code that swallows it
            TerraformStack(app, name)

        return build

    monkeypatch.setattr(stacks, "stack_builders", lambda c: {n: builder(n) for n in select_stacks(c, None)})
    monkeypatch.setattr(synth_mod, "_stop_engine_here", lambda: None)  # keep this process's engine for other tests
    with pytest.raises(SynthTimeout):
        synthesize(example_catalog, tmp_path / "out", stacks=["org", "datalake"], timeout=0.3)
    assert not (tmp_path / "out").exists()
