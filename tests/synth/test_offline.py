"""Synth needs Python and Node.js only: no Terraform binary, no call to HashiCorp (issue 18).

The engine's ``move_from_id`` made every silo stack's synth run ``terraform version``
(exit 1 without a Terraform on PATH; a checkpoint call to HashiCorp with one). The
account baseline renders its ``moved`` blocks itself (``constructs/blocks/moved.py``);
these tests run the CLI with a PATH holding nothing but ``node`` and ``python``.
Everything that does run Terraform sets ``CHECKPOINT_DISABLE``.
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

from silolake.constructs.account.baseline import LEGACY_ADDRESSES
from silolake.review.affected import stack_hashes
from tests.conftest import EXAMPLE, REPO

SILO_STACK = "silo-sales"


def _bin_dir(tmp_path: Path, *, recording_terraform: Path | None = None) -> Path:
    """A PATH directory with ``node`` and ``python`` (and, if asked, a ``terraform`` that
    records each call and fails)."""
    node = shutil.which("node")
    assert node, "the engine needs Node.js"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "node").symlink_to(node)
    (bin_dir / "python").symlink_to(sys.executable)
    if recording_terraform is not None:
        stub = bin_dir / "terraform"
        stub.write_text(f'#!/bin/sh\necho "$@" >> {recording_terraform}\nexit 1\n')
        stub.chmod(0o755)
    return bin_dir


def _synth(bin_dir: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CHECKPOINT_DISABLE"}  # nothing may need it
    env["PATH"] = str(bin_dir)
    return subprocess.run(
        [sys.executable, "-m", "silolake", "synth", str(EXAMPLE), "--out", str(out), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_silo_stack_synthesizes_without_terraform_on_path(tmp_path: Path, example_synth) -> None:
    bin_dir = _bin_dir(tmp_path)
    assert shutil.which("terraform", path=str(bin_dir)) is None
    out = tmp_path / "out"
    result = _synth(bin_dir, out, "--stack", SILO_STACK)
    assert result.returncode == 0, result.stderr
    doc = (out / "stacks" / SILO_STACK / "cdk.tf.json").read_text()
    moved = json.loads(doc)["moved"]
    # The baseline's moves and the owners' (positional to e-mail-keyed addresses, docs/day-2.md).
    owners = {m["from"] for m in moved if m["from"].startswith(("aws_cognito_user.", "aws_sns_topic_subscription."))}
    assert {m["from"] for m in moved} - owners == set(LEGACY_ADDRESSES.values())
    assert all(set(m) == {"from", "to"} for m in moved)
    assert moved == example_synth.stack(SILO_STACK)["moved"]
    assert stack_hashes(out) == stack_hashes(example_synth.out, [SILO_STACK])


def test_synth_without_node_says_so_in_one_line(tmp_path: Path) -> None:
    """No Node.js: a one-line error and exit 2 before the engine starts, nothing written."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    env["PATH"] = str(bin_dir)
    result = subprocess.run(
        [sys.executable, "-m", "silolake", "synth", str(EXAMPLE), "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "error: synth needs Node.js 20 on PATH" in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_full_synth_runs_no_terraform_and_equals_a_normal_synth(tmp_path: Path, example_synth) -> None:
    calls = tmp_path / "terraform-calls"
    bin_dir = _bin_dir(tmp_path, recording_terraform=calls)
    out = tmp_path / "out"
    result = _synth(bin_dir, out, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert not calls.exists(), f"synth ran terraform: {calls.read_text()}"
    assert sorted(stack_hashes(out)) == sorted(example_synth.stack_names)
    assert stack_hashes(out) == stack_hashes(example_synth.out)  # every file of every stack, byte for byte


# --- CHECKPOINT_DISABLE wherever Terraform runs ----------------------------------------------

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml")) + sorted(
    (REPO / "silolake" / "templates" / "init" / "workflows").glob("*.yml")
)
BUILDSPECS = sorted((REPO / "delivery" / "buildspec").glob("*.yml"))
RUNS_TERRAFORM = re.compile(r"^\s*(- )?terraform |setup-terraform|silolake synth|dev\.py test|\.ci/run", re.M)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_workflows_running_terraform_disable_the_checkpoint(path: Path) -> None:
    text = path.read_text()
    if not RUNS_TERRAFORM.search(text):
        pytest.skip("runs no Terraform")
    # Top-level env (templates are str.format templates, so read as text, not YAML).
    assert re.search(r'^env:\n(  .*\n)*  CHECKPOINT_DISABLE: "1"\n', text, re.M), path


@pytest.mark.parametrize("path", BUILDSPECS, ids=lambda p: p.name)
def test_buildspecs_disable_the_checkpoint(path: Path) -> None:
    spec = yaml.safe_load(path.read_text())
    assert spec["env"]["variables"]["CHECKPOINT_DISABLE"] == "1"
