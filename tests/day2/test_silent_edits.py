"""Day-2 edits ``validate --base`` accepted without a word (issue 21), on a scratch git repo:

- an email-only silo given an ``account_id`` the lock does not record: the org stack would
  drop its ``aws_organizations_account`` with no ``removed`` block (the account leaves the
  organization); with the recorded id the org stack forgets it instead;
- an email-only silo's e-mail changed: ``email`` is ForceNew, the account would be replaced;
- a file flow's ``format``, ``csv`` options, or a source change that changes what lands in
  raw: old raw files would be misread through the new SerDe (docs/day-2.md).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from silolake.catalog import load_catalog
from silolake.cli import main

CATALOGS = Path(__file__).parent / "catalogs"
BASE = (CATALOGS / "base.yaml").read_text()
LOCK = json.loads((CATALOGS / "accounts.lock.json").read_text())
DEPOT_ID = '    account_id: "200000000003"\n'
DEPOT_EMAIL = "    email: aws-depot@beta.example\n"
#: depot with an upload flow of csv files (the flow the raw-format edits change).
PARCELS = (
    "    owners: [c@beta.example]\n    ingestion:\n      web_upload: {enabled: true}\n    flows:\n"
    "      - name: parcels\n        source: upload\n        format: csv\n        columns:\n"
    "          - {name: parcel, type: string}\n"
)


def _repo(tmp_path: Path, catalog: str) -> Path:
    """A git repository whose committed ``silos.yaml`` is ``catalog`` (the base, ``HEAD``)."""
    (tmp_path / "silos.yaml").write_text(catalog)
    (tmp_path / "accounts.lock.json").write_text(json.dumps(LOCK))
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "silos.yaml", "accounts.lock.json"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    return tmp_path / "silos.yaml"


def _validate(catalog: Path, *replacements: tuple[str, str]) -> tuple[int, str]:
    text = catalog.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    catalog.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(catalog), "--base", "HEAD"])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _record(catalog: Path, **accounts: str) -> None:
    """What `silolake bootstrap` writes once the org stack created the accounts."""
    (catalog.parent / "accounts.lock.json").write_text(json.dumps({**LOCK, "accounts": accounts}))


def test_an_email_only_silo_given_an_unrecorded_account_id_is_refused_at_the_key(tmp_path):
    catalog = _repo(tmp_path, BASE.replace(DEPOT_ID, DEPOT_EMAIL))
    code, out = _validate(catalog, (DEPOT_EMAIL, '    account_id: "200000000008"\n'))
    assert code == 2, out
    [line] = [x for x in out.splitlines() if "silos[2].account_id: " in x]
    assert "silo 'depot' is given by e-mail in the base" in line
    assert "aws_organizations_account.silo_account_depot" in line and "out of the organization" in line
    assert "run silolake bootstrap first so the lock records the account the organization created" in line


def test_the_recorded_account_id_is_accepted_and_the_org_stack_forgets_the_account(tmp_path):
    catalog = _repo(tmp_path, BASE.replace(DEPOT_ID, DEPOT_EMAIL))
    _record(catalog, depot="200000000008")  # bootstrap ran, the lock is committed with the edit
    code, out = _validate(catalog, (DEPOT_EMAIL, '    account_id: "200000000008"\n'))
    assert code == 0, out
    assert "guarded: email-only silo given its account id: silo 'depot': the org stack forgets" in out
    # What synth does with it: a removed block (destroy = false), never a destroy.
    assert load_catalog(catalog).retired_accounts == (("depot", "200000000008"),)
    # Another id than the recorded one stays a moved account (impossible).
    code, out = _validate(catalog, ('"200000000008"', '"200000000009"'))
    assert code == 2 and "silos[2].account_id: silo 'depot' moved from account 200000000008" in out
    # The base names no id: the message says where the old one comes from.
    assert "(base HEAD: the account the organization created for it, recorded in the lock file)" in out, out


def test_an_email_only_silos_email_change_is_refused_it_would_replace_the_account(tmp_path):
    catalog = _repo(tmp_path, BASE.replace(DEPOT_ID, DEPOT_EMAIL))
    _record(catalog, depot="200000000008")
    code, out = _validate(catalog, (DEPOT_EMAIL, "    email: depot@beta.example\n"))
    assert code == 2, out
    [line] = [x for x in out.splitlines() if "silos[2].email: " in x]
    assert "email is ForceNew on aws_organizations_account.silo_account_depot" in line
    assert "Keep email: aws-depot@beta.example" in line


@pytest.mark.parametrize(
    "edit,located,why",
    [
        (("format: csv", "format: json"), "flows[0].format", "format changed from csv to json"),
        (
            ("format: csv\n", 'format: csv\n        csv: {delimiter: ";"}\n'),
            "flows[0].csv.delimiter",
            "from ',' to ';'",
        ),
        (("format: csv\n", "format: csv\n        csv: {header: false}\n"), "flows[0].csv.header", "from true to false"),
        (("source: upload\n        format: csv\n", "source: api\n"), "flows[0].source", "from upload to api"),
    ],
    ids=["format", "delimiter", "header", "upload-to-api"],
)
def test_a_change_of_how_raw_files_are_read_is_refused_without_a_raised_version(tmp_path, edit, located, why):
    catalog = _repo(tmp_path, BASE.replace("    owners: [c@beta.example]\n", PARCELS))
    code, out = _validate(catalog, edit)
    assert code == 2, out
    [line] = [x for x in out.splitlines() if f": silos[2].{located}: " in x]
    assert why in line and "set schema_version: 2 on the flow in this edit" in line
    # The raise is the decision: a new raw prefix and tables, the old files stay as they were.
    parcel = "          - {name: parcel, type: string}\n"
    code, out = _validate(catalog, (parcel, parcel + "        schema_version: 2\n"))
    assert code == 0, out
    assert "guarded: schema version raised: silo 'depot' flow 'parcels'" in out


def test_csv_options_spelled_at_their_default_are_no_change(tmp_path):
    catalog = _repo(tmp_path, BASE.replace("    owners: [c@beta.example]\n", PARCELS))
    code, out = _validate(catalog, ("format: csv\n", 'format: csv\n        csv: {delimiter: ",", header: true}\n'))
    assert code == 0, out
    assert "change (HEAD)" not in out


def test_api_to_upload_is_refused_once_for_its_stream(tmp_path):
    """Both directions change the raw layout; leaving api is refused for its stream (a new flow
    is the way out, a new layout with it), not a second time for the raw format."""
    catalog = _repo(tmp_path, BASE)
    upload = "    owners: [a@beta.example]\n    ingestion: {web_upload: {enabled: true}}\n"
    code, out = _validate(
        catalog, ("        source: api\n", "        source: upload\n"), ("    owners: [a@beta.example]\n", upload)
    )
    assert code == 2, out
    assert "changes source from api to upload" in out and "raw source changed" not in out
    assert "set schema_version" not in out
