"""``validate --base`` on edits of the catalog using every capability (``catalogs/full.yaml``):
each changed capability is reported as safe, guarded (with what Terraform will do) or
refused with the fix. No synth (docs/day-2.md)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from silolake.cli import main

from .edits import flow, full_data, silo

LOCK = (Path(__file__).parent / "catalogs" / "accounts.lock.json").read_text()


def validate(tmp_path: Path, edit) -> tuple[int, str]:
    base = full_data()
    data = full_data()
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
    assert "silos[0].ingestion.sftp.enabled: Silo 'hub' turns SFTP off" in out
    assert "keep_server: true" in out


def test_sftp_turned_off_keeping_the_server_is_guarded_and_accepted(tmp_path):
    code, out = validate(tmp_path, _sftp(enabled=False, keep_server=True))
    assert code == 0, out
    assert "guarded: SFTP turned off, server kept: silo 'hub'" in out and "sign-in is refused" in out


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
