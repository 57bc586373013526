"""GitHub Actions workflows: valid against the workflow schema, and wired to real commands.

The schema check runs ``check-jsonschema --builtin-schema vendor.github-workflows`` (pinned in
the dev extras; the schema ships inside the package) with every proxy pointed at a closed
port, so it proves the check needs no network.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from silolake.cli import main

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "plan.yml", "deploy.yml", "apply-stack.yml", "drift.yml"}


def test_every_workflow_matches_the_github_workflow_schema() -> None:
    closed = "http://127.0.0.1:9"
    env = dict(os.environ, HTTP_PROXY=closed, HTTPS_PROXY=closed, http_proxy=closed, https_proxy=closed)
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    proc = subprocess.run([*cmd, *map(str, WORKFLOWS)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\non: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(bad)]
    assert subprocess.run(cmd, capture_output=True, check=False).returncode != 0


def _silolake_calls() -> list[tuple[str, list[str]]]:
    """``(workflow, [command, --option, ...])`` for every ``.venv/bin/silolake`` call."""
    calls = []
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            m = re.search(r"\.venv/bin/silolake ([a-z-]+)(.*)", line)
            if m:
                rest = m.group(2).split(">")[0]
                calls.append((path.name, [m.group(1), *re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest)]))
    return calls


@pytest.mark.parametrize(("workflow", "words"), _silolake_calls(), ids=lambda v: v if isinstance(v, str) else "")
def test_workflows_call_existing_commands_and_options(workflow: str, words: list[str]) -> None:
    command = main.commands.get(words[0])
    assert command is not None, f"{workflow}: no `silolake {words[0]}`"
    known = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for word in words[1:]:
        if word.startswith("--"):
            assert word in known, f"{workflow}: `silolake {words[0]}` has no option {word}"


def test_plan_plans_only_affected_stacks_and_comments_once() -> None:
    plan = load("plan.yml")
    jobs = plan["jobs"]
    assert "affected" in jobs["affected"]["steps"][4]["run"]
    assert jobs["plan"]["strategy"]["matrix"]["stack"] == "${{ fromJson(needs.affected.outputs.stacks) }}"
    assert jobs["plan"]["if"] == "needs.affected.outputs.stacks != '[]'"
    steps = "\n".join(str(s.get("run", "")) for s in jobs["comment"]["steps"])
    assert "plan-summary" in steps and "access.md" in steps and "diagram.md" in steps
    assert "<!-- silolake-plan -->" in steps  # one comment, updated in place
    assert plan["permissions"]["id-token"] == "write"


def test_deploy_keeps_the_waves_and_deploys_only_affected_stacks() -> None:
    jobs = load("deploy.yml")["jobs"]
    assert "silolake affected" in jobs["synth"]["steps"][4]["run"]
    order = ["org", "bootstrap", "datalake", "silos", "analytics"]
    for earlier, later in zip(order, order[1:], strict=False):
        needs = jobs[later]["needs"]
        assert earlier in ([needs] if isinstance(needs, str) else needs)
    for wave in ("org", "datalake", "silos", "analytics"):
        assert f"needs.synth.outputs.{wave} != '[]'" in jobs[wave]["if"]


def test_drift_plans_every_stack_with_detailed_exit_code_and_manages_issues() -> None:
    drift = load("drift.yml")
    assert drift[True]["schedule"]  # PyYAML reads the key `on` as True
    steps = drift["jobs"]["drift"]["steps"]
    script = "\n".join(str(s.get("run", "")) for s in steps)
    assert "-detailed-exitcode" in script
    assert "gh issue create" in script and "gh issue edit" in script and "gh issue close" in script
    assert drift["permissions"]["issues"] == "write"
