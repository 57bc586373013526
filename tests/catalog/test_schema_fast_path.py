"""The compiled validator only short-cuts valid catalogs; it must agree with jsonschema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from silolake.catalog.schema import SCHEMA_FILE, _surely_valid, _validator

REPO = Path(__file__).resolve().parents[2]
MINIMAL = yaml.safe_load((Path(__file__).parent / "minimal.yaml").read_text())


def _mutations():
    yield "unknown key", lambda d: d.update(extra=1)
    yield "unquoted account", lambda d: d["organization"].update(management_account_id=111111111111)
    yield "bad source", lambda d: d["silos"][0]["flows"][0].update(source="ftp")
    yield "bad region pattern", lambda d: d["organization"].update(home_region="EU-WEST-1")
    yield "wrong version", lambda d: d.update(version=2)
    yield (
        "analytics silos neither all nor list",
        lambda d: d.setdefault("analytics", [{"name": "bi", "account_id": "999999999999", "reader_roles": ["r"]}])[
            0
        ].update(silos="some"),
    )


@pytest.mark.parametrize("name,mutate", list(_mutations()), ids=[m[0] for m in _mutations()])
def test_fast_path_rejects_what_jsonschema_rejects(name, mutate):
    import copy

    data = copy.deepcopy(MINIMAL)
    mutate(data)
    assert list(_validator(SCHEMA_FILE).iter_errors(data)), "mutation should be invalid"
    assert not _surely_valid(data, SCHEMA_FILE)


def test_fast_path_accepts_valid_catalogs():
    for path in (REPO / "silos.yaml", Path(__file__).parent / "minimal.yaml"):
        data = yaml.safe_load(path.read_text())
        assert not list(_validator(SCHEMA_FILE).iter_errors(data))
        assert _surely_valid(data, SCHEMA_FILE)


def test_non_json_values_fall_back_to_jsonschema():
    import datetime

    assert not _surely_valid({"version": datetime.date(2024, 1, 1)}, SCHEMA_FILE)
