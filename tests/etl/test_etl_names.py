"""ETL names stay inside AWS limits: validation reports a flow whose derived names would not fit."""

from __future__ import annotations

import pytest

from silolake.aws import name_registry
from silolake.aws import name_rules as rules
from silolake.catalog import CatalogError, load_catalog
from tests.conftest import CATALOG_HEADER


def catalog(tmp_path, flow: str):
    path = tmp_path / "silos.yaml"
    path.write_text(
        CATALOG_HEADER
        + '  - name: sales\n    account_id: "444444444444"\n    owners: [a@acme.example]\n    flows:\n'
        + f"      - name: {flow}\n        source: api\n        columns:\n          - {{name: id, type: string}}\n"
    )
    return path


def test_every_etl_name_of_a_flow_is_checked():
    derived = name_registry.silo_names("acme", "sales", "0" * 12, "eu-west-1", ["orders"])
    for what in ("glue role", "sfn role", "load role", "ETL schedule", "state machine", "state machine log group"):
        assert f"flow 'orders' {what}" in derived
    # The ETL schedule is an EventBridge Scheduler schedule (aws_scheduler_schedule), not a rule.
    assert derived["flow 'orders' ETL schedule"] == ("silolake-sales-orders", rules.SCHEDULER_GROUP)
    for what in ("landing role", "etl-scheduler role", "landing function"):
        assert what in derived


def test_a_flow_name_too_long_for_its_roles_is_a_located_problem(tmp_path):
    load_catalog(catalog(tmp_path, "o" * 40))  # fits every derived name
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog(tmp_path, "o" * 50))
    [problem] = err.value.problems
    assert "flows[0].name: name too long" in str(problem)
