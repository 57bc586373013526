"""``silolake/catalog/adoptable.py``: one enum of capabilities ``adopt`` can name, each
one's switch-on key and switch-off agreeing on the catalog using every capability."""

from __future__ import annotations

import yaml

from silolake.catalog import adoptable, load_catalog
from silolake.catalog.schema import load_schema
from tests.day2.edits import FULL


def test_the_schema_enum_is_the_capabilities() -> None:
    assert load_schema()["$defs"]["capability"]["enum"] == adoptable.schema_enum()
    silo = load_schema()["$defs"]["silo"]["properties"]
    assert silo["adopt"]["items"] == silo["deleted_in_aws"]["items"] == {"$ref": "#/$defs/capability"}


def test_each_capability_is_on_in_the_full_catalog_and_switch_off_turns_only_it_off() -> None:
    raw = yaml.safe_load(FULL.read_text())["silos"][0]
    hub = load_catalog(FULL).silos[0]
    for cap in adoptable.CAPABILITIES:
        assert cap.where(raw) is not None, cap.name
        off = adoptable.without(hub, (cap.name,))
        assert off != hub and type(off) is type(hub), cap.name
        assert adoptable.without(off, (cap.name,)) == off  # idempotent: nothing else changed


def test_units_list_what_is_on_by_a_stable_identity() -> None:
    data = yaml.safe_load(FULL.read_text())
    found = adoptable.units(data)
    assert ("pipeline",) in found and ("workspace", "bi", "eu-central-1") in found
    assert {("silo", "hub", c.name) for c in adoptable.CAPABILITIES} <= set(found)
    del data["delivery"]["pipeline"]
    assert ("pipeline",) not in adoptable.units(data)
