"""Structural tests of the synthesized ``analytics-*`` stacks."""

from __future__ import annotations

import json

import pytest

from silolake.aws import names
from silolake.constructs.blocks.athena import BYTES_SCANNED_CUTOFF
from silolake.policy.analytics import readable_silos, workspace_regions
from tests.stackjson import bucket_key, bucket_named, ref_name, resources

pytestmark = pytest.mark.slow  # needs the session synth


def consumers(synth):
    return [(c, synth.stack(c.stack_name)) for c in synth.catalog.analytics]


def resource_region(stack: dict, resource: dict) -> str:
    """Region a resource is created in: its own ``region`` argument, else the provider's."""
    [provider] = stack["provider"]["aws"]  # one provider (one role, one account pin) per stack
    return resource.get("region", provider["region"])


def test_one_glue_data_catalog_per_readable_silo_in_the_silo_region(example_synth):
    for consumer, stack in consumers(example_synth):
        silos = readable_silos(example_synth.catalog, consumer)
        assert silos, f"{consumer.name} reads nothing in the example"
        catalogs = {c["name"]: c for c in resources(stack, "aws_athena_data_catalog").values()}
        assert set(catalogs) == {names.athena_catalog(s.name) for s in silos}
        for silo in silos:
            cat = catalogs[names.athena_catalog(silo.name)]
            assert cat["type"] == "GLUE" and cat["parameters"] == {"catalog-id": silo.account_id}
            # Athena links a cross-account Glue catalog of its own region only.
            assert resource_region(stack, cat) == silo.region


def test_unentitled_and_pending_silos_get_no_catalog(example_synth):
    stack = example_synth.stack("analytics-finance-audit")
    names_ = {c["name"] for c in resources(stack, "aws_athena_data_catalog").values()}
    assert "silo_facilities" not in names_  # not in finance-audit's list
    bi = example_synth.stack("analytics-company-bi")
    assert "silo_marketing" not in {c["name"] for c in resources(bi, "aws_athena_data_catalog").values()}


def test_workgroups_enforce_encrypted_results_in_the_account(example_synth):
    for consumer, stack in consumers(example_synth):
        groups = list(resources(stack, "aws_athena_workgroup").values())
        assert sorted(resource_region(stack, g) for g in groups) == sorted(
            workspace_regions(example_synth.catalog, consumer)
        )
        for g in groups:
            cfg = g["configuration"]
            assert g["name"] == names.athena_workgroup("acme", consumer.name) and g["force_destroy"] is False
            assert cfg["enforce_workgroup_configuration"] is True
            assert cfg["publish_cloudwatch_metrics_enabled"] is True
            assert cfg["bytes_scanned_cutoff_per_query"] == BYTES_SCANNED_CUTOFF
            result = cfg["result_configuration"]
            assert result["expected_bucket_owner"] == consumer.account_id
            assert result["encryption_configuration"]["encryption_option"] == "SSE_KMS"
            bucket = result["output_location"].removeprefix("s3://").split("/")[0]
            _, res = bucket_named(stack, bucket)
            assert res["lifecycle"]["prevent_destroy"] is True
            # Results are encrypted with the same key as the bucket default, a key of this stack.
            key = bucket_key(stack, bucket)
            assert resources(stack, "aws_kms_key")[ref_name(result["encryption_configuration"]["kms_key_arn"])] is key
            assert key["enable_key_rotation"] is True
            assert resource_region(stack, res) == resource_region(stack, g)


def test_reader_policy_is_attached_to_every_reader_role_and_read_only(example_synth):
    for consumer, stack in consumers(example_synth):
        [pol] = resources(stack, "aws_iam_policy").values()
        # The OIDC plan role's ReadOnlyAccess (delivery.github) is not a reader grant.
        attachments = [
            a for a in resources(stack, "aws_iam_role_policy_attachment").values() if "github-plan" not in a["role"]
        ]
        assert sorted(a["role"] for a in attachments) == sorted(consumer.reader_roles)
        doc = json.loads(pol["policy"])
        actions = [a for s in doc["Statement"] for a in s["Action"]]
        assert not any(a.endswith("*") for a in actions)
        writes = {a for a in actions if a.split(":")[1].startswith(("Put", "Create", "Delete", "Update"))}
        assert writes == {"s3:PutObject"}  # query results only
        [put] = [s for s in doc["Statement"] if "s3:PutObject" in s["Action"]]
        assert all("-athena-" + consumer.account_id in r for r in put["Resource"])
        text = json.dumps(doc)
        for silo in example_synth.catalog.deployable_silos:
            processed = names.silo_bucket("acme", silo.name, "processed", silo.account_id, silo.region)
            assert (processed in text) == consumer.reads(silo)
            for zone in ("raw", "dropzone"):
                assert names.silo_bucket("acme", silo.name, zone, silo.account_id, silo.region) not in text
        [decrypt] = [s for s in doc["Statement"] if s["Sid"] == "DecryptSiloData"]
        assert "kms:ViaService" in decrypt["Condition"]["StringEquals"]


def test_no_silo_is_readable_without_ou_ids_or_once_decommissioned(example_catalog):
    import dataclasses

    bi = next(c for c in example_catalog.analytics if c.all_silos)
    assert {s.name for s in readable_silos(example_catalog, bi)} == {s.name for s in example_catalog.deployable_silos}
    no_ids = dataclasses.replace(example_catalog, layout=None)
    assert readable_silos(no_ids, bi) == () and workspace_regions(no_ids, bi) == [bi.region]
    gone = dataclasses.replace(
        example_catalog,
        silos=tuple(
            dataclasses.replace(s, decommission=True) if s.name == "logistics" else s for s in example_catalog.silos
        ),
    )
    assert "logistics" not in {s.name for s in readable_silos(gone, bi)}
    # logistics was the only eu-central-1 silo: decommissioning destroys nothing, so the
    # eu-central-1 workspace (key, buckets) stays (docs/day-2.md)
    assert workspace_regions(gone, bi) == ["eu-west-1", "eu-central-1"]
