"""``validate --base`` on edits of the catalog using every capability (``catalogs/full.yaml``):
each changed capability is reported as safe, guarded (with what Terraform will do) or
refused with the fix. No synth (docs/day-2.md)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from silolake.cli import main

from .edits import flow, full_data, silo

LOCK = (Path(__file__).parent / "catalogs" / "accounts.lock.json").read_text()


def validate(tmp_path: Path, edit, base_edit=None) -> tuple[int, str]:
    """``validate --base``: the full catalog (``base_edit`` applied to it, if given) -> ``edit`` applied."""
    base = full_data()
    if base_edit is not None:
        base_edit(base)
    data = copy.deepcopy(base)
    edit(data)
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (tmp_path / "silos.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "silos.yaml"), "--base", str(tmp_path / "base.yaml")])
    return result.exit_code, result.output


def _sftp(**values):
    def edit(data) -> None:
        silo(data)["ingestion"]["sftp"].update(values)
        hub = silo(data)
        hub["flows"] = [f for f in hub["flows"] if f["source"] != "sftp"]
        hub["removed_flows"] = ["drops"]

    return edit


def test_sftp_turned_off_in_one_step_is_refused_with_the_fix(tmp_path):
    code, out = validate(tmp_path, _sftp(enabled=False))
    assert code == 2
    assert "silos[0].ingestion.sftp.enabled: silo 'hub' turns SFTP off (it is on in the base" in out
    assert "keep_server: true" in out


def test_sftp_turned_off_keeping_the_server_is_guarded_and_accepted(tmp_path):
    code, out = validate(tmp_path, _sftp(enabled=False, keep_server=True))
    assert code == 0, out
    assert "guarded: SFTP turned off, server kept: silo 'hub'" in out and "sign-in is refused" in out


def test_sftp_turned_on_again_while_its_server_is_kept_is_safe(tmp_path):
    """The kept Transfer server takes sign-ins again: nothing was forgotten, nothing created."""
    code, out = validate(tmp_path, _sftp(enabled=True, keep_server=False), _sftp(enabled=False, keep_server=True))
    assert code == 0, out
    assert "safe: SFTP turned on: silo 'hub'" in out and "same endpoint and host key" in out


def test_warehouse_retired_is_guarded_and_says_what_terraform_does(tmp_path):
    def edit(data) -> None:
        for f in silo(data)["flows"]:
            f["warehouse"] = False

    code, out = validate(tmp_path, edit)
    assert code == 0, out
    assert "guarded: warehouse retired: silo 'hub'" in out and "removed, destroy = false" in out


def test_upload_turned_off_is_guarded(tmp_path):
    def edit(data) -> None:
        silo(data)["ingestion"]["web_upload"]["enabled"] = False
        hub = silo(data)
        hub["flows"] = [f for f in hub["flows"] if f["source"] != "upload"]
        hub["removed_flows"] = ["prices"]

    code, out = validate(tmp_path, edit)
    assert code == 0, out
    assert "guarded: upload channel turned off: silo 'hub'" in out


def test_owner_removed_and_reordered_is_safe_and_names_the_revoked_user(tmp_path):
    def edit(data) -> None:
        silo(data)["owners"] = ["cid@gamma.example", "ben@gamma.example"]

    code, out = validate(tmp_path, edit)
    assert code == 0, out
    assert "safe: owners changed: silo 'hub'" in out and "ann@gamma.example: Cognito user deleted" in out


def test_renamed_flow_is_guarded_with_moved_blocks(tmp_path):
    def edit(data) -> None:
        f = flow(data, "drops")
        f["name"], f["renamed_from"] = "partner_drops", "drops"

    code, out = validate(tmp_path, edit)
    assert code == 0, out
    assert "guarded: flow renamed: silo 'hub' flow 'drops' -> 'partner_drops'" in out


def test_adopt_without_the_name_in_removed_flows_is_refused(tmp_path):
    def edit(data) -> None:
        flow(data, "gates", "yard")["adopt"] = True

    code, out = validate(tmp_path, edit)
    assert code == 2 and "silos[1].flows[0].adopt: adopt takes back" in out


def test_a_removed_name_in_use_without_adopt_is_refused_naming_adopt(tmp_path):
    def edit(data) -> None:
        silo(data, "yard")["removed_flows"] = ["gates"]

    code, out = validate(tmp_path, edit)
    assert code == 2 and "set adopt: true" in out


def test_adopting_a_removed_flow_is_reported_as_an_import(tmp_path):
    base = full_data()
    yard = silo(base, "yard")
    yard["flows"], yard["removed_flows"] = (
        [{"name": "other", "source": "api", "columns": [{"name": "x", "type": "string"}]}],
        ["gates"],
    )
    new = full_data()
    silo(new, "yard")["flows"].append(copy.deepcopy(yard["flows"][0]))
    silo(new, "yard")["removed_flows"] = ["gates"]
    flow(new, "gates", "yard")["adopt"] = True
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (tmp_path / "silos.yaml").write_text(yaml.safe_dump(new, sort_keys=False))
    (tmp_path / "accounts.lock.json").write_text(LOCK)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "silos.yaml"), "--base", str(tmp_path / "base.yaml")])
    assert result.exit_code == 0, result.output
    assert "guarded: removed flow adopted: silo 'yard' flow 'gates'" in result.output


def _columns(flow_name: str, columns: list[dict], silo_name: str = "hub"):
    def edit(data) -> None:
        flow(data, flow_name, silo_name)["columns"] = columns

    return edit


SKU, UNITS = {"name": "sku", "type": "string"}, {"name": "units", "type": "bigint"}


def test_appending_a_column_or_widening_a_type_is_compatible(tmp_path):
    widened = [
        {"name": "sku", "type": "string"},
        {"name": "price", "type": "decimal(14,2)"},
        {"name": "n", "type": "int"},
    ]
    code, out = validate(tmp_path, _columns("prices", widened))
    assert code == 0, out
    assert "safe: columns changed (compatible): silo 'hub' flow 'prices'" in out


@pytest.mark.parametrize(
    ("columns", "why"),
    [
        ([{"name": "sku", "type": "string"}], "columns: flow 'prices' of silo 'hub': column price removed or renamed"),
        (
            [{"name": "price", "type": "decimal(12,2)"}, {"name": "sku", "type": "string"}],
            "columns[0]: flow 'prices' of silo 'hub': columns reordered",
        ),
        (
            [{"name": "sku", "type": "string"}, {"name": "price", "type": "decimal(10,2)"}],
            "columns[1]: flow 'prices' of silo 'hub': type changed incompatibly",
        ),
    ],
    ids=["remove", "reorder", "narrow"],
)
def test_breaking_column_changes_are_refused_with_the_way_out(tmp_path, columns, why):
    """Located at the item of the column changed (at ``columns`` for a removal: no item left)."""
    code, out = validate(tmp_path, _columns("prices", columns))
    assert code == 2
    assert f"silos[0].flows[2].{why}" in out
    assert "add a flow under a new name" in out


def test_a_column_appended_to_a_warehouse_flow_is_compatible_and_altered_into_the_table(tmp_path):
    code, out = validate(tmp_path, _columns("drops", [SKU, UNITS, {"name": "note", "type": "string"}]))
    assert code == 0, out
    assert "safe: columns changed (compatible): silo 'hub' flow 'drops'" in out
    assert "the next load adds note to the Redshift table (ALTER TABLE ADD COLUMN)" in out


@pytest.mark.parametrize(
    ("columns", "why", "redshift"),
    [
        (
            [SKU, {"name": "units", "type": "int"}],
            "columns[1]: flow 'drops' of silo 'hub': type changed incompatibly: units bigint -> int",
            "Redshift table keeps the old layout",
        ),
        (
            [UNITS, SKU],
            "columns[0]: flow 'drops' of silo 'hub': columns reordered",
            "Redshift table keeps the old layout",
        ),
        (
            [SKU],
            "columns: flow 'drops' of silo 'hub': column units removed or renamed",
            "the Redshift table keeps the column",
        ),
    ],
    ids=["narrow", "reorder", "remove"],
)
def test_breaking_or_retyping_column_changes_of_a_warehouse_flow_are_refused(tmp_path, columns, why, redshift):
    code, out = validate(tmp_path, _columns("drops", columns))
    assert code == 2
    assert f"silos[0].flows[1].{why}" in out
    assert redshift in out and "add a flow under a new name" in out


def test_widening_a_type_of_a_warehouse_flow_is_refused_redshift_cannot_retype(tmp_path):
    orders = [{"name": "order_id", "type": "string"}, {"name": "amount", "type": "decimal(14,2)"}]
    code, out = validate(tmp_path, _columns("orders", orders))
    assert code == 2
    assert "silos[0].flows[0].columns[1]:" in out
    assert "type changed on a warehouse flow: amount decimal(12,2) -> decimal(14,2)" in out


def test_changing_the_deploy_role_is_refused_before_it_locks_terraform_out(tmp_path):
    def edit(data) -> None:
        data["organization"]["deploy_role_name"] = "PlatformDeploy"

    code, out = validate(tmp_path, edit)
    assert code == 2
    assert (
        "organization.deploy_role_name: organization.deploy_role_name changed from 'OrganizationAccountAccessRole'"
        in out
    )
    assert "create 'PlatformDeploy' in every account first" in out


def test_a_base_without_the_deploy_role_reads_as_the_schemas_default(tmp_path):
    """The snapshot builder fills a key the base leaves out from the JSON Schema, the one
    place catalog defaults are written (no copy of the default to drift)."""
    from silolake.catalog.schema import inlined_schema

    default = inlined_schema()["properties"]["organization"]["properties"]["deploy_role_name"]["default"]
    assert default == "OrganizationAccountAccessRole"
    code, out = validate(tmp_path, lambda data: data["organization"].update(deploy_role_name=default))
    assert code == 0, out
    assert "deploy_role_name" not in out
