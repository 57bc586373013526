"""``silolake/catalog/adoptable.py``: one enum of the units ``adopt`` can name, each one
switched on in the catalog using every capability and holding resources of its silo stack."""

from __future__ import annotations

import yaml

from silolake.catalog import adoptable, load_catalog
from silolake.catalog.schema import load_schema
from silolake.engine.cdk import TerraformResource
from silolake.stacks.readdress import IMPORTABLE
from silolake.stacks.scratch import scratch_app
from silolake.stacks.silo import SiloStack
from tests.day2.edits import FULL


def test_the_schema_enum_is_the_capabilities() -> None:
    assert load_schema()["$defs"]["capability"]["enum"] == adoptable.schema_enum()
    silo = load_schema()["$defs"]["silo"]["properties"]
    assert silo["adopt"]["items"] == silo["deleted_in_aws"]["items"] == {"$ref": "#/$defs/capability"}


def test_each_capability_is_on_in_the_full_catalog_and_holds_importable_resources(tmp_path) -> None:
    """Each unit's construct paths hold importable resources of the silo stack, and no two
    units hold the same one (an adopt of one never imports another's)."""
    (tmp_path / "silos.yaml").write_text(FULL.read_text())
    (tmp_path / "accounts.lock.json").write_text((FULL.parent / "accounts.lock.json").read_text())
    catalog = load_catalog(tmp_path / "silos.yaml")
    stack = SiloStack(scratch_app(), catalog=catalog, silo=catalog.silos[0])
    paths = [
        c.node.path.split("/", 1)[1]
        for c in stack.node.find_all()
        if isinstance(c, TerraformResource) and c.terraform_resource_type in IMPORTABLE
    ]
    raw = yaml.safe_load(FULL.read_text())["silos"][0]
    for cap in adoptable.CAPABILITIES:
        assert cap.where(raw) is not None, cap.name
        assert any(m in FULL.read_text() for m in cap.marks), cap.name
        assert any(cap.holds(p) for p in paths), cap.name
    for p in paths:
        assert sum(cap.holds(p) for cap in adoptable.CAPABILITIES) <= 1, p


def test_units_list_what_is_on_by_a_stable_identity() -> None:
    data = yaml.safe_load(FULL.read_text())
    found = adoptable.units(data)
    assert ("pipeline",) in found and ("workspace", "bi", "eu-central-1") in found
    assert {("silo", "hub", c.name) for c in adoptable.CAPABILITIES} <= set(found)
    del data["delivery"]["pipeline"]
    assert ("pipeline",) not in adoptable.units(data)


def test_partner_access_is_on_with_any_channel_or_an_api_flow() -> None:
    data = yaml.safe_load(FULL.read_text())
    yard = data["silos"][1]  # only an api flow
    assert ("silo", "yard", "partner_access") in adoptable.units(data)
    assert ("silo", "yard", "landing") not in adoptable.units(data)
    yard["flows"][0]["source"] = "upload"
    assert ("silo", "yard", "partner_access") not in adoptable.units(data)
    assert ("silo", "yard", "landing") in adoptable.units(data)
