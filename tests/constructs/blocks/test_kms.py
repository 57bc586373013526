"""``CustomerKey``: a rotated, destroy-protected KMS key whose policy delegates to IAM in its
own account, lets CloudWatch Logs of that account and region use it, then adds the caller's
statements (AWS KMS Developer Guide, "Default key policy" and "Encrypt log data in CloudWatch
Logs using AWS KMS")."""

from __future__ import annotations

import pytest

from tests.constructs.blocks.conftest import ACCOUNT, REGION, only
from tests.stackjson import policy_json, ref_name

EXTRA = {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}


def _key(block_stack, **kwargs) -> dict:
    from silolake.constructs.blocks import CustomerKey

    CustomerKey(
        block_stack.scope,
        "key",
        alias="silolake-sales",
        description="sales data",
        account_id=ACCOUNT,
        region=REGION,
        **kwargs,
    )
    return block_stack.synth()


def test_the_key_rotates_yearly_waits_30_days_to_delete_and_survives_destroy(block_stack) -> None:
    doc = _key(block_stack)
    key = only(doc, "aws_kms_key")
    assert key["enable_key_rotation"] is True and key["rotation_period_in_days"] == 365
    assert key["deletion_window_in_days"] == 30
    assert key["lifecycle"]["prevent_destroy"] is True
    assert key["description"] == "sales data"
    alias = only(doc, "aws_kms_alias")
    assert alias["name"] == "alias/silolake-sales"
    assert ref_name(alias["target_key_id"]) in doc["resource"]["aws_kms_key"]


def test_the_policy_is_account_admin_then_logs_then_the_callers_statements(block_stack) -> None:
    statements = policy_json(only(_key(block_stack, statements=[EXTRA]), "aws_kms_key")["policy"])["Statement"]
    admin, logs, extra = statements
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"} and admin["Effect"] == "Allow"
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    # only log groups of this account and region may have the key encrypt for them
    [(_, condition)] = logs["Condition"]["ArnLike"].items()
    assert condition.endswith(f":logs:{REGION}:{ACCOUNT}:*")
    assert extra == EXTRA


@pytest.mark.parametrize("protect", [True, False])
def test_protect_decides_prevent_destroy(block_stack, protect: bool) -> None:
    assert only(_key(block_stack, protect=protect), "aws_kms_key")["lifecycle"]["prevent_destroy"] is protect
