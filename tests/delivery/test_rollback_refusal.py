"""Issue 20, item 2: a silo pipeline refuses a bundle older than the one it last applied,
unless the catalog's ``pipeline.rollback_to`` names its commit.

The buildspecs' own lines run here as CodeBuild runs them (bash), offline: ``aws`` is a stub
on ``PATH`` that keeps the SSM parameter in a file (or fails as SSM does), ``/tmp/`` is a
scratch directory. The apply stage's record and the plan stage's check are the deployed text.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from silolake.aws import delivery_names
from silolake.catalog import CatalogError, load_catalog
from silolake.constructs.delivery import silo_pipeline
from silolake.release.stack_bundles import build_bundle, read_manifest

from ..stackjson import resources

ROOT = Path(__file__).resolve().parents[2]
PARAMETER = delivery_names.silo_pipeline_applied_parameter("sales")

#: ``aws ssm get-parameter`` / ``put-parameter`` over a file; ``$SSM_FAIL`` simulates another error.
AWS_STUB = """#!/usr/bin/env bash
store="$STUB_DIR/parameter"
if [ -n "${SSM_FAIL:-}" ]; then
  echo "An error occurred ($SSM_FAIL) when calling the GetParameter operation" >&2; exit 254
fi
case "$2" in
  get-parameter)
    if [ ! -f "$store" ]; then
      echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: " >&2; exit 254
    fi
    cat "$store" ;;
  put-parameter)
    while [ $# -gt 0 ]; do [ "$1" = --value ] && printf '%s\\n' "$2" > "$store"; shift; done ;;
esac
"""


def _command(stage: str, phase: str, marker: str) -> str:
    spec = yaml.safe_load(silo_pipeline.buildspec(stage))
    return next(c for c in spec["phases"][phase]["commands"] if marker in c)


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    (tmp_path / "bin").mkdir()
    stub = tmp_path / "bin" / "aws"
    stub.write_text(AWS_STUB)
    stub.chmod(0o755)
    return tmp_path


def _run(sandbox: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = script.replace("/tmp/", f"{sandbox}/")
    environ = {
        **os.environ,
        "PATH": f"{sandbox / 'bin'}:{os.environ['PATH']}",
        "STUB_DIR": str(sandbox),
        "APPLIED_PARAMETER": PARAMETER,
        "SILOLAKE_ROLLBACK_TO": "",
        **env,
    }
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script], capture_output=True, text=True, env=environ, cwd=sandbox
    )


def _bundle(sandbox: Path, commit: str, sequence: int | None) -> None:
    manifest: dict = {"format": 1, "stack": "silo-sales", "commit": commit}
    if sequence is not None:
        manifest["sequence"] = sequence
    with zipfile.ZipFile(sandbox / "bundle.zip", "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
    (sandbox / "manifest.json").write_text(json.dumps(manifest))  # the apply stage's input artifact


def plan_check(sandbox: Path, commit: str, sequence: int | None, **env: str) -> subprocess.CompletedProcess[str]:
    _bundle(sandbox, commit, sequence)
    return _run(sandbox, _command("plan", "pre_build", "APPLIED_PARAMETER"), **env)


def apply_record(sandbox: Path) -> None:
    lines = [_command("apply", "build", "record="), _command("apply", "build", "put-parameter")]
    done = _run(sandbox, "\n".join(lines))
    assert done.returncode == 0, done.stderr


def test_first_bundle_is_applied_and_recorded(sandbox: Path) -> None:
    done = plan_check(sandbox, "a" * 40, 100)
    assert done.returncode == 0, done.stderr
    apply_record(sandbox)
    assert (sandbox / "parameter").read_text().strip() == f"100:{'a' * 40}"


def test_an_older_bundle_is_refused_a_newer_or_the_same_one_is_not(sandbox: Path) -> None:
    (sandbox / "parameter").write_text(f"200:{'b' * 40}\n")
    refused = plan_check(sandbox, "a" * 40, 100)
    assert refused.returncode != 0
    assert "refused" in refused.stderr and "pipeline.rollback_to" in refused.stderr
    assert plan_check(sandbox, "c" * 40, 300).returncode == 0
    assert plan_check(sandbox, "b" * 40, 200).returncode == 0  # a re-run of the applied bundle
    # A bundle without a sequence (an older master build) cannot be ordered: refused too.
    assert plan_check(sandbox, "d" * 40, None).returncode != 0


def test_rollback_flag_names_the_one_commit_allowed_back(sandbox: Path) -> None:
    (sandbox / "parameter").write_text(f"200:{'b' * 40}\n")
    allowed = plan_check(sandbox, "a" * 40, 100, SILOLAKE_ROLLBACK_TO="aaaaaaa")
    assert allowed.returncode == 0 and "rollback" in allowed.stdout
    assert plan_check(sandbox, "e" * 40, 100, SILOLAKE_ROLLBACK_TO="aaaaaaa").returncode != 0  # another commit
    assert plan_check(sandbox, "a" * 40, 100, SILOLAKE_ROLLBACK_TO="aaa").returncode != 0  # too short to name one
    apply_record(sandbox)
    assert (sandbox / "parameter").read_text().strip() == f"100:{'a' * 40}"  # the rollback is now the last applied


def test_an_unreadable_record_refuses(sandbox: Path) -> None:
    """Only a missing parameter means "nothing applied yet"; any other error stops the build."""
    done = plan_check(sandbox, "a" * 40, 100, SSM_FAIL="AccessDeniedException")
    assert done.returncode != 0 and "AccessDeniedException" in done.stderr


def test_the_master_build_orders_its_bundles(tmp_path: Path) -> None:
    master = yaml.safe_load((ROOT / delivery_names.MASTER_BUILDSPEC).read_text())
    commands = master["phases"]["build"]["commands"]
    assert any("SEQUENCE=" in c and "%ct" in c for c in commands)
    assert any(c.startswith(".venv/bin/silolake bundle ") and '--sequence "${SEQUENCE}"' in c for c in commands)
    stack = tmp_path / "silo-sales"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text("{}")
    built = build_bundle(stack, tmp_path / "out", commit="a" * 40, sequence=1765000000)
    assert read_manifest(built.path)["sequence"] == 1765000000


def test_the_catalog_names_the_rollback(tmp_path: Path) -> None:
    """``pipeline.rollback_to`` reaches the plan project; the record's parameter is named there too."""
    text = (ROOT / "silos.yaml").read_text()
    assert "    pipeline: {approval: true}\n" in text  # silo sales
    changed = text.replace(
        "    pipeline: {approval: true}\n", "    pipeline: {approval: true, rollback_to: abcdef1}\n", 1
    )
    (tmp_path / "silos.yaml").write_text(changed)
    (tmp_path / "accounts.lock.json").write_text((ROOT / "accounts.lock.json").read_text())
    (tmp_path / "glue_src").mkdir()
    sales = next(s for s in load_catalog(tmp_path / "silos.yaml").silos if s.name == "sales")
    assert sales.pipeline_rollback_to == "abcdef1"
    (tmp_path / "silos.yaml").write_text(changed.replace("rollback_to: abcdef1", "rollback_to: HEAD~1"))
    with pytest.raises(CatalogError, match=r"silos.yaml:\d+:\d+: .*rollback_to"):
        load_catalog(tmp_path / "silos.yaml")


def test_every_project_carries_the_record_and_the_flag(example_synth) -> None:
    for project in resources(example_synth.stack("silo-sales"), "aws_codebuild_project").values():
        env = {v["name"]: v["value"] for v in project["environment"]["environment_variable"]}
        assert env["APPLIED_PARAMETER"] == PARAMETER and env["SILOLAKE_ROLLBACK_TO"] == ""
