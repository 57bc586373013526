"""``silolake access-diff`` on a generated 20-silo catalog, evaluated by the offline IAM engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from silolake.review.access_diff import AccessChange, _changes, _Principal, access_diff, render_markdown
from silolake.review.affected import comparison

from .generated import git, make_repo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("access") / "repo"
    make_repo(path, 20)
    return path


@pytest.fixture
def catalog(repo: Path):
    yield repo / "silos.yaml"
    git(repo, "checkout", "-q", "--", ".")


def diff(catalog: Path) -> list[AccessChange]:
    with comparison(catalog, "HEAD") as cmp:
        return access_diff(cmp)


def test_adding_a_silo_to_a_consumer_shows_exactly_that_gain(catalog: Path) -> None:
    catalog.write_text(catalog.read_text().replace("silos: [silo01, silo02]", "silos: [silo01, silo02, silo03]"))
    changes = diff(catalog)
    assert [(c.who, c.sign, c.silo, c.what, c.expected) for c in changes] == [
        ("analytics `audit` readers", "+", "silo03", "catalog", True),
        ("analytics `audit` readers", "+", "silo03", "processed", True),
    ]
    md = render_markdown(changes)
    assert "- analytics `audit` readers: + read `silo-silo03` processed" in md and "UNEXPECTED" not in md


def test_decommission_shows_the_loss_for_every_reader(catalog: Path) -> None:
    text = catalog.read_text()
    catalog.write_text(text.replace("- name: silo02\n", "- name: silo02\n  decommission: true\n"))
    lines = {c.line() for c in diff(catalog)}
    assert lines == {
        f"analytics `{consumer}` readers: - read `silo-silo02` {what}"
        for consumer in ("audit", "bi")
        for what in ("catalog", "processed")
    }


def test_a_change_without_access_effect_reports_nothing(catalog: Path) -> None:
    text = catalog.read_text()
    i = text.index("type: double", text.index("- name: silo07\n"))
    catalog.write_text(text[:i] + "type: float" + text[i + len("type: double") :])
    assert diff(catalog) == []


def test_gains_beyond_entitlement_are_unexpected(example_catalog) -> None:
    """Classification alone: raw data, a silo the consumer does not read, a pipeline of another silo."""
    reader = _Principal("arn:aws:iam::777777777777:role/auditor", "finance-audit", "auditor", "p", "o")
    pipeline = _Principal("arn:aws:iam::000000000001:role/silolake-other-pipeline", None, "a pipeline", "p", "o")
    allowed = {
        "base": set(),
        "head": {
            f"{reader.arn}|sales|processed",  # entitled
            f"{reader.arn}|sales|raw",  # never shared
            f"{reader.arn}|facilities|processed",  # not in finance-audit's list
            f"{pipeline.arn}|sales|processed",
        },
    }
    got = {(c.silo, c.what, c.expected) for c in _changes(example_catalog, [reader, pipeline], allowed)}
    assert got == {
        ("sales", "processed", True),
        ("sales", "raw", False),
        ("facilities", "processed", False),
        ("sales", "processed", False),
    }
    assert "🚨 **UNEXPECTED**" in render_markdown(_changes(example_catalog, [reader, pipeline], allowed))
