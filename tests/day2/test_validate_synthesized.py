"""``silolake validate --base REF --synthesized``: the synthesized stacks of base and head are
compared resource by resource (docs/day-2.md), on a generated catalog in a scratch git repository.

The catalog rules cannot see a change of what the framework synthesizes for the same catalog:
here the base revision's framework named a flow's Firehose log group differently, so the head
would *replace* it (``name`` is ForceNew) although the catalog did not change. The catalog
rules accept that; the synthesized comparison refuses it, located at the flow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.delivery.generated import make_repo

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _validate(catalog: Path, *args: str) -> subprocess.CompletedProcess:
    # The head is the code under test; the base is synthesized by the base's own code.
    env = dict(os.environ, PYTHONPATH=str(REPO), CHECKPOINT_DISABLE="1")
    cmd = [sys.executable, "-m", "silolake", "validate", str(catalog), "--base", "HEAD", *args]
    return subprocess.run(cmd, cwd=catalog.parent, env=env, capture_output=True, text=True, check=False)


def _framework_repo(repo: Path) -> None:
    shutil.copytree(REPO / "silolake", repo / "silolake", ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    shutil.copytree(REPO / "delivery", repo / "delivery", ignore=shutil.ignore_patterns("__pycache__"))


def test_a_replaced_log_group_is_refused_at_its_flow(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _framework_repo(repo)
    names_py = repo / "silolake" / "aws" / "names.py"
    today = names_py.read_text()
    old = 'return f"/aws/kinesisfirehose/{stream}"'
    assert old in today
    names_py.write_text(today.replace(old, 'return f"/aws/kinesisfirehose/{stream}-v0"'))
    catalog = make_repo(repo, 2)  # commits the base: its framework names the log group "...-v0"
    names_py.write_text(today)  # the head: today's name

    plain = _validate(catalog)
    assert plain.returncode == 0, plain.stderr  # the catalog rules see no change

    done = _validate(catalog, "--synthesized")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if "aws_cloudwatch_log_group." in line]
    # silo01 has the api flow (a Firehose stream); located at that flow, naming stack and fix.
    assert len(lines) == 1, done.stderr
    assert ": silos[0].flows[0]: " in lines[0]
    assert "stack 'silo-silo01'" in lines[0] and "ForceNew name changed" in lines[0]
    assert "renamed_from" in lines[0]
    assert "Traceback" not in done.stderr


def test_a_guarded_rename_compares_clean_and_says_so(tmp_path: Path) -> None:
    """Same framework on both sides: only the renamed flow's silo is synthesized, its
    addresses move (``moved`` blocks) and AWS names stay, so nothing is lost."""
    repo = tmp_path / "repo"
    _framework_repo(repo)
    catalog = make_repo(repo, 2)
    text = catalog.read_text()
    first = text.index("  - name: events\n", text.index("- name: silo01"))
    catalog.write_text(text[:first] + "  - name: clicks\n    renamed_from: events\n" + text[first + 17 :])

    done = _validate(catalog, "--synthesized")
    assert done.returncode == 0, done.stderr
    assert "synthesized stacks compared: nothing destroyed or replaced" in done.stderr
    assert (repo / "cdktf.out" / ".synth-cache").is_dir()  # both sides went through the synth cache


def test_the_stacks_compared_are_named_and_none_is_said(tmp_path: Path) -> None:
    """A file base, synthesized in process with this code: the line names the stacks the
    change touched (issue 21: the run did not say what it compared); an unchanged catalog
    touches none, and says so (nothing synthesized: the catalog inputs are equal)."""
    from click.testing import CliRunner

    from silolake.cli import main

    catalogs = REPO / "tests" / "day2" / "catalogs"
    base = (catalogs / "base.yaml").read_text()
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "accounts.lock.json").write_text((catalogs / "accounts.lock.json").read_text())
    head = tmp_path / "silos.yaml"
    args = ["validate", str(head), "--base", str(tmp_path / "base.yaml"), "--synthesized"]
    args += ["--cache-dir", str(tmp_path / "cache")]

    head.write_text(base)
    same = CliRunner().invoke(main, args)
    assert same.exit_code == 0, same.output
    assert "synthesized stacks affected: none (every stack synthesizes as in the base)" in same.output
    assert "nothing destroyed or replaced" not in same.output  # nothing was compared

    head.write_text(base.replace("owners: [b@beta.example]", "owners: [b@beta.example, e@beta.example]"))
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert f"change ({tmp_path / 'base.yaml'}): synthesized stacks affected: compared silo-plant\n" in done.output
    assert "synthesized stacks compared: nothing destroyed or replaced" in done.output


def test_a_replaced_organizations_account_is_refused_at_its_silo(tmp_path: Path) -> None:
    """The org stack's account of an email-only silo, lost in the synthesized comparison, is
    located at that silo (issue 21: it was located at ``(document)``) with the advice that
    fits an account the organization created (the lock, bootstrap), not the flows' fix. The
    base revision's framework named the account differently: ``name`` is ForceNew."""
    from tests.delivery.generated import git

    repo = tmp_path / "repo"
    _framework_repo(repo)
    names_py = repo / "silolake" / "aws" / "names.py"
    today = names_py.read_text()
    old = 'return f"{org}-silo-{silo}"'
    assert old in today
    names_py.write_text(today.replace(old, 'return f"{org}-silo-{silo}-v0"'))
    catalog = make_repo(repo, 1)
    catalog.write_text(catalog.read_text().replace('  account_id: "100000000001"\n', "  email: silo01@gen.example\n"))
    git(repo, "commit", "-qam", "silo01 by e-mail")  # the base: its framework names the account "...-v0"
    names_py.write_text(today)

    done = _validate(catalog, "--synthesized")
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = [x for x in done.stderr.splitlines() if "aws_organizations_account.silo_account_silo01" in x]
    assert ": silos[0].email: " in line and "stack 'org'" in line and "ForceNew name changed" in line
    assert "the account the organization created for the silo" in line and "accounts.lock.json" in line
    assert "Traceback" not in done.stderr
