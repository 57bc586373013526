"""Issue 20: every merged commit's changes are deployed, although GitHub drops queued runs.

``concurrency: {group: deploy}`` keeps one run applying and one pending; a newer push cancels
the pending run. ``deploy.yml`` (the repository's and the one ``silolake init`` writes) therefore
diffs against the last commit every stack was deployed from (tag ``silolake-deployed``), which
its ``record`` job moves forward only after every wave succeeded. Proved by running the
workflow's own shell steps (``affected stacks``, ``record the deployed commit``) in real git
repositories, with a stand-in ``silolake`` that logs how it was called.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = {
    "repository": REPO / ".github" / "workflows" / "deploy.yml",
    "silolake init": REPO / "silolake" / "templates" / "init" / "workflows" / "deploy.yml",
}
WAVES = ["synth", "org", "bootstrap", "datalake", "silos", "analytics"]


def _workflow(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _step(workflow: dict, job: str, name: str) -> str:
    [step] = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    return step["run"]


@pytest.mark.parametrize("path", WORKFLOWS.values(), ids=WORKFLOWS.keys())
def test_deploys_queue_without_cancelling_and_record_what_they_deployed(path: Path) -> None:
    workflow = _workflow(path)
    assert workflow["concurrency"] == {"group": "deploy", "cancel-in-progress": False}
    assert workflow["env"]["DEPLOYED_TAG"] == "silolake-deployed"
    assert "github.event.before" not in path.read_text(encoding="utf-8")  # the previous push is no base
    record = workflow["jobs"]["record"]
    assert record["needs"] == WAVES
    assert "!contains(needs.*.result, 'failure')" in record["if"]
    assert "!contains(needs.*.result, 'cancelled')" in record["if"]
    assert workflow["permissions"]["contents"] == "write"  # pushes the tag


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


class Lake:
    """An origin repository, a developer's clone that pushes to main, and runners that clone fresh."""

    def __init__(self, root: Path, workflow: dict) -> None:
        self.root, self.workflow = root, workflow
        self.origin = root / "origin.git"
        _git(root, "init", "-q", "--bare", "-b", "main", str(self.origin))
        self.dev = root / "dev"
        _git(root, "clone", "-q", str(self.origin), str(self.dev))
        self.runs = 0

    def merge(self, label: str, *push: str) -> str:
        (self.dev / "silos.yaml").write_text(f"# {label}\n", encoding="utf-8")
        _git(self.dev, "add", "silos.yaml")
        _git(self.dev, "commit", "-q", "-m", label)
        _git(self.dev, "push", "-q", *push, "origin", "HEAD:main")
        return _git(self.dev, "rev-parse", "HEAD")

    def rewrite_history(self, label: str) -> str:
        """A forced push of a new root: the deployed commit is no longer in main's history."""
        _git(self.dev, "checkout", "-q", "--orphan", f"rewrite-{label}")
        return self.merge(label, "--force")

    def _runner(self, sha: str) -> tuple[Path, dict[str, str]]:
        self.runs += 1
        work = self.root / f"run-{self.runs}"
        _git(self.root, "clone", "-q", str(self.origin), str(work))  # actions/checkout, fetch-depth 0
        _git(work, "checkout", "-q", sha)
        fake = work / ".venv" / "bin" / "silolake"
        fake.parent.mkdir(parents=True)
        fake.write_text('#!/bin/sh\necho "$@" >> "$SILOLAKE_LOG"\necho "[]"\n', encoding="utf-8")
        fake.chmod(0o755)
        env = {
            **os.environ,
            "DEPLOYED_TAG": self.workflow["env"]["DEPLOYED_TAG"],
            "GITHUB_SHA": sha,
            "SILOLAKE_LOG": str(work / "calls.log"),
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
        return work, env

    def _shell(self, script: str, work: Path, env: dict[str, str]) -> None:
        # GitHub's `run` shell: bash --noprofile --norc -eo pipefail
        subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=work, env=env, check=True
        )

    def deploy(self, sha: str, succeeds: bool = True) -> list[str]:
        """One run of deploy.yml for ``sha``: the silolake calls of its synth step; ``record``
        runs only when every wave succeeded."""
        work, env = self._runner(sha)
        self._shell(_step(self.workflow, "synth", "affected stacks"), work, env)
        calls = (work / "calls.log").read_text(encoding="utf-8").splitlines()
        if succeeds:
            self.record(sha, work, env)
        return calls

    def record(self, sha: str, work: Path | None = None, env: dict[str, str] | None = None) -> None:
        if work is None or env is None:
            work, env = self._runner(sha)
        self._shell(_step(self.workflow, "record", "record the deployed commit"), work, env)

    def deployed(self) -> str:
        return _git(self.origin, "rev-parse", "-q", "--verify", "refs/tags/silolake-deployed^{commit}")


def _base(calls: list[str]) -> str | None:
    """The ``--base`` an ``affected`` call compared with, or ``None`` for a full synth."""
    for call in calls:
        words = call.split()
        if words[0] == "affected":
            return words[words.index("--base") + 1]
    assert [c.split()[0] for c in calls] == ["synth", "stacks"], calls
    return None


@pytest.mark.parametrize("path", WORKFLOWS.values(), ids=WORKFLOWS.keys())
def test_a_dropped_or_failed_run_is_deployed_by_the_next(path: Path, tmp_path: Path) -> None:
    lake = Lake(tmp_path, _workflow(path))
    a = lake.merge("A")
    assert _base(lake.deploy(a)) is None  # nothing deployed yet: every stack
    assert lake.deployed() == a

    lake.merge("B")  # its run waits behind another, then GitHub cancels it for C's
    c = lake.merge("C")
    assert _base(lake.deploy(c, succeeds=False)) == a  # B's changes are in C's diff
    assert lake.deployed() == a  # a failed run records nothing

    d = lake.merge("D")
    assert _base(lake.deploy(d)) == a  # so C's (and B's) changes are deployed again with D
    assert lake.deployed() == d

    lake.record(c)  # a re-run of C's old run succeeds late: the tag never moves back
    assert lake.deployed() == d

    e = lake.merge("E")
    assert _base(lake.deploy(e)) == d

    f = lake.rewrite_history("F")  # main no longer contains the deployed commit: every stack
    assert _base(lake.deploy(f)) is None
    assert lake.deployed() == f
