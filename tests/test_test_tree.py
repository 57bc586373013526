"""How the test command (``python3 scripts/dev.py test``) runs the test tree: on every core, a
file's tests on one worker, the costliest session fixtures built once per run."""

from __future__ import annotations

import os
from pathlib import Path

from tests.import_graph import REPO

# --- how the test command runs the tree (scripts/dev.py test) ------------------------------


def _dev():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev", REPO / "scripts" / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_test_command_runs_on_every_core_unless_told_otherwise() -> None:
    args = _dev().pytest_args
    assert args(["tests/etl"], cores=2) == ["-n", "2", "--dist", "loadfile", "tests/etl"]
    assert args(["-x"], cores=4)[:2] == ["-n", "4"]  # the master build's CodeBuild has 4 vCPUs
    assert args(["tests/etl"], cores=1) == ["tests/etl"]
    for chosen in (["-n", "0"], ["-n0"], ["--numprocesses=3"], ["-p", "no:xdist"], ["--dist=load"]):
        assert args(chosen, cores=2) == chosen


def test_a_file_stays_on_one_worker_and_a_run_wide_fixture_is_built_once(tmp_path: Path) -> None:
    """The arguments the test command adds, on a tree of their own: each file's tests share a
    worker (its module fixtures are built once), the files spread over both workers, and a
    fixture built with ``once_per_run`` (tests/conftest.py) is built once for both."""
    import subprocess
    import sys

    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "from tests.conftest import once_per_run\n"
        "def _build(folder):\n"
        "    (folder / 'built').write_text('x')\n"
        "    return folder\n"
        "@pytest.fixture(scope='session')\n"
        "def shared(tmp_path_factory):\n"
        "    return once_per_run(tmp_path_factory, 'shared', _build)\n"
    )
    for module in ("a", "b", "c", "d"):
        (tmp_path / f"test_{module}.py").write_text(
            "import os, time, pytest\n"
            "@pytest.mark.parametrize('i', range(3))\n"
            "def test_record(i, shared):\n"
            "    time.sleep(0.2)\n"
            f"    (shared.parent / f'{module}-{{i}}.worker').write_text(os.environ['PYTEST_XDIST_WORKER'])\n"
        )
    argv = _dev().pytest_args(["-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run")], cores=2)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *argv], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workers = {p.stem: p.read_text() for p in (tmp_path / "run").glob("*.worker")}
    assert len(workers) == 12
    for module in ("a", "b", "c", "d"):
        assert len({workers[f"{module}-{i}"] for i in range(3)}) == 1, workers
    assert set(workers.values()) == {"gw0", "gw1"}
    assert len(list((tmp_path / "run").glob("shared-*/built"))) == 1
