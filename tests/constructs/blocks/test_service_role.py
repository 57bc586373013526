"""``service_role`` and ``encrypted_log_group``: a role only its service may assume (for
resources of one account, against the confused deputy), whose only permissions are one inline
policy and no managed policy; a KMS-encrypted, retained, destroy-protected log group (IAM User
Guide, "The confused deputy problem")."""

from __future__ import annotations

from tests.constructs.blocks.conftest import ACCOUNT, REGION, only
from tests.stackjson import policy_json, ref_name

STATEMENT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::raw/*"}
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"


def test_only_the_service_acting_for_the_account_assumes_the_role_and_it_holds_one_inline_policy(block_stack) -> None:
    from silolake.constructs.blocks import service_role
    from silolake.constructs.blocks.service_role import source_account_condition

    service_role(
        block_stack.scope,
        "role",
        name="silolake-sales-landing",
        service="lambda.amazonaws.com",
        statements=[STATEMENT],
        description="landing",
        trust_condition=source_account_condition(ACCOUNT),
    )
    doc = block_stack.synth()
    role = only(doc, "aws_iam_role")
    assert role["name"] == "silolake-sales-landing"
    [trust] = policy_json(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    inline = only(doc, "aws_iam_role_policy")
    assert ref_name(inline["role"]) in doc["resource"]["aws_iam_role"]
    assert policy_json(inline["policy"])["Statement"] == [STATEMENT]
    # no managed policy: AWS updating one can never widen the role
    assert not {"aws_iam_role_policy_attachment", "aws_iam_policy"} & set(doc["resource"])
    assert "managed_policy_arns" not in role


def test_without_a_condition_the_trust_names_the_service_alone(block_stack) -> None:
    from silolake.constructs.blocks import service_role

    service_role(
        block_stack.scope, "role", name="r", service="glue.amazonaws.com", statements=[STATEMENT], description="d"
    )
    [trust] = policy_json(only(block_stack.synth(), "aws_iam_role")["assume_role_policy"])["Statement"]
    assert "Condition" not in trust


def test_the_log_group_is_encrypted_retained_and_survives_destroy(block_stack) -> None:
    from silolake.aws.arns import log_group as log_group_arn
    from silolake.constructs.blocks import encrypted_log_group

    encrypted_log_group(block_stack.scope, "logs", name="/aws/lambda/silolake-sales-landing", kms_key_arn=KEY)
    group = only(block_stack.synth(), "aws_cloudwatch_log_group")
    assert group["kms_key_id"] == KEY and group["retention_in_days"] == 365
    assert group["lifecycle"]["prevent_destroy"] is True
    assert log_group_arn(REGION, ACCOUNT, group["name"]).endswith(
        f":logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/silolake-sales-landing"
    )
