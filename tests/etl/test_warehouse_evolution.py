"""Warehouse column evolution: a column appended to a warehouse flow reaches its Redshift
table before the next load, once, and never shifts a value (docs/day-2.md).

The load transactions of :mod:`silolake.constructs.etl.warehouse_sql` run on PostgreSQL
(:mod:`tests.etl.postgres_engine`; only the S3 COPY is replaced by the partition's rows).
"""

from __future__ import annotations

import dataclasses

import pytest
import sqlglot
from sqlglot import exp

from silolake.catalog.flow import Column
from silolake.constructs.etl import warehouse_sql as sql
from tests.flows import file_flow

from .postgres_engine import Postgres, postgres  # noqa: F401 (fixture)

TARGET = sql.LoadTarget("s3://beta-hub-processed-400000000001-euw1/drops/", "arn:aws:iam::400000000001:role/r")
V1 = file_flow("drops", (Column("sku", "string"), Column("units", "bigint")))
#: A compatible change: a nullable column appended at the end.
V2 = dataclasses.replace(V1, columns=(*V1.columns, Column("note", "varchar(20)")))


def _literal(value: object) -> str:
    return "NULL" if value is None else f"'{value}'"


def load(db: Postgres, flow, day: str, rows: list[tuple]) -> None:
    """One partition's load transaction, its COPY replaced by the rows its Parquet files hold."""
    statements = []
    for template in sql.load_statements(flow, TARGET):
        statement = sql.render(template, {"ingest_date": day}, flow)
        if statement.startswith("COPY "):
            stage = statement.split()[1]
            values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
            statement = f"INSERT INTO {stage} VALUES {values}"
        statements.append(statement)
    db.run(statements)


def columns(db: Postgres, table: str) -> list[str]:
    query = (
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
    )
    return [r[0] for r in db.rows(query)]


def test_an_appended_column_is_added_before_the_load_and_old_rows_hold_null(postgres: Postgres):  # noqa: F811
    postgres.run(["DROP TABLE IF EXISTS public.drops"])
    load(postgres, V1, "2026-11-01", [("a", 1), ("b", 2)])
    assert columns(postgres, "drops") == ["sku", "units", "ingest_date"]

    load(postgres, V2, "2026-11-02", [("c", 3, "late")])
    # Added at the table's end (after the partition column): the INSERT names its columns.
    assert columns(postgres, "drops") == ["sku", "units", "ingest_date", "note"]
    load(postgres, V2, "2026-11-02", [("c", 3, "late")])  # a rerun: no second ALTER, same rows
    load(postgres, V2, "2026-11-03", [("d", 4, None)])
    rows = postgres.rows("SELECT sku, units, ingest_date, coalesce(note, '<null>') FROM public.drops ORDER BY sku")
    assert rows == [
        ("a", "1", "2026-11-01", "<null>"),
        ("b", "2", "2026-11-01", "<null>"),
        ("c", "3", "2026-11-02", "late"),
        ("d", "4", "2026-11-03", "<null>"),
    ]
    types = postgres.rows(
        "SELECT data_type, character_maximum_length FROM information_schema.columns "
        "WHERE table_name = 'drops' AND column_name = 'note'"
    )
    assert types == [("character varying", "80")]  # varchar(20): 80 bytes of UTF-8 in Redshift


def test_a_new_table_is_created_with_every_column_and_the_procedure_adds_nothing(postgres: Postgres):  # noqa: F811
    flow = dataclasses.replace(V2, name="fresh")
    load(postgres, flow, "2026-11-02", [("x", 9, "n")])
    assert columns(postgres, "fresh") == ["sku", "units", "note", "ingest_date"]
    assert postgres.rows("SELECT sku, units, note FROM public.fresh") == [("x", "9", "n")]


def test_the_procedure_belongs_to_the_flow_and_adds_each_column_by_name():
    create, call = sql.evolve_statements(V2)
    assert create.startswith('CREATE OR REPLACE PROCEDURE public."silolake_columns_drops"()')
    assert call == 'CALL public."silolake_columns_drops"()'
    for name, rs_type in sql.table_columns(V2):
        assert f"a.attname = '{name}'" in create
        assert f'ALTER TABLE public."drops" ADD COLUMN "{name}" {rs_type}' in create
    # Rendered through States.Format like every statement: no placeholder inside.
    assert sql.placeholders(create) == 0 and sql.placeholders(call) == 0
    # The statements around it still parse as Redshift (sqlglot reads CALL as a command).
    assert isinstance(sqlglot.parse_one(sql.create_table(V2), read="redshift"), exp.Create)


@pytest.mark.parametrize("flow", [V1, V2])
def test_the_load_runs_the_column_procedure_between_create_and_stage(flow):
    kinds = [s.split()[0] for s in sql.load_statements(flow, TARGET)]
    assert kinds == ["CREATE", "CREATE", "CALL", "CREATE", "COPY", "DELETE", "INSERT", "DROP"]
