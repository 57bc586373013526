"""``silolake validate --base``: a silo leaves the catalog only after a decommission."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.catalog import CatalogError, load_catalog
from silolake.catalog.changes.history import base_problems, load_base
from silolake.cli import main
from tests.conftest import CATALOG_HEADER


def silo(name: str, account: str | None = None, *, email: str | None = None, decommission: bool = False) -> str:
    ident = f'account_id: "{account}"' if account else f"email: {email}"
    extra = "\n    decommission: true" if decommission else ""
    return f"  - name: {name}\n    {ident}\n    owners: [{name}@acme.example]{extra}\n"


def catalog(*silos: str) -> str:
    return CATALOG_HEADER + "".join(silos)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def validate(path: Path, base: str):
    return CliRunner().invoke(main, ["validate", str(path), "--base", base], catch_exceptions=False)


SALES = silo("sales", "444444444444")
HR = silo("hr", "555555555555")


def test_unchanged_catalog_passes(tmp_path):
    base = write(tmp_path / "base.yaml", catalog(SALES, HR))
    current = write(tmp_path / "silos.yaml", catalog(SALES, HR))
    result = validate(current, str(base))
    assert result.exit_code == 0, result.output


def test_vanished_silo_is_refused_with_what_to_do(tmp_path):
    base = write(tmp_path / "base.yaml", catalog(SALES, HR))
    current = write(tmp_path / "silos.yaml", catalog(SALES))
    result = validate(current, str(base))
    assert result.exit_code == 2
    [line] = [ln for ln in result.output.splitlines() if "silo 'hr'" in ln]
    assert line.startswith(f"{current}:10:")  # located at the silos list
    assert "set decommission: true on silo 'hr' and deploy that first; remove it in a later change" in line
    assert str(base) in line and "Traceback" not in result.output


def test_decommissioning_then_removing_is_accepted(tmp_path):
    step1_base = write(tmp_path / "v1.yaml", catalog(SALES, HR))
    step1 = write(tmp_path / "v2.yaml", catalog(SALES, silo("hr", "555555555555", decommission=True)))
    assert validate(step1, str(step1_base)).exit_code == 0
    step2 = write(tmp_path / "silos.yaml", catalog(SALES))
    assert validate(step2, str(step1)).exit_code == 0


def test_changed_account_id_is_refused(tmp_path):
    base = write(tmp_path / "base.yaml", catalog(SALES, HR))
    current = write(tmp_path / "silos.yaml", catalog(SALES, silo("hr", "666666666666")))
    result = validate(current, str(base))
    assert result.exit_code == 2
    assert "silos[1].account_id: silo 'hr' moved from account 555555555555" in result.output
    assert "to account 666666666666" in result.output and "decommission this silo and add a new one" in result.output


def test_email_silo_compares_through_the_lock(tmp_path):
    base = write(tmp_path / "base.yaml", catalog(SALES, silo("hr", email="aws-hr@acme.example")))
    write(tmp_path / "accounts.lock.json", json.dumps({"version": 1, "accounts": {"hr": "555555555555"}}))
    same = write(tmp_path / "silos.yaml", catalog(SALES, HR))  # email replaced by the id it resolved to
    assert validate(same, str(base)).exit_code == 0
    other = write(tmp_path / "silos.yaml", catalog(SALES, silo("hr", "777777777777")))
    problems = base_problems(load_catalog(other), load_base(str(base), other))
    assert [p.path for p in problems] == ["silos[1].account_id"]


def test_existing_silo_turned_into_email_is_refused(tmp_path):
    base = write(tmp_path / "base.yaml", catalog(SALES, HR))
    current = write(tmp_path / "silos.yaml", catalog(SALES, silo("hr", email="new-hr@acme.example")))
    result = validate(current, str(base))
    assert result.exit_code == 2
    assert "silos[1].name: silo 'hr' moved from account 555555555555" in result.output
    assert "an account the organization has yet to create" in result.output


# -- git revisions ----------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository whose catalog lives in a subdirectory (not the repository root)."""
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path / "lake" / "silos.yaml", catalog(SALES, HR))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    return tmp_path


def test_git_ref_base_refuses_a_vanished_silo(repo):
    current = write(repo / "lake" / "silos.yaml", catalog(SALES))
    result = validate(current, "HEAD")
    assert result.exit_code == 2
    assert (
        "silo 'hr' was removed" in result.output
        and "in the base (HEAD)" in result.output
        and "HEAD:./" not in result.output
    )


def test_git_ref_base_accepts_removal_after_decommission(repo):
    write(repo / "lake" / "silos.yaml", catalog(SALES, silo("hr", "555555555555", decommission=True)))
    git(repo, "commit", "-q", "-am", "decommission hr")
    current = write(repo / "lake" / "silos.yaml", catalog(SALES))
    assert validate(current, "main").exit_code == 0
    assert validate(current, "main~1").exit_code == 2  # before the decommission was merged


def test_unknown_base_is_a_located_error(repo):
    current = repo / "lake" / "silos.yaml"
    result = validate(current, "no-such-branch")
    assert result.exit_code == 2
    assert "--base 'no-such-branch' is neither a file nor a git revision containing silos.yaml" in result.output
    with pytest.raises(CatalogError):
        load_base("no-such-branch", current)


def test_lock_entries_without_an_email_silo_are_retired(tmp_path):
    """Accounts the organization created for silos that left (or now use account_id)."""
    write(
        tmp_path / "accounts.lock.json",
        json.dumps({"version": 1, "accounts": {"hr": "555555555555", "crm": "888888888888", "mkt": "999999999999"}}),
    )
    current = write(tmp_path / "silos.yaml", catalog(SALES, HR, silo("mkt", email="aws-mkt@acme.example")))
    loaded = load_catalog(current)
    assert loaded.retired_accounts == (("crm", "888888888888"), ("hr", "555555555555"))
    assert loaded.silo("mkt").account_id == "999999999999"
