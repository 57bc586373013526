"""``validate --base`` classifies every catalog change; refused ones are located problems.

Each test names one row of docs/day-2.md. No synth: the classification reads catalogs only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.cli import main

BASE = (Path(__file__).parent / "catalogs" / "base.yaml").read_text()
LOCK = (Path(__file__).parent / "catalogs" / "accounts.lock.json").read_text()


def run(tmp_path: Path, edited: str, base: str = BASE):
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "silos.yaml").write_text(edited)
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    return CliRunner().invoke(main, ["validate", str(tmp_path / "silos.yaml"), "--base", str(tmp_path / "base.yaml")])


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


PLANT = '    account_id: "200000000002"\n    region: eu-central-1\n'
ORDERS = "      - name: orders\n        source: api\n"
CLICKS = "      - name: clicks\n        source: api\n        columns:\n          - {name: page, type: string}\n"


def test_silo_region_change_is_impossible(tmp_path):
    result = run(tmp_path, edit((PLANT, '    account_id: "200000000002"\n    region: eu-west-1\n')))
    assert result.exit_code == 2
    assert "silos[1].region: silo 'plant' moved from region eu-central-1" in result.output
    assert "decommission this silo and add a new one" in result.output


def test_silo_region_change_through_home_region_is_located_at_the_silo(tmp_path):
    result = run(tmp_path, edit(("home_region: eu-west-1", "home_region: eu-central-1")))
    assert result.exit_code == 2
    assert "silos[0].name: silo 'shop' moved from region eu-west-1" in result.output
    assert "organization.home_region changed" in result.output


def test_flow_removed_without_decision_is_refused(tmp_path):
    result = run(tmp_path, edit((CLICKS, "")))
    assert result.exit_code == 2
    assert "flow 'clicks' of silo 'shop' was removed" in result.output and "removed_flows" in result.output


def test_flow_removed_with_removed_flows_is_accepted(tmp_path):
    text = edit(
        (CLICKS, ""), ("    owners: [a@beta.example]\n", "    owners: [a@beta.example]\n    removed_flows: [clicks]\n")
    )
    result = run(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "guarded: flow removed: silo 'shop' flow 'clicks'" in result.output


def test_flow_rename_without_renamed_from_is_refused(tmp_path):
    result = run(tmp_path, edit((ORDERS, "      - name: sales_orders\n        source: api\n")))
    assert result.exit_code == 2
    assert "add renamed_from: orders to the new flow" in result.output


def test_flow_rename_with_renamed_from_is_accepted(tmp_path):
    result = run(
        tmp_path, edit((ORDERS, "      - name: sales_orders\n        renamed_from: orders\n        source: api\n"))
    )
    assert result.exit_code == 0, result.output
    assert "flow renamed: silo 'shop' flow 'orders' -> 'sales_orders'" in result.output
    assert "flow added" not in result.output


def test_dropping_renamed_from_later_is_impossible(tmp_path):
    renamed = edit((ORDERS, "      - name: sales_orders\n        renamed_from: orders\n        source: api\n"))
    dropped = renamed.replace("        renamed_from: orders\n", "")
    result = run(tmp_path, dropped, base=renamed)
    assert result.exit_code == 2
    assert "Keep renamed_from: orders" in result.output


def test_flow_source_change_from_api_is_refused(tmp_path):
    text = edit(
        (CLICKS, CLICKS.replace("source: api", "source: upload")),
        (
            "    owners: [a@beta.example]\n",
            "    owners: [a@beta.example]\n    ingestion: {web_upload: {enabled: true}}\n",
        ),
    )
    result = run(tmp_path, text)
    assert result.exit_code == 2
    assert "changes source from api to upload" in result.output


def test_silo_removed_without_decommission_is_refused(tmp_path):
    start = BASE.index("  - name: depot\n")
    end = BASE.index("  - name: archive\n")
    result = run(tmp_path, (BASE[:start] + BASE[end:]).replace("silos: [depot]", "silos: [shop]"))
    assert result.exit_code == 2
    assert "silo 'depot' was removed, but it is not decommissioned" in result.output


def test_decommissioned_silo_removed_is_accepted(tmp_path):
    text = BASE[: BASE.index("  - name: archive\n")].replace("silos: [shop, archive]", "silos: [shop]")
    result = run(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "decommissioned silo removed: silo 'archive'" in result.output
    assert "analytics silos changed: analytics 'legacy'" in result.output


def test_silo_decommission_is_safe(tmp_path):
    result = run(tmp_path, edit((PLANT, PLANT + "    decommission: true\n")))
    assert result.exit_code == 0, result.output
    assert "safe: silo decommissioned: silo 'plant'" in result.output


def test_silo_recommissioned_is_safe(tmp_path):
    """``decommission: true`` dropped again: sharing and intake come back, nothing is created."""
    result = run(tmp_path, BASE, base=edit((PLANT, PLANT + "    decommission: true\n")))
    assert result.exit_code == 0, result.output
    assert "safe: silo recommissioned: silo 'plant'" in result.output


def test_account_change_is_impossible(tmp_path):
    result = run(tmp_path, edit(('account_id: "200000000003"', 'account_id: "200000000008"')))
    assert result.exit_code == 2
    assert "silo 'depot' moved from account 200000000003" in result.output


@pytest.mark.parametrize(
    "key,old,new", [("name", "name: beta", "name: gamma"), ("state_bucket_prefix", "beta-tfstate", "beta-state")]
)
def test_organization_identity_change_is_impossible(tmp_path, key, old, new):
    result = run(tmp_path, edit((old, new)))
    assert result.exit_code == 2
    assert f"organization.{key}: organization.{key} changed from" in result.output


def test_consumer_region_change_is_impossible(tmp_path):
    text = edit(('    account_id: "100000000005"\n', '    account_id: "100000000005"\n    region: eu-central-1\n'))
    result = run(tmp_path, text)
    assert result.exit_code == 2
    assert "analytics consumer 'ops' changed region from eu-west-1" in result.output


def test_additions_are_safe(tmp_path):
    grow = (Path(__file__).parent / "catalogs" / "grow.yaml").read_text()
    result = run(tmp_path, grow)
    assert result.exit_code == 0, result.output
    assert "silo added: silo 'aardvark'" in result.output and "run `silolake bootstrap`" in result.output
    assert "flow added: silo 'shop' flow 'baskets'" in result.output
    assert (
        "analytics consumer added: analytics 'aaa': new stack; run `silolake bootstrap` before its first plan"
        in result.output
    )


def test_without_base_validate_compares_with_the_last_synth(tmp_path, monkeypatch):
    """No --base: the snapshot synth left in ./cdktf.out is the base (same catalog file only)."""
    from silolake.catalog import load_catalog
    from silolake.catalog.changes import write_manifest

    (tmp_path / "silos.yaml").write_text(BASE)
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    (tmp_path / "cdktf.out").mkdir()
    write_manifest(tmp_path / "cdktf.out", load_catalog(tmp_path / "silos.yaml"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "silos.yaml").write_text(edit((PLANT, '    account_id: "200000000002"\n    region: eu-west-1\n')))
    result = CliRunner().invoke(main, ["validate", "silos.yaml"])
    assert result.exit_code == 2
    assert "(base last synth in cdktf.out)" in result.output
    # Another catalog's output is not compared against.
    manifest = tmp_path / "cdktf.out" / "silolake-catalog.json"
    body = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**body, "source": "/elsewhere/silos.yaml"}))
    assert CliRunner().invoke(main, ["validate", "silos.yaml"]).exit_code == 0


def test_synth_refuses_an_impossible_change_before_synthesizing(tmp_path, monkeypatch):
    from silolake.catalog import load_catalog
    from silolake.catalog.changes import write_manifest

    (tmp_path / "silos.yaml").write_text(BASE)
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    out = tmp_path / "cdktf.out"
    out.mkdir()
    write_manifest(out, load_catalog(tmp_path / "silos.yaml"))
    (tmp_path / "silos.yaml").write_text(edit((CLICKS, "")))
    result = CliRunner().invoke(main, ["synth", str(tmp_path / "silos.yaml"), "--out", str(out)])
    assert result.exit_code == 2
    assert "flow 'clicks' of silo 'shop' was removed" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["silolake-catalog.json"]  # nothing written


def test_consumer_removed_is_accepted_and_listed(tmp_path):
    start = BASE.index("  - name: legacy\n")
    result = run(tmp_path, BASE[:start] + BASE[BASE.index("silos:\n  - name: shop") :])
    assert result.exit_code == 0, result.output
    assert "analytics consumer removed: analytics 'legacy'" in result.output


def test_column_and_option_changes_are_in_place(tmp_path):
    text = edit(
        (
            "          - {name: page, type: string}\n",
            "          - {name: page, type: string}\n          - {name: referrer, type: string}\n"
            "        buffer: {seconds: 60}\n",
        )
    )
    result = run(tmp_path, text)
    assert result.exit_code == 0, result.output
    # Nothing that touches resource identity: the one change line is the compatible column.
    changes = [line for line in result.output.splitlines() if line.startswith("change (")]
    assert len(changes) == 1 and "safe: columns changed (compatible): silo 'shop' flow 'clicks'" in changes[0]


def test_without_base_validate_compares_with_the_lock(tmp_path):
    """An account the organization created (recorded by bootstrap) cannot be swapped."""
    text = BASE.replace('    account_id: "200000000003"\n', "    email: aws-depot@beta.example\n")
    lock = json.loads(LOCK)
    (tmp_path / "silos.yaml").write_text(text)
    (tmp_path / "accounts.lock.json").write_text(json.dumps({**lock, "accounts": {"depot": "200000000003"}}))
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "silos.yaml")]).exit_code == 0
    (tmp_path / "silos.yaml").write_text(
        text.replace("    email: aws-depot@beta.example\n", '    account_id: "200000000008"\n')
    )
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "silos.yaml")])
    assert result.exit_code == 2
    assert (
        "silos[2].account_id: silo 'depot' moved from account 200000000003 (created by the organization"
        in result.output
    )


def test_email_only_silo_removed_before_its_account_is_recorded_names_the_account_risk(tmp_path):
    """No account id in the base (catalog or lock): the refusal says the org stack creates (or
    created) the account and that a decommission keeps it, instead of suggesting one blindly."""
    trial = "  - name: trial\n    email: aws-trial@beta.example\n    owners: [data@beta.example]\n"
    at = BASE.index("  - name: archive\n")
    result = run(tmp_path, BASE, base=BASE[:at] + trial + BASE[at:])
    assert result.exit_code == 2
    assert "silo 'trial' was removed, but it is not decommissioned in the base" in result.output
    assert "no account id is recorded for it" in result.output
    assert "existing account with account_id instead of email" in result.output
