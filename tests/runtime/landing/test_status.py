"""What a partner and the silo owners learn about each dropped file, through the handler (moto).

The partner reads ``_status/<partner>/<flow>/<file>.json``; the owners get one SNS message per
quarantined file (partner, flow, key, reason, size; no contents); a file in a flow the
partner's credential does not name is quarantined, read from the credential's role tag.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from .conftest import DROPZONE, RAW, REGION, Lake

CSV_OK = b"reseller_id;period;units_sold;revenue\nr1;2024-04-01;10;100.50\n"
#: Bytes that must never reach the owners' topic (the quarantined file's contents).
SECRET_ROW = b"r1;2024-04-01;10;SECRET-REVENUE-4242\n"
FLOWS_TAG = "silolake:partner-flows"


@pytest.fixture
def owners(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The owners' topic with a queue subscribed (raw delivery): what the topic publishes."""
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="silolake-sales-etl-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="owners")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("QUARANTINE_TOPIC_ARN", topic)

    def received() -> list[str]:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        return [m["Body"] for m in messages]

    yield received
    sns.delete_topic(TopicArn=topic)
    sqs.delete_queue(QueueUrl=queue)


@pytest.fixture
def roles(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Partner credential roles as the admin function creates them (name and flows tag)."""
    iam = boto3.client("iam", region_name=REGION)
    monkeypatch.setenv("PARTNER_ROLE_PREFIX", "partner-")
    monkeypatch.setenv("PARTNER_FLOWS_TAG", FLOWS_TAG)
    made: list[str] = []

    def role(partner: str, flows: str | None) -> None:
        tags = [{"Key": "silolake:partner-username", "Value": partner}]
        if flows is not None:
            tags.append({"Key": FLOWS_TAG, "Value": flows})
        name = f"partner-{partner}"
        iam.create_role(RoleName=name, Path="/silolake/partner/", AssumeRolePolicyDocument="{}", Tags=tags)
        made.append(name)

    yield role
    for name in made:
        iam.delete_role(RoleName=name)


def test_a_landed_file_leaves_a_status_the_partner_can_read(lake: Lake) -> None:
    key = "acme/reseller_reports/april.csv"
    assert lake.invoke(lake.drop(key, CSV_OK))["status"] == "landed"
    assert lake.keys(DROPZONE, status=True) == [f"_status/{key}.json"]
    assert lake.status(key) == {
        "key": key,
        "partner": "acme",
        "flow": "reseller_reports",
        "file": "april.csv",
        "size": len(CSV_OK),
        "status": "landed",
        "reason": "",
        "decided_at": "2024-05-01T23:59:58Z",
    }
    head = lake.s3.head_object(Bucket=DROPZONE, Key=f"_status/{key}.json")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == lake.key_arn
    assert head["ContentType"] == "application/json"


def test_a_quarantined_file_tells_the_partner_why_and_the_owners_once(lake: Lake, owners: Any) -> None:
    key = "acme/reseller_reports/april.csv"
    body = b"wrong;header\n" + SECRET_ROW
    event = lake.drop(key, body)
    outcome = lake.invoke(event)
    assert outcome["status"] == "quarantined"
    reason = "CSV header 'wrong;header' does not match the flow's columns 'reseller_id;period;units_sold;revenue'"
    assert outcome["reason"] == reason
    assert lake.status(key)["status"] == "quarantined" and lake.status(key)["reason"] == reason

    [message] = owners()
    assert json.loads(message) == {
        "event": "file quarantined",
        "partner": "acme",
        "flow": "reseller_reports",
        "key": key,
        "reason": reason,
        "size": len(body),
        "quarantined_to": f"s3://{DROPZONE}/_quarantine/{key}",
        "decided_at": "2024-05-01T23:59:58Z",
    }
    assert "SECRET-REVENUE" not in message and "r1;2024" not in message  # no file contents
    assert lake.invoke(event)["status"] == "gone"  # a redelivered event: no second message
    assert owners() == []
    assert lake.invoke(lake.drop(key, body))["status"] == "quarantined"  # the same name again: a new file
    assert len(owners()) == 1
    assert lake.invoke(lake.drop("acme/reseller_reports/ok.csv", CSV_OK))["status"] == "landed"
    assert owners() == []  # a landed file notifies nobody


def test_a_key_outside_the_layout_still_reports_to_its_partner(lake: Lake, owners: Any) -> None:
    lake.invoke(lake.drop("acme/april.csv", CSV_OK))
    record = lake.status("acme/april.csv")
    assert (record["partner"], record["flow"], record["status"]) == ("acme", "", "quarantined")
    assert record["reason"] == "key outside the layout <partner>/<flow>/<file>"
    assert len(owners()) == 1
    lake.invoke(lake.drop("april.csv", CSV_OK))  # at the root: no partner to tell, the owners still hear
    assert lake.keys(DROPZONE, status=True) == [
        "_quarantine/acme/april.csv",
        "_quarantine/april.csv",
        "_status/acme/april.csv.json",
    ]
    assert len(owners()) == 1


def test_a_flow_the_credential_does_not_name_is_quarantined(lake: Lake, roles: Any, owners: Any) -> None:
    roles("acme", "reseller_reports")
    shipments = "acme/shipments/monday.json"
    outcome = lake.invoke(lake.drop(shipments, b'{"shipment_id": "s1", "status": "out"}\n'))
    assert outcome["status"] == "quarantined"
    assert outcome["reason"] == "the credential 'acme' may not send flow 'shipments' (it may send: reseller_reports)"
    assert lake.invoke(lake.drop("acme/reseller_reports/april.csv", CSV_OK))["status"] == "landed"
    assert lake.keys(RAW) == ["reseller_reports/ingest_date=2024-05-01/acme__april.csv"]
    assert len(owners()) == 1


def test_without_a_live_credential_nothing_lands(lake: Lake, roles: Any) -> None:
    roles("legacy", None)  # created before credentials named flows: every flow
    assert lake.invoke(lake.drop("legacy/reseller_reports/april.csv", CSV_OK))["status"] == "landed"
    outcome = lake.invoke(lake.drop("gone/reseller_reports/april.csv", CSV_OK))
    assert outcome["reason"] == "no live credential named 'gone' (revoked or expired before the file landed)"
    outcome = lake.invoke(lake.drop("Not_A_User/reseller_reports/april.csv", CSV_OK))
    assert outcome["reason"] == "no live credential named 'Not_A_User' (revoked or expired before the file landed)"


def test_a_burst_of_files_reads_the_credential_once_a_minute(lake: Lake, roles: Any, monkeypatch) -> None:
    credentials = pytest.importorskip("landing.credentials")
    roles("acme", "reseller_reports")
    iam = boto3.client("iam", region_name=REGION)
    calls: list[str] = []
    real = iam.list_role_tags
    monkeypatch.setattr(iam, "list_role_tags", lambda **kw: calls.append(kw["RoleName"]) or real(**kw))
    now = [0.0]
    lookup = credentials.role_flows(iam, "partner-", FLOWS_TAG, clock=lambda: now[0])
    assert {lookup("acme") for _ in range(100)} == {frozenset({"reseller_reports"})}
    assert calls == ["partner-acme"]
    now[0] = credentials.CACHE_SECONDS + 1
    lookup("acme")
    assert calls == ["partner-acme", "partner-acme"]
