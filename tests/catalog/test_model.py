"""The typed catalog model (silolake.catalog.model), without jsii.

Defaults live in the JSON Schema and are applied when the model is built; everything
downstream trusts the model, so these tests pin what an omitted key turns into.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from silolake.catalog import Catalog, load_catalog
from silolake.catalog.model import build_catalog
from silolake.catalog.schema import load_schema

HERE = Path(__file__).parent
REPO = HERE.parents[1]
MINIMAL = (HERE / "minimal.yaml").read_text()


def load(directory: Path, text: str = MINIMAL, lock: dict | None = None) -> Catalog:
    (directory / "silos.yaml").write_text(text)
    if lock is not None:
        (directory / "accounts.lock.json").write_text(json.dumps(lock))
    return load_catalog(directory / "silos.yaml")


@pytest.fixture
def minimal(catalog_dir: Path) -> Catalog:
    return load(catalog_dir)


def test_organization_defaults(minimal: Catalog) -> None:
    org = minimal.organization
    assert org.deploy_role_name == "OrganizationAccountAccessRole"
    assert org.deploy_role_arn("444444444444") == "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"
    assert org.allowed_regions == ("eu-west-1", "eu-central-1")
    assert org.tags == (("cost-center", "data"),)
    assert (org.ous.datalake, org.ous.silos, org.ous.analytics) == ("DataLake", "Silos", "Analytics")
    assert minimal.datalake.region == "eu-west-1"  # home region
    assert minimal.layout is None  # nothing bootstrapped


def test_model_defaults_match_the_schema_defaults(minimal: Catalog) -> None:
    """The schema documents the defaults (editors show them); the model must apply the same."""
    defs = load_schema()["$defs"]
    reports = next(f for f in minimal.silo("sales").flows if f.name == "reports")
    hr = minimal.silo("hr")
    fp = defs["flow"]["properties"]
    assert reports.schedule == fp["schedule"]["default"]
    assert reports.job == fp["job"]["default"]
    assert list(reports.partition_by) == fp["partition_by"]["default"]
    assert reports.buffer_seconds == fp["buffer"]["properties"]["seconds"]["default"]
    assert reports.buffer_mb == fp["buffer"]["properties"]["mb"]["default"]
    assert reports.csv_delimiter == fp["csv"]["properties"]["delimiter"]["default"]
    assert reports.csv_header is fp["csv"]["properties"]["header"]["default"]
    assert reports.warehouse is fp["warehouse"]["default"] and reports.quicksight is fp["quicksight"]["default"]
    ing, sto = defs["ingestion"]["properties"], defs["storage"]["properties"]
    assert hr.ingestion.sftp_enabled is ing["sftp"]["properties"]["enabled"]["default"]
    assert hr.ingestion.sftp_allowed_cidrs == ()
    assert hr.ingestion.web_upload_enabled is ing["web_upload"]["properties"]["enabled"]["default"]
    assert hr.ingestion.partner_credential_max_days == ing["partner_credential_max_days"]["default"]
    assert hr.storage.noncurrent_version_days == sto["noncurrent_version_days"]["default"]
    assert hr.storage.raw_transition_days is sto["raw_transition_days"]["default"]
    assert hr.decommission is defs["silo"]["properties"]["decommission"]["default"]
    assert hr.flows == ()


def test_flow_values(minimal: Catalog) -> None:
    orders, reports = minimal.silo("sales").flows
    assert orders.format == "json"  # api flows: json whatever the default
    assert [(c.name, c.type) for c in orders.columns] == [
        ("order_id", "string"),
        ("amount", "decimal(12,2)"),
        ("tags", "array<string>"),
    ]
    assert orders.keys == ("order_id",)
    assert orders.partition_by == ("ingest_date",)
    assert orders.schedule == "rate(1 hour)"
    assert not orders.custom_job
    assert orders.column("amount").type == "decimal(12,2)" and orders.column("nope") is None
    assert (reports.source, reports.format, reports.keys) == ("sftp", "csv", ())
    assert minimal.silo("sales").flows_from("sftp", "upload") == (reports,)


def test_column_types_are_canonical(catalog_dir: Path) -> None:
    text = MINIMAL.replace('{name: amount, type: "decimal(12,2)"}', '{name: amount, type: "DECIMAL( 12 , 2 )"}')
    text = text.replace('{name: tags, type: "array<string>"}', '{name: tags, type: "ARRAY< integer >"}')
    orders = load(catalog_dir, text).silo("sales").flows[0]
    assert [c.type for c in orders.columns] == ["string", "decimal(12,2)", "array<int>"]


def test_api_implies_json() -> None:
    """Even data that skipped validation cannot make an api flow anything but json."""
    raw = {
        "version": 1,
        "organization": {
            "name": "o",
            "management_account_id": "1" * 12,
            "home_region": "eu-west-1",
            "allowed_regions": ["eu-west-1"],
            "state_bucket_prefix": "p",
        },
        "datalake_account": {"account_id": "2" * 12},
        "silos": [
            {
                "name": "s",
                "account_id": "3" * 12,
                "owners": ["a@b.c"],
                "flows": [{"name": "f", "source": "api", "format": "csv", "columns": [{"name": "x", "type": "int"}]}],
            }
        ],
    }
    catalog = build_catalog(raw, Path("silos.yaml"), {}, None)
    assert catalog.silos[0].flows[0].format == "json"


def test_silo_region_defaults_to_home_region_and_can_be_set(catalog_dir: Path) -> None:
    catalog = load(catalog_dir, MINIMAL.replace("  - name: hr\n", "  - name: hr\n    region: eu-central-1\n"))
    assert catalog.silo("sales").region == "eu-west-1"
    assert catalog.silo("hr").region == "eu-central-1"
    assert catalog.analytics[0].region == "eu-west-1"


def test_analytics_all_resolves_to_every_silo(minimal: Catalog) -> None:
    [bi] = minimal.analytics
    assert bi.all_silos and bi.silos == ("sales", "hr")
    assert bi.reader_roles == ("analyst",)
    assert bi.stack_name == "analytics-bi"
    assert minimal.readers_of(minimal.silo("sales")) == (bi,)


def test_analytics_list_reads_only_listed_silos(catalog_dir: Path) -> None:
    catalog = load(catalog_dir, MINIMAL.replace("silos: all", "silos: [hr]"))
    [bi] = catalog.analytics
    assert not bi.all_silos and bi.silos == ("hr",)
    assert catalog.readers_of(catalog.silo("sales")) == ()
    assert catalog.readers_of(catalog.silo("hr")) == (bi,)


def test_decommissioned_silo_has_no_readers(catalog_dir: Path) -> None:
    catalog = load(
        catalog_dir,
        MINIMAL.replace('    account_id: "444444444444"\n', '    account_id: "444444444444"\n    decommission: true\n'),
    )
    sales = catalog.silo("sales")
    assert sales.decommission
    assert catalog.readers_of(sales) == ()
    assert catalog.readers_of(catalog.silo("hr")) == catalog.analytics
    assert sales in catalog.deployable_silos  # the account and its data stay


def test_email_only_silo_is_pending_until_bootstrap_records_it(catalog_dir: Path) -> None:
    before = load(catalog_dir)
    hr = before.silo("hr")
    assert (hr.account_id, hr.email) == (None, "aws-hr@acme.example")
    assert [s.name for s in before.deployable_silos] == ["sales"]
    assert [s.name for s in before.pending_silos] == ["hr"]

    lock = {
        "version": 1,
        "accounts": {"hr": "555555555555"},
        "organization": {
            "org_id": "o-abcdefghij",
            "root_id": "r-ab12",
            "datalake_ou_id": "ou-ab12-abcdefgh",
            "silos_ou_id": "ou-ab12-abcdefgi",
            "analytics_ou_id": "ou-ab12-abcdefgj",
        },
    }
    after = load(catalog_dir, lock=lock)
    assert after.silo("hr").account_id == "555555555555"
    assert after.silo("hr").email == "aws-hr@acme.example"
    assert [s.name for s in after.deployable_silos] == ["sales", "hr"]
    assert after.pending_silos == ()
    assert after.layout is not None
    assert after.layout.silos_path == "o-abcdefghij/r-ab12/ou-ab12-abcdefgh/ou-ab12-abcdefgi/"
    assert after.layout.analytics_path == "o-abcdefghij/r-ab12/ou-ab12-abcdefgh/ou-ab12-abcdefgj/"


def test_catalog_account_id_wins_over_the_lock(catalog_dir: Path) -> None:
    catalog = load(catalog_dir, lock={"version": 1, "accounts": {"sales": "999999999999"}})
    assert catalog.silo("sales").account_id == "444444444444"


def test_model_is_immutable(minimal: Catalog) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        minimal.silo("sales").name = "other"  # type: ignore[misc]
    assert isinstance(minimal.silos, tuple) and isinstance(minimal.silo("sales").owners, tuple)


def test_names_derived_from_the_model(minimal: Catalog) -> None:
    sales = minimal.silo("sales")
    assert sales.stack_name == "silo-sales"
    assert sales.glue_database == "silo_sales"
    assert minimal.base_dir == (minimal.source.parent).resolve()


def test_loading_and_validating_never_imports_cdktf_or_jsii(tmp_path: Path) -> None:
    """Validation must stay fast and work without Node.js or AWS: no cdktf, provider, jsii or boto3."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\nsilos: 3\n")
    script = (
        "import sys\n"
        "from silolake.catalog import CatalogError, load_catalog, validate_file\n"
        f"load_catalog({str(REPO / 'silos.yaml')!r})\n"
        f"raw, problems = validate_file({str(bad)!r})\n"
        "assert problems\n"
        "import silolake.cli  # the CLI module itself must not import them either\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "               ('cdktf', 'cdktf_cdktf_provider_aws', 'cdktn', 'cdktn_provider_aws', 'jsii', 'constructs',\n"
        "                'boto3', 'botocore'))\n"
        "heavy += [m for m in sys.modules if m.startswith(('silolake.engine.cdk', 'silolake.stacks',\n"
        "                                              'silolake.synth'))]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
