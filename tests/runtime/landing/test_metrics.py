"""The landing function's health metrics: the EMF lines it prints, read back as CloudWatch would.

Each EMF line is parsed the way CloudWatch Logs extracts metrics (namespace, every dimension
set, each metric's value from the root), so a renamed key or a missing dimension fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Lake

CSV_OK = b"reseller_id;period;units_sold;revenue\nr1;2024-04-01;10;100.50\n"


def extracted(out: str) -> list[tuple[str, str, dict[str, str], float]]:
    """(namespace, metric, dimensions, value) of every datum in the EMF lines of ``out``."""
    data = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        record: dict[str, Any] = json.loads(line)
        if "_aws" not in record:
            continue  # the structured log line of the same invocation
        assert isinstance(record["_aws"]["Timestamp"], int)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for dims in directive["Dimensions"]:
                for metric in directive["Metrics"]:
                    assert metric["Unit"] == "Count"
                    values = {d: record[d] for d in dims}
                    data.append((directive["Namespace"], metric["Name"], values, record[metric["Name"]]))
    return data


@pytest.fixture
def silo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILO", "sales")
    monkeypatch.setenv("FLOW_NAMES", json.dumps({"shipments": "deliveries"}))


def test_a_landed_file_counts_as_received_per_flow_and_per_partner(lake: Lake, silo_env, capsys) -> None:
    capsys.readouterr()
    assert lake.invoke(lake.drop("acme/reseller_reports/april.csv", CSV_OK))["status"] == "landed"
    flow = {"Silo": "sales", "Flow": "reseller_reports"}
    assert sorted(extracted(capsys.readouterr().out), key=str) == sorted(
        [
            ("Silolake/Flows", "FilesReceived", flow, 1),
            ("Silolake/Flows", "FilesQuarantined", flow, 0),
            ("Silolake/Flows", "FilesReceived", {**flow, "Partner": "acme"}, 1),
            ("Silolake/Flows", "FilesQuarantined", {**flow, "Partner": "acme"}, 0),
        ],
        key=str,
    )


def test_a_quarantined_file_counts_as_received_and_quarantined(lake: Lake, silo_env, capsys) -> None:
    capsys.readouterr()
    outcome = lake.invoke(lake.drop("carrier-x/shipments/monday.csv", b"a,b\n"))
    assert outcome["status"] == "quarantined"
    data = extracted(capsys.readouterr().out)
    # The renamed flow's folder (its former name) is reported under its catalog name.
    assert ("Silolake/Flows", "FilesQuarantined", {"Silo": "sales", "Flow": "deliveries"}, 1) in data
    partner = {"Silo": "sales", "Flow": "deliveries", "Partner": "carrier-x"}
    assert ("Silolake/Flows", "FilesQuarantined", partner, 1) in data
    assert ("Silolake/Flows", "FilesReceived", partner, 1) in data
    assert len(data) == 4


@pytest.mark.parametrize("key", ["acme/unknown_flow/a.csv", "acme/a.csv", "stray.csv"])
def test_files_of_no_known_flow_give_no_metric(lake: Lake, silo_env, capsys, key: str) -> None:
    capsys.readouterr()
    assert lake.invoke(lake.drop(key, CSV_OK))["status"] == "quarantined"
    assert extracted(capsys.readouterr().out) == []


def test_a_redelivered_event_is_not_counted_twice(lake: Lake, silo_env, capsys) -> None:
    event = lake.drop("acme/reseller_reports/april.csv", CSV_OK)
    lake.invoke(event)
    capsys.readouterr()
    assert lake.invoke(event)["status"] == "gone"
    assert extracted(capsys.readouterr().out) == []


def test_without_a_silo_name_nothing_is_emitted(lake: Lake, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SILO", raising=False)
    capsys.readouterr()
    assert lake.invoke(lake.drop("acme/reseller_reports/april.csv", CSV_OK))["status"] == "landed"
    assert extracted(capsys.readouterr().out) == []
