"""What partners and owners learn about dropped files, through the policies as Terraform delivers them.

A partner reads its own status records and cannot forge or read another's; the landing
function writes status records, tells the owners' topic and nothing else, and reads the
flows tag of partner roles only.
"""

from __future__ import annotations

import pytest

from silolake.aws import names
from silolake.policy import partner as pp

from ..delivered import Delivery
from .test_intake import bucket, bucket_policy, key_policy
from .test_partner_boundary import (
    ACCOUNT,
    ALLOWED,
    BUCKET,
    IMPLICIT,
    KEY,
    PARTNER,
    SALES,
    boundary,  # noqa: F401 - fixture
    case,
    decide,
    delivered,  # noqa: F401 - fixture
    partner,
    role_policy,
)

LANDING = f"arn:aws:sts::{ACCOUNT}:assumed-role/{names.silo_role('sales', 'landing')}/landing"
DROPZONE = f"arn:aws:s3:::{BUCKET}"


def test_a_partner_reads_its_own_status_and_cannot_write_one(boundary: dict) -> None:  # noqa: F811
    assert PARTNER.endswith("/bob")
    got = decide(
        [
            partner(boundary, "read own status", "s3:GetObject", f"{DROPZONE}/_status/bob/reseller_reports/a.csv.json"),
            partner(boundary, "list own status", "s3:ListBucket", DROPZONE, **{"s3:prefix": "_status/bob/"}),
            partner(boundary, "read other status", "s3:GetObject", f"{DROPZONE}/_status/alice/flow/a.csv.json"),
            partner(boundary, "list all status", "s3:ListBucket", DROPZONE, **{"s3:prefix": "_status/"}),
            partner(boundary, "forge own status", "s3:PutObject", f"{DROPZONE}/_status/bob/flow/a.csv.json"),
            partner(boundary, "read own quarantine", "s3:GetObject", f"{DROPZONE}/_quarantine/bob/flow/a.csv"),
        ]
    )
    assert got == {
        "read own status": ALLOWED,
        "list own status": ALLOWED,
        "read other status": IMPLICIT,
        "list all status": IMPLICIT,
        "forge own status": IMPLICIT,
        "read own quarantine": IMPLICIT,
    }


@pytest.fixture(scope="module")
def landing(delivered: Delivery) -> dict:  # noqa: F811
    return role_policy(delivered, "landing")


def test_landing_writes_status_notifies_the_owners_topic_only_and_reads_partner_tags(
    delivered: Delivery,  # noqa: F811
    landing: dict,
) -> None:
    # The pipeline's alerts topic (silo key), every owner subscribed: the one quarantines go to.
    [alerts] = [t for t in delivered.resources(SALES, "aws_sns_topic").values() if t["name"].endswith("-etl-alerts")]
    assert alerts["kms_master_key_id"].startswith("tfref:aws_kms_key.") or alerts["kms_master_key_id"] == KEY
    topic = f"arn:aws:sns:eu-west-1:{ACCOUNT}:{alerts['name']}"
    [function] = [
        f
        for f in delivered.resources(SALES, "aws_lambda_function").values()
        if f["function_name"] == names.etl_silo_name("sales", "landing")
    ]
    env = function["environment"]["variables"]
    assert env["QUARANTINE_TOPIC_ARN"] == topic
    assert (env["PARTNER_ROLE_PREFIX"], env["PARTNER_FLOWS_TAG"]) == (pp.ROLE_PREFIX, pp.TAG_FLOWS)
    encrypted = {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}

    dropzone = bucket_policy(delivered, SALES, bucket("dropzone"))
    key = key_policy(delivered, SALES, names.silo_key_alias("sales"))

    def act(name: str, action: str, resource: str, **context: str) -> dict:
        """The landing role's request; the bucket's or the key's own policy too where one applies."""
        resource_policy = dropzone if resource.startswith(DROPZONE) else key if resource == KEY else None
        extra = {"resourcePolicy": resource_policy} if resource_policy else {}
        return case(name, LANDING, action, resource, identityPolicies=[landing], context=context, **extra)

    got = decide(
        [
            act("write status", "s3:PutObject", f"{DROPZONE}/_status/bob/flow/a.csv.json", **encrypted),
            act("write into a partner prefix", "s3:PutObject", f"{DROPZONE}/bob/flow/a.csv", **encrypted),
            act("notify owners", "sns:Publish", topic),
            act(
                "silo key for the topic",
                "kms:GenerateDataKey",
                KEY,
                **{"kms:ViaService": "sns.eu-west-1.amazonaws.com"},
            ),
            act(
                "write status with another key",
                "s3:PutObject",
                f"{DROPZONE}/_status/bob/f/a.csv.json",
                **{**encrypted, "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY.replace("1111", "9999")},
            ),
            act("notify another topic", "sns:Publish", topic.replace("etl-alerts", "other")),
            act("read partner tags", "iam:ListRoleTags", f"arn:aws:iam::{ACCOUNT}:role/silolake/partner/partner-bob"),
            act("read other tags", "iam:ListRoleTags", f"arn:aws:iam::{ACCOUNT}:role/{names.silo_role('sales', 'x')}"),
            act("tag a partner role", "iam:TagRole", f"arn:aws:iam::{ACCOUNT}:role/silolake/partner/partner-bob"),
        ]
    )
    assert got == {
        "write status": ALLOWED,
        "write into a partner prefix": IMPLICIT,
        "notify owners": ALLOWED,
        "silo key for the topic": ALLOWED,
        "write status with another key": "ExplicitlyDenied",
        "notify another topic": IMPLICIT,
        "read partner tags": ALLOWED,
        "read other tags": IMPLICIT,
        "tag a partner role": IMPLICIT,
    }
