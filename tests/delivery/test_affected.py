"""``silolake affected`` on a generated 20-silo catalog in a scratch git repository.

Each test edits the working tree against the committed base (``HEAD``). The last test
checks the catalog projections against the ground truth: full synths of base and head.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from silolake.catalog import load_catalog
from silolake.review.affected import affected, stack_hashes, stack_inputs

from .generated import account, catalog_yaml, git, make_repo

pytestmark = pytest.mark.slow

N = 20


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("affected") / "repo"
    make_repo(path, N)
    return path


@pytest.fixture
def catalog(repo: Path):
    """The catalog path; the working tree is reset to the base after each test."""
    yield repo / "silos.yaml"
    git(repo, "checkout", "-q", "--", ".")


def edit(path: Path, old: str, new: str, *, after: str = "") -> None:
    text = path.read_text()
    start = text.index(after) if after else 0
    i = text.index(old, start)
    path.write_text(text[:i] + new + text[i + len(old) :])


def test_one_flow_columns_change_affects_that_silo_only(catalog: Path) -> None:
    edit(catalog, "type: double", "type: float", after="- name: silo07\n")
    result = affected(catalog, "HEAD")
    assert result.candidates == ["silo-silo07"]
    assert result.stacks == ["silo-silo07"] and not result.framework_changed


def test_a_yaml_comment_affects_nothing_and_synthesizes_nothing(catalog: Path) -> None:
    edit(catalog, "silos:\n", "silos:\n# the silos, one account each\n")
    edit(catalog, "keys: [event_id]", "keys: [event_id]  # dedup key", after="- name: silo05\n")
    calls: list = []
    result = affected(catalog, "HEAD", synth=lambda *args: calls.append(args))
    assert (result.stacks, result.candidates, calls) == ([], [], [])


def test_adding_a_silo_affects_org_then_its_stack_once_its_account_is_known(catalog: Path) -> None:
    new_silo = (
        "- name: newsilo\n  email: new@gen.example\n  owners: [n@gen.example]\n  flows:\n"
        "  - name: events\n    source: api\n    columns:\n    - {name: event_id, type: string}\n"
    )
    catalog.write_text(catalog.read_text() + new_silo)
    assert affected(catalog, "HEAD").stacks == ["org"]
    lock_path = catalog.parent / "accounts.lock.json"
    lock = json.loads(lock_path.read_text())
    lock["accounts"]["newsilo"] = account(77)
    lock_path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
    # bi reads every silo: its workspace gains the new silo's catalog. The datalake account
    # forwards the new account's bundle events to its pipeline (one rule per piped account).
    assert affected(catalog, "HEAD").stacks == ["org", "datalake", "silo-newsilo", "analytics-bi"]


def test_a_consumers_silo_list_affects_it_and_the_silos_whose_sharing_changed(catalog: Path) -> None:
    edit(catalog, "silos: [silo01, silo02]", "silos: [silo01, silo02, silo03]")
    result = affected(catalog, "HEAD")
    assert result.stacks == ["silo-silo03", "analytics-audit"]


def test_projections_never_miss_a_change(repo: Path, catalog: Path, tmp_path: Path) -> None:
    """Ground truth: full synths of base and head; affected must equal the stacks whose hash differs."""
    from silolake.synth.app import synthesize

    base_out = tmp_path / "base"
    synthesize(load_catalog(catalog), base_out)
    text = catalog_yaml(N, audit="[silo02, silo04]")
    text = text.replace(
        "region: eu-central-1\n  owners: [team5@", "region: eu-central-1\n  decommission: true\n  owners: [team5@"
    )
    text = text.replace("reader_roles: [bi-reader]", "reader_roles: [bi-reader, bi-service]")
    catalog.write_text(text)
    head_out = tmp_path / "head"
    synthesize(load_catalog(catalog), head_out)
    base, head = stack_hashes(base_out), stack_hashes(head_out)
    truth = {n for n in head if base.get(n) != head[n]}
    assert truth  # the edit is real
    result = affected(catalog, "HEAD")
    assert set(result.stacks) == truth
    # Same inputs, same hashes: the per-stack synth writes what the full synth writes.
    kept = tmp_path / "kept"
    affected(catalog, "HEAD", head_out=kept)
    assert stack_hashes(kept) == {n: head[n] for n in stack_hashes(kept)}


def test_inputs_ignore_where_the_catalog_lives(repo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    assert stack_inputs(load_catalog(copy / "silos.yaml")) == stack_inputs(load_catalog(repo / "silos.yaml"))


def test_a_framework_change_makes_every_stack_a_candidate_and_hashes_decide(tmp_path: Path) -> None:
    """The base is synthesized by the base's own code (a copy of the framework committed in
    the scratch repository); a comment-only framework change affects nothing."""
    repo = tmp_path / "repo"
    framework = Path(__file__).resolve().parents[2] / "silolake"
    shutil.copytree(framework, repo / "silolake", ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    # The runtime assets (Lambda code, Glue jobs, pages, buildspecs) came with the package;
    # the master buildspec stays in the repository.
    shutil.copytree(framework.parent / "delivery", repo / "delivery", ignore=shutil.ignore_patterns("__pycache__"))
    catalog = make_repo(repo, 2)
    names_py = repo / "silolake" / "aws" / "names.py"
    names_py.write_text(names_py.read_text() + "\n# a comment changes no output\n")
    result = affected(catalog, "HEAD")
    assert result.framework_changed
    assert result.candidates == ["org", "datalake", "silo-silo01", "silo-silo02", "analytics-bi", "analytics-audit"]
    assert result.stacks == []
