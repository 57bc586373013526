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
from silolake.dev.init import synth_lock
from tests.conftest import REPO

CATALOGS = Path(__file__).parent / "catalogs"
INIT = ["--name", "globex", "--management-account-id", "210000000001", "--datalake-account-id", "210000000002"]
FIRST = ["--region", "eu-west-1", "--silo", "sales", "--account-id", "210000000003"]


def test_init_writes_a_valid_repository_layout(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "lake"), *INIT, *FIRST, "--owner", "ops@globex.example"])
    assert result.exit_code == 0, result.output
    lake = tmp_path / "lake"
    files = sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file())
    expected = [
        ".github/actions/setup-silolake/action.yml",
        ".github/workflows/apply-stack.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/deploy.yml",
        ".github/workflows/drift.yml",
        ".github/workflows/plan.yml",
        ".gitignore",
        "README.md",
        "accounts.lock.json",
        "delivery/buildspec/master.yml",
        "glue_src/README.md",
        *(["requirements.lock"] if synth_lock() is not None else []),
        "requirements.txt",
        "silos.schema.json",
        "silos.yaml",
    ]
    assert files == expected
    catalog = load_catalog(lake / "silos.yaml")
    assert catalog.organization.management_account_id == "210000000001"
    assert [(s.name, s.account_id, s.email, s.region) for s in catalog.silos] == [
        ("sales", "210000000003", None, "eu-west-1")
    ]
    assert "globex" in (lake / "README.md").read_text()
    assert '"management_account_id": "210000000001"' in (lake / "accounts.lock.json").read_text()
    ci = (lake / ".github/workflows/ci.yml").read_text()
    assert 'silolake validate silos.yaml --base "origin/${{ github.base_ref }}"' in ci
    assert "run \\`silolake bootstrap\\`" in (lake / ".github/workflows/plan.yml").read_text()
    again = CliRunner().invoke(main, ["init", str(lake), *INIT, *FIRST, "--owner", "ops@globex.example"])
    assert again.exit_code == 2 and "never overwrites" in again.output


def test_init_with_bad_options_writes_nothing(tmp_path):
    result = CliRunner().invoke(
        main, ["init", str(tmp_path / "lake"), "--name", "Globex", *INIT[2:], *FIRST, "--owner", "o@x.example"]
    )
    assert result.exit_code == 2 and "--name 'Globex' is not valid" in result.output
    assert not (tmp_path / "lake").exists() or not any((tmp_path / "lake").rglob("*"))


@pytest.mark.parametrize(
    "args,message",
    [
        ([*INIT, "--owner", "o@x.example"], "Missing option '--region'"),
        ([*INIT, "--region", "eu-west-1", "--owner", "o@x.example"], "Missing option '--silo'"),
        ([*INIT, "--region", "eu-west-1", "--silo", "s", "--owner", "o@x.example"], "Missing option '--account-id'"),
        (
            [*INIT, *FIRST[:-1], "12345", "--owner", "o@x.example"],
            "--account-id '12345' is not valid: expected 12 digits",
        ),
        ([*INIT, "--region", "eu-west", *FIRST[2:], "--owner", "o@x.example"], "--region 'eu-west' is not valid"),
        ([*INIT, *FIRST[:-1], "210000000002", "--owner", "o@x.example"], "is the management or data lake account"),
        ([*INIT, *FIRST, "--owner", "o@x.example", "--repository", "nope"], "--repository 'nope' is not valid"),
    ],
)
def test_init_requires_a_real_first_silo(tmp_path, args, message):
    """No placeholder silo: the first silo is an existing account, named on the command line."""
    result = CliRunner().invoke(main, ["init", str(tmp_path / "lake"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "lake" / "silos.yaml").exists()


def test_init_with_a_repository_enables_the_plan_roles(tmp_path):
    args = [*INIT, *FIRST, "--owner", "o@globex.example", "--repository", "globex/datalake"]
    assert CliRunner().invoke(main, ["init", str(tmp_path / "lake"), *args]).exit_code == 0
    catalog = load_catalog(tmp_path / "lake" / "silos.yaml")
    assert catalog.github_repository == "globex/datalake"


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


def test_validate_notices_a_master_buildspec_the_repository_cannot_run(tmp_path):
    """delivery.pipeline in a catalog repository whose buildspec is missing, or is the
    framework's (scripts/dev.py): validate says so instead of the master build failing."""
    lake = tmp_path / "lake"
    assert CliRunner().invoke(main, ["init", str(lake), *INIT, *FIRST, "--owner", "o@globex.example"]).exit_code == 0
    catalog = lake / "silos.yaml"
    pipeline = (
        "delivery:\n  pipeline:\n    source:\n      connection: {provider: GitHub, repository: g/d, branch: main}\n"
    )
    catalog.write_text(catalog.read_text() + pipeline)
    result = CliRunner().invoke(main, ["validate", str(catalog)])
    assert result.exit_code == 0 and "notice:" not in result.output, result.output
    (lake / "delivery/buildspec/master.yml").write_text((REPO / "delivery/buildspec/master.yml").read_text())
    result = CliRunner().invoke(main, ["validate", str(catalog)])
    assert "runs scripts/dev.py, which this repository does not have" in result.output
    (lake / "delivery/buildspec/master.yml").unlink()
    result = CliRunner().invoke(main, ["validate", str(catalog)])
    assert "delivery.pipeline is set, but" in result.output and "does not exist" in result.output
