"""What ``silolake validate --base`` tells a user about a refused change (issue 21, found by a
new user's trial): advice that works for the flow at hand, a location at the key changed, a
verdict not hidden behind another problem, no accepted line contradicting a refusal.

Through the CLI on ``catalogs/full.yaml`` (``validate`` of ``test_capability_changes``)."""

from __future__ import annotations

import copy
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from silolake.cli import main

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
    assert "silos[0].flows[0].columns[1]: flow 'orders' of silo 'hub': type changed on a warehouse flow" in out
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


def test_a_lengthened_varchar_of_a_warehouse_flow_is_refused_for_the_true_reason(tmp_path):
    """Redshift can lengthen a VARCHAR in place, only not inside the load's transaction: the
    message says that, not "cannot change a type in place", and is located at the column."""

    def base_edit(data) -> None:
        flow(data, "orders")["columns"][0]["type"] = "varchar(64)"

    def lengthen(data) -> None:
        flow(data, "orders")["columns"][0]["type"] = "varchar(128)"

    code, out = validate(tmp_path, lengthen, base_edit)
    assert code == 2, out
    assert "silos[0].flows[0].columns[0]: flow 'orders' of silo 'hub': type changed on a warehouse flow" in out
    assert "Redshift lengthens a VARCHAR column only outside a transaction block" in out
    assert "cannot change a type in place" not in out


def test_a_retyped_column_is_located_at_its_item(tmp_path):
    def narrow(data) -> None:
        flow(data, "prices")["columns"][1]["type"] = "int"

    code, out = validate(tmp_path, narrow)
    assert code == 2, out
    assert "silos[0].flows[2].columns[1]: flow 'prices' of silo 'hub': type changed incompatibly" in out


def test_a_removed_column_gets_its_own_words(tmp_path):
    """A removal neither retypes nor reorders: its message says the landed values become
    unqueryable (and, on a warehouse flow, that the Redshift table keeps the column)."""

    def remove_amount(data) -> None:
        flow(data, "orders")["columns"] = flow(data, "orders")["columns"][:1]

    code, out = validate(tmp_path, remove_amount)
    assert code == 2, out
    assert "silos[0].flows[0].columns: flow 'orders' of silo 'hub': column amount removed or renamed" in out
    assert "would no longer be queryable" in out and "the Redshift table keeps the column" in out
    assert "type in place" not in out and "old layout" not in out


def test_a_partition_by_refusal_gives_partition_advice(tmp_path):
    code, out = validate(tmp_path, _partition_by(["sku", "ingest_date"]))
    assert code == 2, out
    assert "files already landed lie under the old partitions" in out
    assert "Keep partition_by as it was ([ingest_date]), or start the new layout" in out
    assert "Keep the columns" not in out and "widen types" not in out


def test_a_git_base_is_cited_one_way(tmp_path):
    """``--base HEAD`` is cited ``(base HEAD)`` in every message, whether the catalog validates
    or not (before: ``(base HEAD:./silos.yaml)`` on one path and ``(base HEAD)`` on the other)."""
    validate(tmp_path, lambda data: None)  # writes the full catalog and its lock
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "silos.yaml", "accounts.lock.json"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=tmp_path, check=True)
    catalog = tmp_path / "silos.yaml"
    base = yaml.safe_load(catalog.read_text())
    outputs = []
    for quality in (None, [{"check": "not_null", "column": "amount", "on_failure": "fail"}]):
        data = copy.deepcopy(base)
        flow(data, "orders")["columns"][1]["name"] = "amount_eur"  # refused: a column renamed
        if quality:  # and the catalog invalid too: the refusal comes through the lenient read
            flow(data, "orders")["quality"] = quality
        catalog.write_text(yaml.safe_dump(data, sort_keys=False))
        result = CliRunner().invoke(main, ["validate", str(catalog), "--base", "HEAD"])
        assert result.exit_code == 2, result.output
        assert "column amount removed or renamed" in result.output, result.output
        outputs.append(result.output)
    assert all("(base HEAD)" in out and "HEAD:./" not in out for out in outputs), outputs


def test_the_last_flow_of_a_kind_says_what_goes_with_it(tmp_path):
    """A trial found these told only when a later change switched them on again and was
    refused: the QuickSight data source and the flow API's logs go with the last api flow
    (``orders``), and a file flow's removal names no stream it never had."""

    def remove(data) -> None:
        hub = silo(data)
        hub["flows"] = [f for f in hub["flows"] if f["name"] not in ("orders", "drops")]
        hub["removed_flows"] = ["orders", "drops"]

    code, out = validate(tmp_path, remove)
    assert code == 0, out
    assert "guarded: quicksight forgotten: silo 'hub': the QuickSight data source" in out
    assert "guarded: flow_api forgotten: silo 'hub': the flow API (an api flow)" in out
    assert "adopt: [flow_api] (imports it) or deleted_in_aws: [flow_api]" in out
    # prices (upload) stays: the landing function and the quality table stay with it.
    assert "landing forgotten" not in out and "quality forgotten" not in out
    assert "flow removed: silo 'hub' flow 'drops': tables and log groups forgotten" in out
    assert "flow removed: silo 'hub' flow 'orders': tables, stream and log groups forgotten" in out
