"""Tools say when they cannot see (issue 18, item 4).

``access-diff``, ``affected`` and ``plan-summary`` refuse (exit 2, one ``error:`` line
naming the missing input and what fills it) when their inputs cannot support an answer,
instead of printing an empty "nothing changed"; a partial answer that is still useful
carries a loud notice. None of these tests synthesizes anything.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.cli import main
from silolake.errors import EXIT_INVALID
from silolake.review.access_diff import AccessDiffError, access_diff, render_markdown, unevaluated
from silolake.review.affected import comparison
from silolake.review.plan_summary import load_plan, summarize_plan
from tests.conftest import FIXTURE_DIR
from tests.delivery.generated import git

PLAN = {"format_version": "1.2", "terraform_version": "1.15.0", "planned_values": {}}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def refused(result, *needles: str) -> str:
    """The one-line error of a refusal (exit 2, no report on standard output)."""
    assert result.exit_code == EXIT_INVALID, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stdout == ""
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


# --- access-diff -------------------------------------------------------------------------


@pytest.fixture
def unbootstrapped(tmp_path: Path) -> Path:
    """A catalog repository whose lock file has no organization ids (before bootstrap)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(FIXTURE_DIR / "silos.yaml", repo / "silos.yaml")
    lock = json.loads((FIXTURE_DIR / "accounts.lock.json").read_text())
    del lock["organization"]
    (repo / "accounts.lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "catalog")
    return repo / "silos.yaml"


def test_access_diff_before_bootstrap_refuses_instead_of_reporting_no_change(unbootstrapped: Path) -> None:
    # A consumer newly entitled to a silo: before bootstrap, sharing fails closed on both sides.
    text = unbootstrapped.read_text()
    unbootstrapped.write_text(text.replace("silos: [sales, logistics]", "silos: [sales, logistics, facilities]"))
    line = refused(
        run("access-diff", str(unbootstrapped), "--base", "HEAD"), "accounts.lock.json", "silolake bootstrap"
    )
    assert "No principal" not in line


def test_access_diff_api_refuses_the_same(unbootstrapped: Path) -> None:
    with comparison(unbootstrapped, "HEAD") as cmp, pytest.raises(AccessDiffError, match="silolake bootstrap"):
        access_diff(cmp)


def test_silos_read_without_an_account_are_named_as_not_evaluated(example_catalog) -> None:
    pending = {s.name for s in example_catalog.pending_silos}
    assert pending, "the example has a silo without an account"
    lines = unevaluated(example_catalog)
    assert lines and all("has no account yet: its access is not evaluated" in line for line in lines)
    assert {line.split("'")[1] for line in lines} <= pending
    md = render_markdown([], lines)
    assert "> [!WARNING]" in md and f"> - {lines[0]}" in md
    assert "No principal gains or loses read access to the silo data evaluated." in md
    assert "WARNING" not in render_markdown([], [])  # fully evaluated: no notice


# --- affected ----------------------------------------------------------------------------


def test_affected_with_an_unknown_base_refuses(unbootstrapped: Path) -> None:
    refused(run("affected", str(unbootstrapped), "--base", "no-such-ref"), "no-such-ref")


def test_affected_outside_a_git_checkout_refuses(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_DIR / "silos.yaml", tmp_path / "silos.yaml")
    shutil.copy(FIXTURE_DIR / "accounts.lock.json", tmp_path / "accounts.lock.json")
    refused(run("affected", str(tmp_path / "silos.yaml"), "--base", "HEAD"), "not a git repository")


def test_affected_without_git_refuses(unbootstrapped: Path, tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    refused(run("affected", str(unbootstrapped), "--base", "HEAD"), "git is not installed")


# --- plan-summary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "not a readable JSON plan"),  # `terraform show -json` failed: an empty file
        ("[]", "format_version missing"),
        ('{"format_version": "1.0", "values": {}}', "a state, not a plan"),
        (json.dumps({**PLAN, "errored": True}), "the plan errored"),
    ],
    ids=["empty", "not-an-object", "state", "errored"],
)
def test_plan_summary_refuses_what_is_not_a_whole_plan(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "silo-sales.json"
    path.write_text(content)
    refused(run("plan-summary", str(path)), str(path), needle)


def test_plan_summary_refuses_when_any_one_plan_is_not_a_plan(tmp_path: Path) -> None:
    good, bad = tmp_path / "silo-a.json", tmp_path / "silo-b.json"
    good.write_text(json.dumps(PLAN))
    bad.write_text("")
    refused(run("plan-summary", str(good), str(bad)), "silo-b.json")


def test_an_incomplete_plan_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "silo-sales.json"
    path.write_text(json.dumps({**PLAN, "complete": False}))
    result = run("plan-summary", str(path))
    assert result.exit_code == 0, result.output
    assert "Incomplete plan(s), more changes follow: `silo-sales`." in result.stdout
    assert "> Incomplete plan (`complete: false`" in result.stdout
    assert summarize_plan("x", load_plan(path)).incomplete
    assert not summarize_plan("x", {**PLAN, "complete": True}).incomplete
    assert not summarize_plan("x", PLAN).incomplete  # a plan without the field
