"""What ``silolake validate --base`` tells a user about a refused change (issue 21, found by a
new user's trial): advice that works for the flow at hand, a location at the key changed, a
verdict not hidden behind another problem, no accepted line contradicting a refusal.

Through the CLI on ``catalogs/full.yaml`` (``validate`` of ``test_capability_changes``)."""

from __future__ import annotations

import pytest

from .edits import flow, silo
from .test_capability_changes import validate

PRICE_NOT_NULL = {"check": "not_null", "column": "price", "on_failure": "fail"}


def test_a_refused_warehouse_column_change_advises_raising_the_schema_version(tmp_path):
    """Widening is refused for a warehouse flow (Redshift cannot retype a column), so it is
    not the advice: raising ``schema_version`` is, and it names the new Redshift table."""

    def widen(data) -> None:
        flow(data, "orders")["columns"][1]["type"] = "decimal(14,2)"

    code, out = validate(tmp_path, widen)
    assert code == 2
    assert "silos[0].flows[0].columns: flow 'orders' of silo 'hub': type changed on a warehouse flow" in out
    assert "widen types" not in out
    assert "a new Redshift table orders_v2: set schema_version: 2 on the flow in this edit" in out
    assert "no type change, not even a widening" in out


def test_a_refused_column_change_of_a_flow_without_warehouse_still_advises_widening(tmp_path):
    code, out = validate(
        tmp_path, lambda data: flow(data, "prices").update(columns=flow(data, "prices")["columns"][:1])
    )
    assert code == 2
    assert "Keep the columns (append nullable ones at the end, widen types)" in out
    assert "Redshift" not in out


def _partition_by(columns: list[str]):
    return lambda data: flow(data, "prices").update(partition_by=columns)


@pytest.mark.parametrize(
    ("edit", "base_edit", "located"),
    [
        (
            lambda data: flow(data, "orders").update(keys=["order_id", "amount"]),
            None,
            "silos[0].flows[0].keys: flow 'orders' of silo 'hub': keys changed from [order_id] to [order_id, amount]",
        ),
        (
            # The base leaves partition_by to its default ([ingest_date]): still compared.
            _partition_by(["sku", "ingest_date"]),
            None,
            "silos[0].flows[2].partition_by: flow 'prices' of silo 'hub': partition_by changed from [ingest_date] "
            "to [sku, ingest_date]",
        ),
        (
            # Back to the default: the key has no line of its own; the path still names it.
            lambda data: flow(data, "prices").pop("partition_by"),
            _partition_by(["sku", "ingest_date"]),
            "silos[0].flows[2].partition_by: flow 'prices' of silo 'hub': partition_by changed from "
            "[sku, ingest_date] to [ingest_date]",
        ),
    ],
    ids=["keys", "partition_by", "partition_by-default"],
)
def test_a_keys_or_partition_by_change_is_located_at_the_key(tmp_path, edit, base_edit, located):
    code, out = validate(tmp_path, edit, base_edit)
    assert code == 2, out
    assert located in out
    assert "set schema_version: 2 on the flow in this edit" in out
    assert ".columns:" not in out


def test_a_removed_column_is_reported_beside_the_quality_rule_naming_it(tmp_path):
    """The catalog is invalid (the rule names a column that is gone), and the removal is
    refused in its own right: fixing the rule alone would not make the edit acceptable."""

    def base_edit(data) -> None:
        flow(data, "prices")["quality"] = [PRICE_NOT_NULL]

    def remove_price(data) -> None:
        flow(data, "prices")["columns"] = flow(data, "prices")["columns"][:1]

    code, out = validate(tmp_path, remove_price, base_edit)
    assert code == 2
    lines = [line for line in out.splitlines() if ": silos[0].flows[2]." in line]
    assert len(lines) == 2, out
    # Sorted by position: the columns key comes before the quality rule naming the column.
    assert ".columns: flow 'prices' of silo 'hub': column price removed or renamed" in lines[0]
    assert "set schema_version: 2 on the flow in this edit" in lines[0]
    assert ".quality[0].column:" in lines[1] and "price" in lines[1]
    assert "2 problem(s) found" in out and "Traceback" not in out


def test_an_invalid_entry_is_not_judged_as_a_change_too(tmp_path):
    """A mistyped column type is one mistake: its validation problem, not also a "type
    changed" refusal of the same columns; a silo whose entry is invalid is not "removed"."""

    def mistype(data) -> None:
        flow(data, "prices")["columns"][1]["type"] = "decmal(12,2)"
        silo(data, "yard")["name"] = "Yard"

    code, out = validate(tmp_path, mistype)
    assert code == 2
    assert "silos[0].flows[2].columns[1].type:" in out and "silos[1].name:" in out
    assert "removed or renamed" not in out and "type changed" not in out and "was removed" not in out


def test_a_refused_rename_with_a_version_raise_prints_only_the_refusal(tmp_path):
    def edit(data) -> None:
        drops = flow(data, "drops")
        drops["name"], drops["renamed_from"], drops["schema_version"] = "partner_drops", "drops", 2

    code, out = validate(tmp_path, edit)
    assert code == 2
    assert "silos[0].flows[1].schema_version: flow 'partner_drops' of silo 'hub' is renamed from 'drops'" in out
    assert [line for line in out.splitlines() if "drops" in line and line.startswith("change (")] == []
