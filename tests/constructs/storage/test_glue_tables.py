"""Glue catalog of a silo: database, and a raw and a processed table per flow.

Two sources: the example synth (every flow of every deployable silo) and a test-only
catalog covering every column type form and every storage format, synthesized once.
"""

from __future__ import annotations

import pytest

from silolake.aws import names
from silolake.catalog import load_catalog
from silolake.catalog.flow import BUILTIN_PARTITIONS
from silolake.catalog.types import glue_type
from silolake.constructs.storage import glue_tables
from tests.conftest import CATALOG_HEADER, Synth, synthesize_catalog

pytestmark = pytest.mark.slow  # needs the session synth or its own

# Every type form the validator accepts, written in the user's spellings (aliases,
# spaces, upper case) so the test proves the columns carry the canonical glue_type().
TYPE_FORMS = {
    "c_boolean": "boolean",
    "c_tinyint": "tinyint",
    "c_smallint": "smallint",
    "c_int": "INT",
    "c_integer": "integer",
    "c_bigint": "bigint",
    "c_float": "float",
    "c_double": "double",
    "c_string": "string",
    "c_binary": "binary",
    "c_date": "date",
    "c_timestamp": "timestamp",
    "c_char": "char(3)",
    "c_varchar": "varchar(255)",
    "c_decimal": "decimal",
    "c_decimal_p": "decimal(18)",
    "c_decimal_ps": "decimal(38, 10)",
    "c_array": "array<int>",
    "c_map": "map<string, bigint>",
    "c_struct": "struct<a:int, B:string>",
    "c_nested": "array<struct<sku:string,qty:int,price:decimal(12,2),tags:map<string,array<varchar(8)>>>>",
    "c_map_struct": "map<int,struct<x:double,y:array<date>>>",
}

CATALOG = (
    CATALOG_HEADER
    + """\
  - name: types
    account_id: "444444444444"
    owners: [a@acme.example]
    ingestion:
      sftp: {enabled: true, allowed_cidrs: [192.0.2.0/24]}
      web_upload: {enabled: true}
    flows:
      - name: every_type
        source: api
        columns:
%(columns)s
      - name: piped
        source: sftp
        format: csv
        csv: {delimiter: "|", header: false}
        columns:
          - {name: id, type: string, comment: "partner's id"}
          - {name: day, type: date}
        partition_by: [day, ingest_date]
      - name: events
        source: sftp
        format: json
        columns:
          - {name: id, type: string}
          - {name: payload, type: "struct<kind:string,n:int>"}
      - name: uploads
        source: upload
        format: parquet
        columns:
          - {name: id, type: bigint}
          - {name: region, type: "varchar(8)"}
        partition_by: [region]
"""
)


@pytest.fixture(scope="module")
def types_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    root = tmp_path_factory.mktemp("glue-types")
    columns = "\n".join(f'          - {{name: {n}, type: "{t}"}}' for n, t in TYPE_FORMS.items())
    (root / "silos.yaml").write_text(CATALOG % {"columns": columns})
    return synthesize_catalog(load_catalog(root / "silos.yaml"), root / "cdktf.out")


def _tables(synth: Synth, silo: str) -> dict[str, dict]:
    return {t["name"]: t for t in synth.resources(f"silo-{silo}", "aws_glue_catalog_table").values()}


def _bucket(synth: Synth, silo, zone: str) -> str:
    return names.silo_bucket(synth.catalog.organization.name, silo.name, zone, silo.account_id, silo.region)


# --- example catalog ------------------------------------------------------------------------------


def test_every_deployable_silo_has_one_protected_database(example_synth):
    assert example_synth.catalog.deployable_silos
    for silo in example_synth.catalog.deployable_silos:
        dbs = list(example_synth.resources(silo.stack_name, "aws_glue_catalog_database").values())
        assert [d["name"] for d in dbs] == [names.glue_database(silo.name)]
        assert dbs[0]["lifecycle"] == {"prevent_destroy": True}
        assert dbs[0]["location_uri"] == f"s3://{_bucket(example_synth, silo, 'processed')}/"


def test_every_flow_of_the_example_has_raw_and_processed_tables(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        tables = _tables(example_synth, silo.name)
        expected = {names.glue_table(f.name, z) for f in silo.flows for z in ("raw", "processed")}
        assert set(tables) == expected | ({names.QUALITY_TABLE} if silo.flows else set())
        for flow in silo.flows:
            raw = tables[names.glue_table(flow.name, "raw")]
            processed = tables[names.glue_table(flow.name, "processed")]
            for table, zone in ((raw, "raw"), (processed, "processed")):
                assert table["database_name"].startswith("${aws_glue_catalog_database.")
                assert table["table_type"] == "EXTERNAL_TABLE"
                assert table["parameters"]["EXTERNAL"] == "TRUE"
                sd = table["storage_descriptor"]
                assert sd["location"] == f"s3://{_bucket(example_synth, silo, zone)}/{flow.name}/"
            # Raw keeps every declared column and is partitioned by the landing date only.
            assert [(c["name"], c["type"]) for c in raw["storage_descriptor"]["columns"]] == [
                (c.name, glue_type(c.type)) for c in flow.columns
            ]
            assert [p["name"] for p in raw["partition_keys"]] == ["ingest_date"]
            assert raw["partition_keys"][0]["type"] == "string"
            expected_raw = "parquet" if flow.source == "api" else flow.format
            assert raw["parameters"]["classification"] == expected_raw
            # Processed is Parquet, partitioned as declared.
            assert processed["parameters"]["classification"] == "parquet"
            assert processed["parameters"]["parquet.compression"] == "SNAPPY"
            assert processed["storage_descriptor"]["ser_de_info"]["serialization_library"] == glue_tables.PARQUET_SERDE
            assert [p["name"] for p in processed["partition_keys"]] == list(flow.partition_by)


def test_api_flow_raw_table_is_parquet_for_firehose(example_synth):
    api = [(s, f) for s in example_synth.catalog.deployable_silos for f in s.flows if f.source == "api"]
    assert api, "the example has api flows"
    for silo, flow in api:
        sd = _tables(example_synth, silo.name)[names.glue_table(flow.name, "raw")]["storage_descriptor"]
        assert sd["input_format"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
        assert sd["output_format"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
        assert (
            sd["ser_de_info"]["serialization_library"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
        )


def test_example_csv_flow_uses_its_delimiter_and_skips_the_header(example_synth):
    sales = example_synth.catalog.silo("sales")
    raw = _tables(example_synth, "sales")["reseller_reports_raw"]
    serde = raw["storage_descriptor"]["ser_de_info"]
    assert serde["serialization_library"] == glue_tables.CSV_SERDE
    assert serde["parameters"]["field.delim"] == ";" == sales.flows[1].csv_delimiter
    assert raw["parameters"]["skip.header.line.count"] == "1"


# --- every type form and format -------------------------------------------------------------------


def test_every_type_form_becomes_its_glue_type_in_both_tables(types_synth):
    tables = _tables(types_synth, "types")
    expected = [(n, glue_type(t)) for n, t in TYPE_FORMS.items()]
    for name in ("every_type_raw", "every_type_processed"):
        got = [(c["name"], c["type"]) for c in tables[name]["storage_descriptor"]["columns"]]
        assert got == expected
    # Canonical spellings, not the user's: the mapping really ran.
    types = dict(expected)
    assert types["c_int"] == types["c_integer"] == "int"
    assert types["c_decimal"] == "decimal(10,0)"
    assert types["c_struct"] == "struct<a:int,b:string>"


def test_csv_without_header_and_with_partition_columns(types_synth):
    tables = _tables(types_synth, "types")
    raw, processed = tables["piped_raw"], tables["piped_processed"]
    assert raw["storage_descriptor"]["ser_de_info"]["parameters"] == {"field.delim": "|", "serialization.format": "|"}
    assert "skip.header.line.count" not in raw["parameters"]
    assert raw["storage_descriptor"]["columns"][0] == {"name": "id", "type": "string", "comment": "partner's id"}
    # Raw: everything declared stays a column; processed: "day" moves to the partition keys.
    assert [c["name"] for c in raw["storage_descriptor"]["columns"]] == ["id", "day"]
    assert [c["name"] for c in processed["storage_descriptor"]["columns"]] == ["id"]
    assert processed["partition_keys"] == [
        {"name": "day", "type": "date"},
        {"name": "ingest_date", "type": "string", "comment": BUILTIN_PARTITIONS["ingest_date"]},
    ]


def test_json_and_parquet_file_flows(types_synth):
    tables = _tables(types_synth, "types")
    events = tables["events_raw"]
    assert events["storage_descriptor"]["ser_de_info"]["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe"
    assert events["storage_descriptor"]["input_format"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert events["parameters"]["classification"] == "json"
    uploads = tables["uploads_raw"]
    assert uploads["storage_descriptor"]["ser_de_info"]["serialization_library"] == glue_tables.PARQUET_SERDE
    assert [p["name"] for p in tables["uploads_processed"]["partition_keys"]] == ["region"]
    assert tables["uploads_processed"]["partition_keys"][0]["type"] == "varchar(8)"


def test_catalog_metadata_is_encrypted_with_the_silo_key(types_synth):
    settings = list(types_synth.resources("silo-types", "aws_glue_data_catalog_encryption_settings").values())
    assert len(settings) == 1
    key_ref = "${aws_kms_key." + next(iter(types_synth.resources("silo-types", "aws_kms_key"))) + ".arn}"
    at_rest = settings[0]["data_catalog_encryption_settings"]["encryption_at_rest"]
    assert at_rest == {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": key_ref}


def test_table_spec_rejects_zones_without_tables(example_catalog):
    flow = example_catalog.silo("sales").flows[0]
    with pytest.raises(ValueError, match="raw and processed only"):
        glue_tables.table_spec(flow, "dropzone", "s3://x/")


def test_every_silo_with_flows_has_a_quality_table_athena_projects(example_synth):
    """Partition projection (no MSCK): the template is where the job writes each flow's results."""
    for silo in example_synth.catalog.deployable_silos:
        table = _tables(example_synth, silo.name)[names.QUALITY_TABLE]
        processed = _bucket(example_synth, silo, "processed")
        params = table["parameters"]
        assert params["projection.enabled"] == "true"
        assert params["projection.flow.values"].split(",") == sorted(f.storage_name for f in silo.flows)
        assert params["projection.ingest_date.range"].endswith(",NOW")
        template = params["storage.location.template"].replace("$${", "${")
        assert template == f"s3://{processed}/{names.quality_prefix('${flow}')}ingest_date=${{ingest_date}}/"
        assert [k["name"] for k in table["partition_keys"]] == ["flow", "ingest_date"]
        assert table["storage_descriptor"]["location"] == f"s3://{processed}/{names.QUALITY_PREFIX}"
        # Protected like every table (tests/stacks/test_data_protection.py decides per type); partition
        # projection means no index to lose, but readers query through it.
        assert table["lifecycle"] == {"prevent_destroy": True}
