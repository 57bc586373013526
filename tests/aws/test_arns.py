"""ARNs follow the partition of the stack's region (``silolake/aws/arns.py``).

The catalog still refuses regions outside the commercial partition (``tests/catalog/test_validation.py``,
"GovCloud region"), so the synthesized proof here builds the model directly: the example's
``sales`` silo moved to ``us-gov-west-1``, synthesized as ``silolake synth`` would. What the
silo's capability constructs write (state machines, functions, the ingestion API, their roles)
must be in ``aws-us-gov`` throughout; what still comes out commercial is named in
:data:`NOT_YET_PARTITIONED` with the module that formats it, so the list can only shrink.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from silolake.aws import arns
from silolake.constructs.etl import asl
from tests.conftest import Synth, synthesize_catalog

GOV = "us-gov-west-1"
#: Resources of the GovCloud silo stack that still carry a commercial ARN, and why. The
#: pipeline's own resources are right to: the example's artifacts bucket is in eu-west-1, so
#: the silo pipeline runs there (``policy/delivery.py``: ``pipeline_region``).
NOT_YET_PARTITIONED = {
    "aws_cloudwatch_event_bus_policy": "pipeline (eu-west-1) and policy/documents.py account_root",
    "aws_iam_policy": "pipeline boundary (eu-west-1)",
    "aws_iam_role": "pipeline roles (eu-west-1); policy/delivery.py (GitHub OIDC), policy/health_sharing.py",
    "aws_iam_role_policy": "pipeline roles (eu-west-1); policy/read_only.py (GitHub plan)",
    "aws_kms_key": "policy/documents.py (key admin, logs), policy/sharing.py, policy/health_sharing.py",
    "aws_s3_bucket_policy": "policy/documents.py (TLS deny, log delivery), policy/sharing.py, policy/quicksight.py",
    "aws_glue_resource_policy": "policy/sharing.py",
}


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


@pytest.fixture(scope="module")
def gov_synth(example_catalog, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    variant = dataclasses.replace(
        example_catalog,
        silos=tuple(dataclasses.replace(s, region=GOV) if s.name == "sales" else s for s in example_catalog.silos),
    )
    return synthesize_catalog(variant, tmp_path_factory.mktemp("govcloud") / "cdktf.out")


def _commercial(value: object) -> list[str]:
    return re.findall(r"arn:aws:[a-z0-9-]*:[^\"\\\s,]*", json.dumps(value))


def test_a_govcloud_silo_gets_govcloud_arns_from_its_constructs(gov_synth: Synth) -> None:
    stack = gov_synth.stack("silo-sales")
    commercial = {
        rtype: sorted(name for name, r in resources.items() if _commercial(r))
        for rtype, resources in stack["resource"].items()
    }
    leftover = {rtype: names for rtype, names in commercial.items() if names and rtype not in NOT_YET_PARTITIONED}
    assert leftover == {}
    # The ETL, ingestion, partner and health roles are fully partitioned; only the roles
    # listed above (pipeline in eu-west-1, GitHub plan) keep commercial ARNs.
    assert [n for n in commercial["aws_iam_role_policy"] if not n.startswith(("pipeline_", "github-plan_"))] == []
    # Positive: the partition reached what the constructs format.
    text = json.dumps(stack)
    for expected in (
        "arn:aws-us-gov:states:::glue:startJobRun.sync",  # state machine tasks (asl.py)
        "arn:aws-us-gov:lambda:us-gov-west-1:017000801446:layer:",  # Powertools layer
        "arn:aws-us-gov:apigateway:us-gov-west-1:firehose:action/PutRecord",  # ingestion API
        "arn:aws-us-gov:firehose:us-gov-west-1:444444444444:deliverystream/",  # API role
        "arn:aws-us-gov:iam::444444444444:role/silolake-sales-partner-cfn",  # partner functions
        "arn:aws-us-gov:s3:::acme-sales-raw-",  # Glue job and Firehose roles
    ):
        assert expected in text, expected


def test_a_commercial_silo_is_unchanged(gov_synth: Synth, example_synth: Synth) -> None:
    """Moving one silo changes only its own stack's partition: the others stay commercial."""
    assert "arn:aws-us-gov:" not in json.dumps(gov_synth.stack("silo-logistics"))
    assert gov_synth.stack("silo-logistics") == example_synth.stack("silo-logistics")
