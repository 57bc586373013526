"""Issue 20, item 7: ``deploy.yml`` applies every path that changes a stack.

What changes a stack is derived, not listed: the example catalog (with one custom Glue job
added) is synthesized in a fresh process that records, through a Python audit hook, every
file and directory synthesis reads. Each one must be matched by the ``push.paths`` of the
framework's own ``deploy.yml`` and, in a company repository made by ``silolake init``, by the
template's (where the framework is the wheel ``requirements.*`` pins). Assets are read in
Python (Lambda packages are zipped, Glue scripts and pages hashed) before the engine copies
them, so the hook sees every packaged input.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.flows import with_custom_orders_job

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "silolake"
FRAMEWORK_DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"
TEMPLATE_DEPLOY = ROOT / "silolake" / "templates" / "init" / "workflows" / "deploy.yml"

PROBE = """
import json, os, sys
from pathlib import Path
read = set()
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        read.add(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
from silolake.catalog import load_catalog
from tests.conftest import synthesize_catalog
synthesize_catalog(load_catalog(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps(sorted(read)))
"""


def _paths(workflow: Path) -> list[str]:
    """The path filter of the workflow's push or pull_request trigger."""
    on = yaml.safe_load(workflow.read_text())[True]  # YAML 1.1 reads the key `on` as True
    return next(on[event]["paths"] for event in ("push", "pull_request") if event in on)


def _matches(path: str, pattern: str) -> bool:
    """GitHub's filter glob: ``**`` any characters, ``*`` any but ``/``."""
    rx = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.fullmatch(rx, path) is not None


@pytest.fixture(scope="module")
def read_by_synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """``{"catalog": paths relative to the catalog's folder, "framework": relative to the package}``."""
    repo = tmp_path_factory.mktemp("company")
    text = (ROOT / "silos.yaml").read_text()
    (repo / "silos.yaml").write_text(with_custom_orders_job(text, "glue_src/orders.py"))
    shutil.copy(ROOT / "accounts.lock.json", repo / "accounts.lock.json")
    (repo / "glue_src").mkdir()
    (repo / "glue_src" / "orders.py").write_text("print('custom job')\n")
    out = repo / "cdktf.out"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(repo / "silos.yaml"), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, set[str]] = {"catalog": set(), "framework": set(), "other": set()}
    for raw in json.loads(done.stdout.strip().splitlines()[-1]):
        path = Path(raw)
        # Only files change in a push (a directory read is the listing of files read after it).
        if not path.is_file() or path.is_relative_to(out) or "__pycache__" in path.parts:
            continue
        if path.is_relative_to(repo):
            found["catalog"].add(path.relative_to(repo).as_posix())
        elif path.is_relative_to(PACKAGE):
            if path.suffix != ".py":  # the code itself: any change to silolake/ is covered as a whole
                found["framework"].add(path.relative_to(ROOT).as_posix())
        elif path.is_relative_to(Path(sys.prefix)) or path.is_relative_to(Path(sys.base_prefix)):
            continue  # the installed dependencies (a venv inside the checkout included), not the repository's files
        elif path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / "tests") and path != ROOT:
            found["other"].add(path.relative_to(ROOT).as_posix())
    return found


def test_synth_reads_the_catalog_its_lock_the_glue_scripts_and_the_framework(read_by_synth) -> None:
    assert {"silos.yaml", "accounts.lock.json", "glue_src/orders.py"} <= read_by_synth["catalog"]
    assert any(p.startswith("silolake/runtime/pages/") for p in read_by_synth["framework"])
    assert "silolake/runtime/buildspec/silo-plan.yml" in read_by_synth["framework"]
    assert read_by_synth["other"] == set(), "synth reads repository files outside the catalog and the package"


@pytest.mark.parametrize("workflow", [FRAMEWORK_DEPLOY, TEMPLATE_DEPLOY], ids=["framework", "init template"])
def test_deploy_applies_every_path_that_changes_a_stack(read_by_synth, workflow: Path) -> None:
    patterns = _paths(workflow)
    # In a company repository the framework is the wheel that requirements.* pins.
    framework = read_by_synth["framework"] if workflow == FRAMEWORK_DEPLOY else {"requirements.lock"}
    missed = sorted(p for p in read_by_synth["catalog"] | framework if not any(_matches(p, g) for g in patterns))
    assert missed == [], f"{workflow.name} does not deploy changes to {missed}"
    # The paths the plan workflow reviews are deployed too (what is planned is applied).
    plan = _paths(workflow.with_name("plan.yml"))
    assert set(patterns) >= {g for g in plan if not g.startswith(".github")}
