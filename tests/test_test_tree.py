"""Tests mirror the source tree (docs/contributing.md, "Rules that hold for every recipe"), so
the tests of a module are found in one look: ``silolake/constructs/blocks/kms.py`` is tested in
``tests/constructs/blocks/``.

Where a test file may live, by its folder under ``tests/``:

- ``tests/<path>/``: ``silolake/<path>/`` is a folder of the package (every level mirrors);
- ``tests/runtime/<function>/``: a deployed function or job, ``silolake/runtime/<kind>/<function>/``
  (each is its own import root, so its tests are named after it, not after its kind);
- ``tests/<journey>/...``: a folder of :data:`JOURNEYS`, named for what its tests prove across
  rooms (a catalog edit through every stack, a partner's file from upload to table);
- ``tests/`` itself: ``test_<module>.py`` or ``test_<module>_<aspect>.py`` for a top-level module
  ``silolake/<module>.py``, or a test of the whole repository in :data:`REPOSITORY`.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.import_graph import REPO

#: Folders of tests that cross rooms, each with what it proves. A new one is a decision
#: (listed here, with its reason), not an accident of where a file was put.
JOURNEYS = {
    "catalog_checks": "the repository's own silos.yaml, as a company's CI checks it",
    "day2": "catalog edits between two versions through every stack (the day-2 invariant)",
    "delivery": "the CI/CD pipelines and review tools that carry a change from pull request to apply",
    "etl": "a flow's pipeline from raw file to warehouse table: constructs, runtime and AWS emulators together",
    "golden": "the synthesized snapshot of the fixture catalog",
    "iam": "synthesized policies decided by the offline IAM engine (silolake/ops/iam)",
    "journey": "a partner's data end to end through each ingestion channel",
    "packaging": "the wheel and its locks, installed as a company installs them",
    "security": "the checkov gate over every synthesized stack",
}
#: Top-level tests of the repository as a whole (its import graph, docs and test tree).
REPOSITORY = {"test_layout.py", "test_docs.py", "test_contributing.py", "test_test_tree.py"}


def misplaced(tests: Path, package: Path) -> list[str]:
    """Test files (``test_*.py`` under ``tests``) placed against the rule above, as paths
    relative to ``tests``; an empty list when every file is where the rule puts it."""
    modules = {p.stem for p in package.glob("*.py")}
    functions = {p.name for p in package.glob("runtime/*/*") if p.is_dir()}
    wrong = []
    for path in sorted(tests.rglob("test_*.py")):
        rel = path.relative_to(tests)
        if "node_modules" in rel.parts:
            continue
        folder = rel.parts[:-1]
        if not folder:
            stem = rel.stem.removeprefix("test_")
            ok = rel.name in REPOSITORY or any(stem == m or stem.startswith(f"{m}_") for m in modules)
        elif folder[0] in JOURNEYS:
            ok = True
        elif folder[0] == "runtime" and len(folder) >= 2:
            ok = folder[1] in functions
        else:
            ok = package.joinpath(*folder).is_dir()
        if not ok:
            wrong.append(rel.as_posix())
    return sorted(wrong)


def test_every_test_file_mirrors_the_source_tree_or_a_listed_journey() -> None:
    assert misplaced(REPO / "tests", REPO / "silolake") == [], (
        "put each test beside the module it tests (tests/<path>/ mirrors silolake/<path>/), "
        "or list a journey folder in JOURNEYS with its reason"
    )


def test_the_rule_sees_a_misplaced_file(tmp_path: Path) -> None:
    package, tests = tmp_path / "silolake", tmp_path / "tests"
    for folder in ("constructs/blocks", "runtime/lambda/landing"):
        (package / folder).mkdir(parents=True)
    (package / "names.py").touch()
    placed = [
        "test_names.py",  # silolake/aws/names.py
        "test_names_limits.py",  # an aspect of silolake/aws/names.py
        "test_docs.py",  # the repository
        "constructs/blocks/test_kms.py",
        "runtime/landing/test_mover.py",  # silolake/runtime/lambda/landing/
        "day2/sub/test_edit.py",  # a journey folder, any depth
    ]
    wrong = [
        "test_misc.py",  # names no module
        "test_namesake.py",  # a prefix that is not a module
        "blocks/test_kms.py",  # silolake/blocks/ does not exist
        "constructs/test_blocks/test_kms.py",
        "runtime/lambda/test_landing.py",  # the function's folder, not its kind
        "helpers/test_x.py",
    ]
    for rel in placed + wrong:
        (tests / rel).parent.mkdir(parents=True, exist_ok=True)
        (tests / rel).touch()
    assert misplaced(tests, package) == sorted(wrong)


# --- how the test command runs the tree (scripts/dev.py test) ------------------------------


#: The parallel mode (README, "Parallel tests"): each file on one worker, two workers.
PARALLEL = ["-n", "2", "--dist", "loadfile"]


def test_a_file_stays_on_one_worker_and_a_run_wide_fixture_is_built_once(tmp_path: Path) -> None:
    """The parallel mode on a tree of its own: each file's tests share a
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
    argv = [*PARALLEL, "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run")]
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
