"""Quoting hint, another organization's lock, and the not-yet-built feature notices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.catalog import CatalogError, load_catalog
from silolake.catalog.not_built import NOT_BUILT, not_built_notices
from silolake.cli import main
from tests.conftest import CATALOG_HEADER, EXAMPLE, REPO

SILO = """\
  - name: sales
    account_id: "444444444444"
    owners: [a@acme.example]
    flows:
      - name: orders
        source: api
        columns:
"""


def write(tmp_path: Path, columns: str) -> Path:
    path = tmp_path / "silos.yaml"
    path.write_text(CATALOG_HEADER + SILO + columns)
    return path


def test_unquoted_type_in_a_flow_mapping_gets_one_quoting_hint(tmp_path):
    path = write(tmp_path, "          - {name: amount, type: decimal(12,2)}\n          - {name: id, type: string}\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert [(p.path, p.line) for p in info.value.problems] == [("silos[0].flows[0].columns[0].type", 18)]
    assert 'quote the type: type: "decimal(12,2)"' in info.value.problems[0].message


def test_quoted_or_block_style_types_are_not_hinted(tmp_path):
    path = write(
        tmp_path,
        '          - {name: amount, type: "decimal(12,2)"}\n'
        "          - name: m\n            type: map<string,string>\n",
    )
    assert [c.type for c in load_catalog(path).silos[0].flows[0].columns] == ["decimal(12,2)", "map<string,string>"]


def test_a_lock_of_another_organization_is_a_located_error(tmp_path):
    path = write(tmp_path, "          - {name: id, type: string}\n")
    lock = {"version": 1, "accounts": {}, "management_account_id": "999999999999"}
    (tmp_path / "accounts.lock.json").write_text(json.dumps(lock, indent=2))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    [problem] = info.value.problems
    assert problem.file.endswith("accounts.lock.json") and problem.path == "management_account_id"
    assert "another organization's lock" in problem.message
    lock["management_account_id"] = "111111111111"
    (tmp_path / "accounts.lock.json").write_text(json.dumps(lock))
    load_catalog(path)


def test_not_built_features_print_one_notice_each(monkeypatch):
    """The table is empty today; a row for a feature the example uses gives exactly one notice."""
    from silolake.catalog import not_built

    row = not_built.Feature("silos[].ingestion.sftp", "a feature still to come", lambda s: s.ingestion.sftp_enabled)
    monkeypatch.setattr(not_built, "NOT_BUILT", (*NOT_BUILT, row))
    notices = not_built_notices(load_catalog(EXAMPLE))
    assert [n.split(" ")[0] for n in notices] == ["silos[].ingestion.sftp"]
    result = CliRunner().invoke(main, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0
    assert result.output.count("is accepted but not built yet") == 1


def test_readme_lists_exactly_the_not_built_features():
    readme = (REPO / "README.md").read_text()
    section = readme.split("<!-- not-built:begin -->")[1].split("<!-- not-built:end -->")[0]
    assert sorted(line.split("`")[1] for line in section.splitlines() if line.startswith("- `")) == sorted(
        f.key for f in NOT_BUILT
    )


def test_renamed_from_and_removed_flows_may_not_reuse_aws_names(tmp_path):
    path = write(
        tmp_path,
        "          - {name: id, type: string}\n"
        "      - name: orders_v2\n        renamed_from: orders\n        source: api\n"
        "        columns: [{name: id, type: string}]\n",
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    messages = [(p.path, p.message) for p in info.value.problems]
    assert (
        "silos[0].flows[1].renamed_from",
        "flow 'orders_v2' would use the AWS names of flow 'orders' ('orders'); each flow needs its own",
    ) in messages
    assert any("flow 'orders' is still declared" in m for _, m in messages)
    text = (
        path.read_text()
        .replace("        renamed_from: orders\n", "")
        .replace("    owners: [a@acme.example]\n", "    owners: [a@acme.example]\n    removed_flows: [orders_v2]\n")
    )
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    [problem] = info.value.problems
    assert problem.path == "silos[0].removed_flows[0]" and "flow 'orders_v2' uses that name" in problem.message


def test_synth_prints_the_notices_and_records_what_it_synthesized(tmp_path, monkeypatch):
    """synth (engine stubbed: only the CLI's own steps are under test here) prints the
    not-built notices and leaves the snapshot later validate/synth runs compare with."""
    import silolake.synth.app
    from silolake.catalog import not_built
    from silolake.catalog.changes import last_synth, snapshot

    monkeypatch.setattr(silolake.synth.app, "synthesize", lambda catalog, out, **_options: out.mkdir() or [])
    row = not_built.Feature("silos[].flows[].warehouse", "a feature still to come", flow_uses=lambda f: f.warehouse)
    monkeypatch.setattr(not_built, "NOT_BUILT", (row,))
    out = tmp_path / "cdktf.out"
    result = CliRunner().invoke(main, ["synth", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "silos[].flows[].warehouse (a feature still to come) is accepted but not built yet" in result.output
    catalog = load_catalog(EXAMPLE)
    assert last_synth(out, catalog) == snapshot(catalog)
