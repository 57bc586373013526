"""Redshift DDL and load statements parse with sqlglot's Redshift dialect, for every catalog type."""

from __future__ import annotations

import dataclasses

import pytest
import sqlglot
from sqlglot import exp

from silolake.catalog.flow import Column, Flow
from silolake.catalog.types import glue_type
from silolake.constructs.etl import warehouse_sql as sql
from tests.flows import file_flow

#: One column per type the catalog accepts (primitive spellings, parameters, nesting).
EVERY_TYPE = [
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "integer",
    "bigint",
    "float",
    "double",
    "string",
    "binary",
    "date",
    "timestamp",
    "char(3)",
    "varchar(64)",
    "varchar(65535)",
    "decimal",
    "decimal(9)",
    "decimal(12,2)",
    "decimal(38,38)",
    "array<string>",
    "map<string,int>",
    "struct<a:int,b:string>",
    "array<struct<sku:string,qty:int,unit_price:decimal(12,2)>>",
]
TARGET = sql.LoadTarget("s3://acme-sales-processed-444444444444-euw1/everything/", "arn:aws:iam::444444444444:role/r")


def flow(partition_by=("ingest_date",), extra=()) -> Flow:
    columns = tuple(Column(f"c{i}", glue_type(t)) for i, t in enumerate(EVERY_TYPE)) + tuple(extra)
    return file_flow("everything", columns, keys=("c0",), partition_by=tuple(partition_by))


def parse(statement: str) -> exp.Expression:
    tree = sqlglot.parse_one(statement, read="redshift", error_level=sqlglot.ErrorLevel.RAISE)
    # A statement sqlglot does not understand comes back as an opaque Command: not a proof.
    assert not isinstance(tree, exp.Command), statement
    return tree


@pytest.mark.parametrize("glue", EVERY_TYPE)
def test_every_catalog_type_maps_to_a_parsable_redshift_type(glue):
    rs = sql.redshift_type(glue_type(glue))
    tree = parse(f"CREATE TABLE t (c {rs})")
    assert isinstance(tree, exp.Create)


def test_type_mapping():
    assert sql.redshift_type("decimal(12,2)") == "DECIMAL(12,2)"
    assert sql.redshift_type(glue_type("decimal")) == "DECIMAL(10,0)"
    assert sql.redshift_type("timestamp") == "TIMESTAMP"
    assert sql.redshift_type("char(3)") == "VARCHAR(12)"  # bytes, not characters
    assert sql.redshift_type("varchar(65535)") == "VARCHAR(65535)"
    for nested in ("array<string>", "map<string,int>", "struct<a:int>"):
        assert sql.redshift_type(nested) == "SUPER"
    with pytest.raises(ValueError):
        sql.redshift_type("interval")


def test_ddl_has_every_column_with_partitions_last():
    tree = parse(sql.create_table(flow()))
    columns = [c.name for c in tree.find_all(exp.ColumnDef)]
    assert columns == [f"c{i}" for i in range(len(EVERY_TYPE))] + ["ingest_date"]


@pytest.mark.parametrize(
    "partition_by, extra, values",
    [
        (("ingest_date",), (), {"ingest_date": "2026-11-29"}),
        (("day", "ingest_date"), (Column("day", "date"),), {"day": "2026-11-01", "ingest_date": "2026-11-29"}),
        (("year",), (Column("year", "int"),), {"year": "2026"}),
    ],
)
def test_load_transaction_parses_for_every_partition_shape(partition_by, extra, values):
    f = flow(partition_by, extra)
    # The column procedure (PL/pgSQL) is run on PostgreSQL in test_warehouse_evolution.py.
    evolve = sql.evolve_statements(f)
    statements = [s for s in sql.load_statements(f, TARGET) if s not in evolve]
    trees = [parse(sql.render(s, values, f)) for s in statements]
    kinds = [type(t).__name__ for t in trees]
    assert kinds == ["Create", "Create", "Copy", "Delete", "Insert", "Drop"]
    copy = trees[2].sql("redshift")
    path = TARGET.processed_path + "".join(f"{p}={values[p]}/" for p in partition_by)
    assert f"'{path}'" in copy and "PARQUET" in copy and TARGET.role_arn in copy
    # Idempotent per partition: the delete is bounded by exactly this partition's values.
    where = trees[3].args["where"].sql("redshift")
    assert all(f"'{values[p]}'" in where for p in partition_by)
    # The insert selects the file columns then the partition values, like the table.
    assert len(trees[4].expression.expressions) == len(sql.table_columns(f))


def test_partition_columns_that_could_carry_quotes_are_refused():
    with pytest.raises(ValueError, match="ingest_date or of type"):
        sql.load_statements(flow(("c8",)), TARGET)  # c8 is a string column
    with pytest.raises(ValueError, match="need partition_by"):
        sql.load_statements(dataclasses.replace(flow(), partition_by=()), TARGET)


def test_render_checks_the_placeholder_count():
    f = flow()
    with pytest.raises(ValueError):
        sql.render("a {} b {}", {"ingest_date": "2026-01-01"}, f)
    assert sql.render("no placeholders", {"ingest_date": "x"}, f) == "no placeholders"


def test_catalog_refuses_warehouse_partitions_the_load_cannot_quote(tmp_path):
    from silolake.catalog import CatalogError, load_catalog
    from tests.conftest import CATALOG_HEADER

    def flow_yaml(name: str, partition_by: str) -> str:
        return (
            f"      - name: {name}\n        source: api\n        warehouse: true\n"
            f"        partition_by: {partition_by}\n        columns:\n"
            "          - {name: id, type: string}\n          - {name: day, type: date}\n"
        )

    text = CATALOG_HEADER + (
        '  - name: sales\n    account_id: "444444444444"\n    owners: [a@acme.example]\n    flows:\n'
        + flow_yaml("by_text", "[id]")
        + flow_yaml("unpartitioned", "[]")
        + flow_yaml("by_day", "[day, ingest_date]")
    )
    path = tmp_path / "silos.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 2, messages
    assert "flows[0].partition_by[0]: 'id' (string) cannot partition a warehouse flow" in messages[0]
    assert "flows[1].partition_by: warehouse flows are loaded per partition" in messages[1]


def test_insert_names_every_target_column_in_the_order_it_selects_them():
    """An added or reordered table column never shifts values: the INSERT lists its target columns."""
    f = flow(("day", "ingest_date"), (Column("day", "date"),))
    [insert_template] = [s for s in sql.load_statements(f, TARGET) if s.startswith("INSERT INTO")]
    insert = parse(sql.render(insert_template, {"day": "2026-11-01", "ingest_date": "2026-11-29"}, f))
    assert isinstance(insert, exp.Insert)
    schema = insert.this
    assert isinstance(schema, exp.Schema)  # INSERT INTO t (<columns>) ...
    targets = [c.name for c in schema.expressions]
    assert targets == [n for n, _ in sql.table_columns(f)]
    select = insert.expression
    selected = [e.name if isinstance(e, exp.Column) else e.sql("redshift") for e in select.expressions]
    assert selected[: len(targets) - 2] == targets[:-2]  # file columns by name, partition values last
    assert len(selected) == len(targets)
