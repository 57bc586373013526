"""``MovedBlocks``: Terraform ``moved`` blocks from a former address to a resource's address
as synthesized, and the ``//`` metadata ``move_from_id`` would write (the engine sees no
resource move, so it adds no ``terraform version`` probe)."""

from __future__ import annotations

import pytest


def test_moved_blocks_point_from_the_former_address_to_the_synthesized_one(block_stack) -> None:
    from silolake.constructs.blocks.moved import MovedBlocks
    from silolake.engine.cdk import aws

    role = aws.iam_role.IamRole(block_stack.scope, "landing-role", name="r", assume_role_policy="{}")
    key = aws.kms_key.KmsKey(block_stack.scope, "key")
    MovedBlocks(block_stack.scope, "moves", [(role, "aws_iam_role.ingestion_role_0447A189"), (key, "aws_kms_key.k")])
    doc = block_stack.synth()
    [role_id] = doc["resource"]["aws_iam_role"]
    [key_id] = doc["resource"]["aws_kms_key"]
    assert doc["moved"] == [
        {"to": f"aws_iam_role.{role_id}", "from": "aws_iam_role.ingestion_role_0447A189"},
        {"to": f"aws_kms_key.{key_id}", "from": "aws_kms_key.k"},
    ]
    assert doc["//"]["metadata"]["moved"] == {"aws_iam_role": [role_id], "aws_kms_key": [key_id]}


def test_a_move_across_resource_types_is_refused(block_stack) -> None:
    from silolake.constructs.blocks.moved import MovedBlocks
    from silolake.engine.cdk import aws

    role = aws.iam_role.IamRole(block_stack.scope, "role", name="r", assume_role_policy="{}")
    with pytest.raises(ValueError, match="cannot move aws_kms_key.k to a aws_iam_role resource"):
        MovedBlocks(block_stack.scope, "moves", [(role, "aws_kms_key.k")])
