"""ARNs follow the partition of the stack's region (``silolake/aws/arns.py``): the builders.

The synthesized proof (every stack of a GovCloud organization) is ``tests/aws/test_partitions.py``.
"""

from __future__ import annotations

import pytest

from silolake.aws import arns
from silolake.constructs.etl import asl

GOV = "us-gov-west-1"


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("us-east-1", "aws"),
        ("us-gov-west-1", "aws-us-gov"),
        ("cn-north-1", "aws-cn"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),  # not aws-iso: the longer prefix wins
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
    ],
)
def test_the_partition_follows_the_region(region: str, partition: str) -> None:
    assert arns.partition_of(region) == partition


def test_builders_take_the_partition() -> None:
    assert arns.s3("aws-us-gov", "b") == "arn:aws-us-gov:s3:::b"
    assert arns.s3("aws-cn", "b", "p/*") == "arn:aws-cn:s3:::b/p/*"
    assert arns.role("aws-us-gov", "111122223333", "r", "/p/") == "arn:aws-us-gov:iam::111122223333:role/p/r"
    assert arns.aws_managed_policy("aws-cn", "ReadOnlyAccess") == "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"
    assert arns.states_integration("aws-us-gov", asl.SNS_PUBLISH) == "arn:aws-us-gov:states:::sns:publish"
    assert arns.log_group(GOV, "111122223333", "/g") == "arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:/g"
    assert arns.service_endpoint("s3", "cn-north-1") == "s3.cn-north-1.amazonaws.com.cn"
    assert arns.service_principal("lambda", "aws-us-gov") == "lambda.amazonaws.com"
    assert arns.service_principal("ec2", "aws-cn") == "ec2.amazonaws.com.cn"
    assert arns.regional_service_principal("logs", GOV) == "logs.us-gov-west-1.amazonaws.com"
    assert arns.regional_service_principal("logs", "cn-north-1") == "logs.cn-north-1.amazonaws.com.cn"
    assert arns.account_root("aws-us-gov", "111122223333") == "arn:aws-us-gov:iam::111122223333:root"
    assert arns.any_region("aws-us-gov", "kms", "alias/x") == "arn:aws-us-gov:kms:*:*:alias/x"
    assert arns.is_arn("arn:aws-us-gov:s3:::b") and not arns.is_arn("silolake/sales/chat-webhook")
