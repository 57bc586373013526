"""The account baseline: account-level singletons every silo stack has, whatever its flows."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from silolake.aws import names
from silolake.constructs.account.baseline import LEGACY_ADDRESSES

pytestmark = pytest.mark.slow


def _address(rtype: str, logical_id: str) -> str:
    return f"{rtype}.{logical_id}"


def test_every_silo_stack_owns_the_api_gateway_account_setting(example_synth):
    silos = example_synth.catalog.deployable_silos
    assert any(not s.flows_from("api") for s in silos), "the example has a silo without api flows"
    for silo in silos:
        stack = silo.stack_name
        (account,) = example_synth.resources(stack, "aws_api_gateway_account").values()
        role_id = account["cloudwatch_role_arn"].removeprefix("${aws_iam_role.").removesuffix(".arn}")
        role = example_synth.resources(stack, "aws_iam_role")[role_id]
        assert role["name"] == names.silo_role(silo.name, "api-logs")
        assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {
            "Service": "apigateway.amazonaws.com"
        }
        assert account["//"]["metadata"]["path"] == f"{stack}/baseline/api-gateway-account"


def test_s3_block_public_access_for_the_whole_account_by_default(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        (block,) = example_synth.resources(silo.stack_name, "aws_s3_account_public_access_block").values()
        assert block["account_id"] == silo.account_id
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        assert all(block[f] is True for f in flags)


def test_stage_waits_for_the_account_setting(example_synth):
    for silo in example_synth.catalog.deployable_silos:
        if not silo.flows_from("api"):
            continue
        (account_id,) = example_synth.resources(silo.stack_name, "aws_api_gateway_account")
        (stage,) = example_synth.resources(silo.stack_name, "aws_api_gateway_stage").values()
        assert _address("aws_api_gateway_account", account_id) in stage["depends_on"]


def test_moved_blocks_carry_the_former_ingestion_resources(example_synth):
    """Upgrading destroys nothing: each former address moves to the baseline's resource."""
    for silo in example_synth.catalog.deployable_silos:
        stack = example_synth.stack(silo.stack_name)
        # Owners' moves (positional to e-mail-keyed addresses) are tested in tests/day2.
        moved = {
            m["from"]: m["to"]
            for m in stack["moved"]
            if not m["from"].startswith(("aws_cognito_user.", "aws_sns_topic_subscription."))
        }
        assert set(moved) == set(LEGACY_ADDRESSES.values())
        for address in moved.values():
            rtype, logical_id = address.split(".", 1)
            assert stack["resource"][rtype][logical_id]["//"]["metadata"]["path"].startswith(
                f"{silo.stack_name}/baseline/"
            )


def test_legacy_addresses_are_what_the_ingestion_construct_produced(tmp_path: Path):
    """The ``from`` addresses are cdktf's logical ids for the former construct paths."""
    from silolake.engine.cdk import Construct, TerraformStack, aws
    from silolake.synth.app import make_app

    app = make_app(str(tmp_path))
    stack = TerraformStack(app, "silo-x")
    aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
    ingestion = Construct(stack, "ingestion")
    role = aws.iam_role.IamRole(ingestion, "logging-role", name="r", assume_role_policy="{}")
    aws.iam_role_policy.IamRolePolicy(ingestion, "logging-role-policy", name="p", role=role.id, policy="{}")
    aws.api_gateway_account.ApiGatewayAccount(ingestion, "account", cloudwatch_role_arn=role.arn)
    app.synth()
    doc = json.loads((tmp_path / "stacks" / "silo-x" / "cdk.tf.json").read_text())
    produced = {_address(t, i) for t, items in doc["resource"].items() for i in items}
    assert produced == set(LEGACY_ADDRESSES.values())


def test_block_public_access_can_be_turned_off_per_silo(example_catalog, tmp_path: Path):
    from silolake.stacks.silo import SiloStack
    from silolake.synth.app import make_app

    silo = next(s for s in example_catalog.deployable_silos if not s.flows_from("api"))
    app = make_app(str(tmp_path))
    SiloStack(app, catalog=example_catalog, silo=dataclasses.replace(silo, s3_block_public_access=False))
    app.synth()
    doc = json.loads((tmp_path / "stacks" / silo.stack_name / "cdk.tf.json").read_text())
    assert "aws_s3_account_public_access_block" not in doc["resource"]
    assert len(doc["resource"]["aws_api_gateway_account"]) == 1  # the API Gateway setting stays
