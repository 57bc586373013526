"""Adoption: ``silolake init``, and the repository's catalog replaced by another company's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.catalog import load_catalog
from silolake.cli import main
from tests.conftest import REPO

CATALOGS = Path(__file__).parent / "catalogs"
INIT = ["--name", "globex", "--management-account-id", "210000000001", "--datalake-account-id", "210000000002"]


def test_init_writes_a_valid_repository_layout(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "lake"), *INIT, "--owner", "ops@globex.example"])
    assert result.exit_code == 0, result.output
    lake = tmp_path / "lake"
    files = sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/ci.yml",
        ".github/workflows/plan.yml",
        ".gitignore",
        "README.md",
        "accounts.lock.json",
        "glue_src/README.md",
        "requirements.txt",
        "silos.schema.json",
        "silos.yaml",
    ]
    catalog = load_catalog(lake / "silos.yaml")
    assert catalog.organization.management_account_id == "210000000001"
    assert [s.email for s in catalog.silos] == ["aws-globex-first@globex.example"]
    assert "globex" in (lake / "README.md").read_text()
    assert '"management_account_id": "210000000001"' in (lake / "accounts.lock.json").read_text()
    ci = (lake / ".github/workflows/ci.yml").read_text()
    assert 'silolake validate silos.yaml --base "origin/${{ github.base_ref }}"' in ci
    assert "run \\`silolake bootstrap\\`" in (lake / ".github/workflows/plan.yml").read_text()
    again = CliRunner().invoke(main, ["init", str(lake), *INIT, "--owner", "ops@globex.example"])
    assert again.exit_code == 2 and "never overwrites" in again.output


def test_init_with_bad_options_writes_nothing(tmp_path):
    result = CliRunner().invoke(
        main, ["init", str(tmp_path / "lake"), "--name", "Globex", *INIT[2:], "--owner", "o@x.example"]
    )
    assert result.exit_code == 2 and "organization.name" in result.output
    assert not any((tmp_path / "lake").rglob("*.yaml"))


@pytest.mark.slow
def test_catalog_checks_run_on_another_company_catalog(tmp_path):
    """A temporary copy of the repository whose silos.yaml (and lock) are replaced by a
    different valid catalog: the catalog-level checks run there and pass."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("silolake", "tests", "security", "glue_src", "delivery"):
        shutil.copytree(
            REPO / name, copy / name, symlinks=True, ignore=shutil.ignore_patterns("node_modules", "__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", copy)
    for engine in (("silolake", "ops", "iam"), ("tests", "etl", "asl")):  # npm packages, installed once by setup
        (copy.joinpath(*engine) / "node_modules").symlink_to(REPO.joinpath(*engine) / "node_modules")
    (copy / ".venv-checkov").symlink_to((REPO / ".venv-checkov").resolve())
    shutil.copy(CATALOGS / "base.yaml", copy / "silos.yaml")
    shutil.copy(CATALOGS / "accounts.lock.json", copy / "accounts.lock.json")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "silos.yaml"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "-qm", "catalog"], cwd=copy, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SILOLAKE_", "PYTEST_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/catalog_checks", "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=copy,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "5 passed" in proc.stdout, proc.stdout[-2000:]
