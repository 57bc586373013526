"""A repository made by ``silolake init`` runs its own CI: the shell steps of the generated
workflows and master buildspec, read from their YAML, run in a git checkout of the new
repository, with ``.venv/bin/silolake`` being this environment's silolake and, again, the
built wheel installed from its own lock in a venv outside the repository (as the setup
action installs it). Steps that need AWS or GitHub (plan, apply, publish, comments) are
not run; every step that only needs the repository is, and each must exit 0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import silolake
from silolake.cli import main
from tests.wheel_env import clean_env

ARGS = [
    "--name", "globex", "--management-account-id", "210000000001", "--datalake-account-id", "210000000002",
    "--region", "eu-west-1", "--silo", "sales", "--account-id", "210000000003", "--owner", "ops@globex.example",
    "--repository", "globex/datalake",
]  # fmt: skip
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
#: Steps that reach AWS, GitHub or the network: not run here.
OFFLINE_ONLY = re.compile(r"terraform|mirror-provider|publish|gh |GITHUB_TOKEN")
FLOW = "      - name: orders\n        source: api\n        columns:\n          - {name: order_id, type: string}\n"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module", params=["checkout", "wheel"])
def lake(request, tmp_path_factory) -> Path:
    """An init repository: one commit on main (also origin/main), one pull-request commit.
    Its ``.venv`` is this checkout's silolake, or the built wheel installed from its lock."""
    lake = tmp_path_factory.mktemp("init") / "lake"
    result = CliRunner().invoke(main, ["init", str(lake), *ARGS])
    assert result.exit_code == 0, result.output
    _git(lake, "init", "-q", "-b", "main")
    _git(lake, "add", "-A")
    _git(lake, "commit", "-qm", "silolake init")
    _git(lake, "update-ref", "refs/remotes/origin/main", "HEAD")
    catalog = lake / "silos.yaml"
    catalog.write_text(catalog.read_text() + FLOW)  # a second flow in the first silo
    _git(lake, "commit", "-qam", "sales: orders")
    if request.param == "wheel":  # .venv as the setup action installs it: the lock, then the wheel
        (lake / ".venv").symlink_to(request.getfixturevalue("wheel_venv"), target_is_directory=True)
        return lake
    # .venv/bin/silolake standing in for the install: this checkout's silolake.
    venv = lake / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "silolake").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m silolake "$@"\n')
    (venv / "silolake").chmod(0o755)
    return lake


def _env(lake: Path, **extra: str) -> dict[str, str]:
    if (lake / ".venv").is_symlink():  # the wheel: nothing of the checkout on any path
        return {**clean_env((lake / ".venv").resolve()), "GITHUB_OUTPUT": str(lake / "github-output.txt"), **extra}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SILOLAKE_", "PYTEST_"))}
    package_root = str(Path(silolake.__file__).resolve().parents[1])
    return {**env, "PYTHONPATH": package_root, "GITHUB_OUTPUT": str(lake / "github-output.txt"), **extra}


def _expressions(text: str, values: dict[str, str]) -> str:
    """Replace ``${{ expr }}`` with the value of the event being simulated (unknown: a failure)."""
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: values[m.group(1)], text)


def _bash(lake: Path, script: str, env: dict[str, str]) -> None:
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=lake, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, f"$ {script}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _workflow_steps(lake: Path, workflow: str, job: str) -> list[dict]:
    doc = yaml.safe_load((lake / ".github" / "workflows" / workflow).read_text())
    assert doc["env"]["CHECKPOINT_DISABLE"] == "1"
    return [step for step in doc["jobs"][job]["steps"] if "run" in step]


def _run_job(lake: Path, workflow: str, job: str, values: dict[str, str]) -> list[str]:
    ran = []
    for step in _workflow_steps(lake, workflow, job):
        script = _expressions(step["run"], values)
        step_env = {k: _expressions(str(v), values) for k, v in (step.get("env") or {}).items()}
        _bash(lake, script, _env(lake, CHECKPOINT_DISABLE="1", **step_env))
        ran.append(script)
    return ran


def test_generated_files_never_refer_to_the_framework_source(lake):
    for path in [*lake.joinpath(".github").rglob("*.yml"), lake / "delivery/buildspec/master.yml", lake / "README.md"]:
        text = path.read_text()
        assert "scripts/dev.py" not in text and "pip wheel" not in text and "-e ." not in text, path
        assert "<%" not in text, path  # every placeholder rendered
    setup = yaml.safe_load((lake / ".github/actions/setup-silolake/action.yml").read_text())
    install = "\n".join(s.get("run", "") for s in setup["runs"]["steps"])
    assert "--require-hashes -r requirements.lock" in install and "--no-deps -r requirements.txt" in install


@pytest.mark.slow
def test_pull_request_workflows_run(lake):
    """ci.yml (validate, the guard against the target branch, synth), then plan.yml's
    affected job (affected stacks, access diff, diagram)."""
    pr = {"github.base_ref": "main", "github.event_name": "pull_request"}
    ran = _run_job(lake, "ci.yml", "catalog", pr)
    assert any("validate silos.yaml --base" in s for s in ran) and any(" synth " in s for s in ran)
    ran = _run_job(lake, "plan.yml", "affected", pr)
    assert any("affected silos.yaml --base" in s for s in ran)
    assert "silo-sales" in (lake / "affected.json").read_text()
    assert (lake / "review" / "access.md").is_file() and (lake / "review" / "diagram.md").is_file()
    plan = yaml.safe_load((lake / ".github/workflows/plan.yml").read_text())
    plan_steps = "\n".join(str(s) for s in plan["jobs"]["plan"]["steps"])
    assert "role/silolake-github-plan" in plan_steps and "render" in plan_steps and "--in-account" in plan_steps


@pytest.mark.slow
def test_deploy_synth_job_runs(lake):
    """deploy.yml's synth job: affected stacks against the previous head of main, by wave."""
    before = _git(lake, "rev-parse", "HEAD~1")
    _run_job(lake, "deploy.yml", "synth", {"github.event.before": before})
    outputs = (lake / "github-output.txt").read_text()
    assert 'silos=[{"' in outputs and "silo-sales" in outputs


@pytest.mark.slow
def test_master_buildspec_runs_up_to_publishing(lake):
    """The company master buildspec: the catalog checks, then synth, bundle and verify-bundle
    (the terraform mirror and the uploads need AWS and are left out)."""
    spec = yaml.safe_load((lake / "delivery/buildspec/master.yml").read_text())
    commands = [c for phase in ("pre_build", "build") for c in spec["phases"][phase]["commands"]]
    offline = [c for c in commands if not OFFLINE_ONLY.search(c)]
    assert any(c.startswith(".venv/bin/silolake validate") for c in offline)
    assert any("verify-bundle" in c for c in offline)
    variables = {k: str(v) for k, v in spec["env"]["variables"].items()}
    head = _git(lake, "rev-parse", "HEAD")
    _bash(lake, "\n".join(offline), _env(lake, CODEBUILD_RESOLVED_SOURCE_VERSION=head, **variables))
    assert sorted(p.parent.name for p in (lake / "bundles").glob("*/bundle.zip")) == ["datalake", "org", "silo-sales"]
    assert "publish-wheel" in "\n".join(commands) and "pip download" in "\n".join(spec["phases"]["install"]["commands"])
