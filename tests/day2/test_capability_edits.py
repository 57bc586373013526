"""Edits of the catalog that uses every capability (``catalogs/full.yaml``), each synthesized
per stack and compared with the base address by address (docs/day-2.md, issue 21)."""

from __future__ import annotations

import json

import pytest

from silolake import names
from silolake.constructs.etl import warehouse_sql

from ..delivered import deliver
from ..iam.iam_sim import simulate
from .edits import addresses, flow, lost, moved, removed, silo, synth_edit

pytestmark = pytest.mark.slow

HUB, ACCOUNT, REGION = "silo-hub", "400000000001", "eu-west-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return synth_edit(None, tmp_path_factory.mktemp("base"), [HUB])


def edited(tmp_path, edit):
    return synth_edit(edit, tmp_path, [HUB])


def of_type(stack: dict, rtype: str) -> set[str]:
    return {a for a, t in addresses(stack).items() if t == rtype}


def rename(data, old: str, new: str) -> None:
    f = flow(data, old)
    f["name"], f["renamed_from"] = new, old


def test_renamed_file_flow_keeps_landing_into_its_raw_prefix(base, tmp_path):
    after = edited(tmp_path, lambda d: rename(d, "drops", "partner_drops"))
    assert lost(base.stack(HUB), after.stack(HUB)) == set()
    delivered = deliver(after, tmp_path / "delivered")
    [landing] = [
        p for p in delivered.policies(HUB).values() if any(s.get("Sid") == "LandOrQuarantine" for s in p["Statement"])
    ]
    raw = names.silo_bucket("beta", "hub", "raw", ACCOUNT, REGION)
    role = f"arn:aws:iam::{ACCOUNT}:role/landing"
    cases = [
        {
            "name": prefix,
            "principal": role,
            "action": "s3:PutObject",
            "resource": f"arn:aws:s3:::{raw}/{prefix}/ingest_date=2026-12-07/a.csv",
            "resourceAccount": ACCOUNT,
            "identityPolicies": [landing],
            "context": {"aws:SecureTransport": "true"},
        }
        for prefix in ("drops", "partner_drops")
    ]
    decisions = {r["name"]: r["decision"] for r in simulate(cases)}
    # Landing writes raw/<AWS name>/ (the landing function's FLOWS are keyed by it).
    assert decisions == {"drops": "Allowed", "partner_drops": "ImplicitlyDenied"}


def test_renamed_warehouse_flow_keeps_loading_into_its_table(base, tmp_path):
    after = edited(tmp_path, lambda d: rename(d, "drops", "partner_drops"))
    assert lost(base.stack(HUB), after.stack(HUB)) == set()
    [renamed] = [f for s in after.catalog.silos for f in s.flows if f.name == "partner_drops"]
    definitions = " ".join(m["definition"] for m in after.resources(HUB, "aws_sfn_state_machine").values())
    assert json.dumps(warehouse_sql.table_name(renamed))[1:-1] in definitions
    assert warehouse_sql.quote("partner_drops") not in definitions
    roles = {r["name"] for r in after.resources(HUB, "aws_iam_role").values()}
    assert names.silo_role("hub", "drops-load") in roles
    assert set(moved(after.stack(HUB))) >= {a for a in addresses(base.stack(HUB)) if "drops" in a}


def _warehouse_off(data) -> None:
    for f in silo(data)["flows"]:
        f["warehouse"] = False


def _warehouse_flows_removed(data) -> None:
    hub = silo(data)
    hub["flows"] = [f for f in hub["flows"] if not f.get("warehouse")]
    hub["removed_flows"] = ["orders", "drops"]


@pytest.mark.parametrize("edit", [_warehouse_off, _warehouse_flows_removed], ids=["warehouse-false", "removed_flows"])
def test_warehouse_leaving_forgets_namespace_and_workgroup(base, tmp_path, edit):
    before, after = base.stack(HUB), edited(tmp_path, edit).stack(HUB)
    warehouse = of_type(before, "aws_redshiftserverless_namespace") | of_type(
        before, "aws_redshiftserverless_workgroup"
    )
    assert len(warehouse) == 2 and warehouse <= removed(after)
    # The network the forgotten workgroup sits in stays too (destroying it would fail on the
    # workgroup's interfaces), and nothing holding data is destroyed.
    assert of_type(before, "aws_vpc") <= removed(after)
    assert lost(before, after) == set()
