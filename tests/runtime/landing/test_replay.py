"""Replay of quarantined files (issue 24): ``silolake redrive --quarantined`` sends a file landing refused
back through landing after a fix, and every landing check runs again (moto, in process).

The command copies ``_quarantine/<partner>/<flow>/<file>`` back to ``<partner>/<flow>/<file>``; the
``Object Created`` event of that copy is handed to the landing handler as EventBridge would. The partner
whose credential is checked is the one the key names (the quarantine holds only what landing moved out
of that partner's prefix), against the credential's flows *now*: a file refused because the flow was
missing from the credential lands once the flow is added, and is refused again while it is not.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from silolake.aws import names
from silolake.cli import main
from tests.conftest import EXAMPLE

from .conftest import DROPZONE, RAW, REGION, Lake
from .test_status import CSV_OK, FLOWS_TAG, owners, roles  # noqa: F401 - fixtures

QUARANTINED = "_quarantine/acme/reseller_reports/april.csv"
DROPPED = "acme/reseller_reports/april.csv"
REPLAY_TIME = "2024-05-03T10:00:00Z"


@pytest.fixture(scope="module")
def aws():
    """moto as the silo account of the example's ``sales`` (the command checks whose credentials it has)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("MOTO_ACCOUNT_ID", "444444444444")
        env.delenv("AWS_PROFILE", raising=False)
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(var, "testing")
        with mock_aws():
            yield boto3.client("s3", region_name=REGION), boto3.client("kms", region_name=REGION)


def test_the_buckets_are_the_example_silos():
    assert names.silo_bucket("acme", "sales", "dropzone", "444444444444", REGION) == DROPZONE


def replay(*extra: str, code: int = 0) -> Any:
    args = ["redrive", str(EXAMPLE), "--silo", "sales", "--flow", "reseller_reports", "--quarantined", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def grant(flows: str) -> None:
    boto3.client("iam").tag_role(RoleName="partner-acme", Tags=[{"Key": FLOWS_TAG, "Value": flows}])


def versions(lake: Lake, key: str) -> int:
    return len([v for v in lake.s3.list_object_versions(Bucket=DROPZONE, Prefix=key).get("Versions", [])])


def test_a_file_refused_for_its_credential_lands_once_the_flow_is_granted(lake: Lake, roles, owners) -> None:  # noqa: F811
    roles("acme", "price_lists")
    assert lake.invoke(lake.drop(DROPPED, CSV_OK))["status"] == "quarantined"
    assert lake.keys(DROPZONE) == [QUARANTINED]

    grant("price_lists reseller_reports")  # the fix: the credential may now send the flow
    dry = replay("--dry-run")  # lists, touches nothing
    assert f"would replay s3://{DROPZONE}/{QUARANTINED} -> {DROPPED}" in dry.output
    assert "1 of 1 quarantined file(s) of sales/reseller_reports would be sent back" in dry.output
    assert lake.keys(DROPZONE) == [QUARANTINED] and versions(lake, QUARANTINED) == 1
    result = replay()
    assert f"replayed s3://{DROPZONE}/{QUARANTINED} -> {DROPPED}" in result.output
    assert "1 of 1 quarantined file(s) of sales/reseller_reports sent back to landing" in result.output
    assert lake.keys(DROPZONE) == [DROPPED]  # the quarantined version is gone, the copy waits for landing
    head = lake.s3.head_object(Bucket=DROPZONE, Key=DROPPED)
    assert head["Metadata"] == {"replayed-from": QUARANTINED}
    assert lake.s3.get_object_tagging(Bucket=DROPZONE, Key=DROPPED)["TagSet"] == []
    assert lake.s3.get_object(Bucket=DROPZONE, Key=DROPPED)["Body"].read() == CSV_OK

    outcome = lake.invoke(lake.created(DROPPED, REPLAY_TIME))  # EventBridge hands the copy to landing
    assert outcome["status"] == "landed"
    assert lake.keys(RAW) == ["reseller_reports/ingest_date=2024-05-03/acme__april.csv"]  # the replay's day
    assert lake.s3.get_object(Bucket=RAW, Key=lake.keys(RAW)[0])["Body"].read() == CSV_OK
    assert lake.keys(DROPZONE) == []
    status = lake.status(DROPPED)
    assert (status["status"], status["reason"], status["decided_at"]) == ("landed", "", REPLAY_TIME)

    again = replay()  # idempotent: nothing is left to replay, nothing lands twice
    assert "0 of 0 quarantined file(s)" in again.output
    assert lake.keys(RAW) == ["reseller_reports/ingest_date=2024-05-03/acme__april.csv"]
    assert len(owners()) == 1  # the owners heard of the quarantine once, not of the replay


def test_without_the_fix_the_replayed_file_is_refused_again_with_the_same_check(lake: Lake, roles, owners) -> None:  # noqa: F811
    roles("acme", "price_lists")
    lake.invoke(lake.drop(DROPPED, CSV_OK))
    replay("--partner", "acme")
    outcome = lake.invoke(lake.created(DROPPED, REPLAY_TIME))
    assert outcome["status"] == "quarantined"
    assert outcome["reason"] == "the credential 'acme' may not send flow 'reseller_reports' (it may send: price_lists)"
    assert lake.keys(RAW) == []
    assert lake.keys(DROPZONE) == [QUARANTINED]
    assert versions(lake, QUARANTINED) == 1  # the replayed version was deleted; landing's new one stays
    status = lake.status(DROPPED)
    assert (status["status"], status["decided_at"]) == ("quarantined", REPLAY_TIME)


def test_a_pending_upload_of_the_same_name_is_never_overwritten(lake: Lake, roles) -> None:  # noqa: F811
    roles("acme", "price_lists")
    lake.invoke(lake.drop(DROPPED, CSV_OK))
    newer = CSV_OK + b"r2;2024-04-01;1;1.00\n"
    lake.s3.put_object(Bucket=DROPZONE, Key=DROPPED, Body=newer)  # not landed yet
    result = replay(code=3)  # README "Exit codes": 3, done in part, rerun later
    assert "waiting" in result.output and "0 of 1 quarantined file(s)" in result.output
    assert "error: 1 quarantined file(s) wait for their dropzone key to be landed first" in result.output
    assert lake.s3.get_object(Bucket=DROPZONE, Key=DROPPED)["Body"].read() == newer
    assert lake.keys(DROPZONE) == [QUARANTINED, DROPPED]


def test_malware_and_other_partners_files_stay_in_quarantine(lake: Lake) -> None:
    kms_key = lake.key_arn
    for key, reason in [
        (QUARANTINED, "GuardDuty found malware: EICAR-Test-File"),
        ("_quarantine/other/reseller_reports/may.csv", "empty file"),
    ]:
        lake.s3.put_object(
            Bucket=DROPZONE,
            Key=key,
            Body=CSV_OK,
            Metadata={"quarantine-reason": reason},
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=kms_key,
        )
    result = replay("--partner", "acme")
    assert "kept" in result.output and "GuardDuty found malware: EICAR-Test-File" in result.output
    assert lake.keys(DROPZONE) == [QUARANTINED, "_quarantine/other/reseller_reports/may.csv"]
    assert lake.keys(RAW) == []
