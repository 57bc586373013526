"""The landing function through its handler, S3 in moto: land, quarantine, ignore, redeliver."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import DROPZONE, FLOWS, RAW, Lake

tag_value = pytest.importorskip("landing.rules").tag_value

CSV_OK = b"reseller_id;period;units_sold;revenue\nr1;2024-04-01;10;100.50\n"
RAW_KEY = "reseller_reports/ingest_date=2024-05-01/acme__april.csv"


def _parquet() -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table({"campaign_id": ["c1"]}), out)
    return out.getvalue()


def _versions(lake: Lake, bucket: str, key: str) -> list[dict[str, Any]]:
    listing = lake.s3.list_object_versions(Bucket=bucket, Prefix=key)
    return [v for v in listing.get("Versions", []) if v["Key"] == key]


def test_good_file_is_copied_to_raw_then_removed_from_the_dropzone(lake: Lake) -> None:
    event = lake.drop("acme/reseller_reports/april.csv", CSV_OK)
    assert lake.invoke(event) == {
        "status": "landed",
        "key": "acme/reseller_reports/april.csv",
        "target": f"{RAW}/{RAW_KEY}",
        "reason": "",
    }
    copy = lake.s3.get_object(Bucket=RAW, Key=RAW_KEY)
    assert copy["Body"].read() == CSV_OK
    assert copy["ServerSideEncryption"] == "aws:kms" and copy["SSEKMSKeyId"] == lake.key_arn
    assert copy["Metadata"] == {
        "partner": "acme",
        "source-key": "acme/reseller_reports/april.csv",
        "source-etag": event["detail"]["object"]["etag"],
    }
    assert lake.keys(DROPZONE) == []
    assert _versions(lake, DROPZONE, "acme/reseller_reports/april.csv") == []  # that version is deleted


# mtime=0: the gzip header's time is part of the test id, and pytest-xdist refuses to run when
# its workers collect different ids (one second apart, they would).
@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("carrier-x/shipments/monday.json.gz", gzip.compress(b'{"shipment_id": "s1", "status": "out"}\n', mtime=0)),
        ("agency/campaign_results/week 1.parquet", _parquet()),
    ],
)
def test_good_json_and_parquet_files_land(lake: Lake, key: str, body: bytes) -> None:
    partner, flow, file = key.split("/")
    assert lake.invoke(lake.drop(key, body))["status"] == "landed"
    assert lake.keys(RAW) == [f"{flow}/ingest_date=2024-05-01/{partner}__{file}"]


@pytest.mark.parametrize(
    ("key", "body", "reason"),
    [
        (
            "acme/reseller_reports/april.xlsx",
            CSV_OK,
            "file name 'april.xlsx' does not fit format csv (expected .csv (optionally .gz))",
        ),
        (
            "acme/reseller_reports/big.csv",
            CSV_OK + b"r2;2024-04-01;1;1\n" * 60,
            "file of 1142 bytes exceeds the flow's limit of 1000 bytes",
        ),
        ("acme/reseller_reports/empty.csv", b"", "empty file"),
        (
            "acme/reseller_reports/cols.csv",
            b"reseller;period;units;revenue\nr1;2024-04-01;1;1\n",
            "CSV header 'reseller;period;units;revenue' does not match the flow's columns "
            "'reseller_id;period;units_sold;revenue'",
        ),
        (
            "acme/reseller_reports/comma.csv",
            b"reseller_id,period,units_sold,revenue\n",
            "CSV header 'reseller_id,period,units_sold,revenue' does not match the flow's columns "
            "'reseller_id;period;units_sold;revenue'",
        ),
        ("acme/inventory/stock.csv", CSV_OK, "unknown flow 'inventory'"),
        ("acme/april.csv", CSV_OK, "key outside the layout <partner>/<flow>/<file>"),
        ("acme/reseller_reports/2024/april.csv", CSV_OK, "key outside the layout <partner>/<flow>/<file>"),
        (
            "carrier-x/shipments/list.json",
            b'[{"shipment_id": "s1"}]',
            "not JSON lines (first character '[', expected '{')",
        ),
        (
            "agency/campaign_results/fake.parquet",
            b"PAR1 but not really",
            "not a Parquet file (no PAR1 magic at both ends)",
        ),
    ],
)
def test_bad_files_are_quarantined_with_the_reason(lake: Lake, key: str, body: bytes, reason: str) -> None:
    outcome = lake.invoke(lake.drop(key, body))
    assert outcome == {"status": "quarantined", "key": key, "target": f"{DROPZONE}/_quarantine/{key}", "reason": reason}
    assert lake.keys(RAW) == []
    assert lake.keys(DROPZONE) == [f"_quarantine/{key}"]
    moved = lake.s3.get_object(Bucket=DROPZONE, Key=f"_quarantine/{key}")
    assert moved["Body"].read() == body
    assert moved["ServerSideEncryption"] == "aws:kms" and moved["SSEKMSKeyId"] == lake.key_arn
    assert unquote(moved["Metadata"]["quarantine-reason"]) == reason
    assert moved["Metadata"]["source-key"] == key
    tags = lake.s3.get_object_tagging(Bucket=DROPZONE, Key=f"_quarantine/{key}")["TagSet"]
    assert tags == [{"Key": "quarantine-reason", "Value": tag_value(reason)}]


def test_quarantined_objects_do_not_trigger_another_move(lake: Lake) -> None:
    lake.invoke(lake.drop("acme/reseller_reports/april.txt", CSV_OK))
    event = {**lake.drop("acme/reseller_reports/x.txt", b"x"), "time": "2024-05-02T00:00:00Z"}
    event["detail"]["object"]["key"] = "_quarantine/acme/reseller_reports/april.txt"
    assert lake.invoke(event)["status"] == "ignored"
    assert "_quarantine/acme/reseller_reports/april.txt" in lake.keys(DROPZONE)


def test_redelivery_after_success_changes_nothing(lake: Lake) -> None:
    event = lake.drop("acme/reseller_reports/april.csv", CSV_OK)
    assert lake.invoke(event)["status"] == "landed"
    again = lake.invoke(event)
    assert again["status"] == "gone"
    assert lake.keys(RAW) == [RAW_KEY] and len(_versions(lake, RAW, RAW_KEY)) == 1


def test_retry_after_a_failed_delete_reuses_the_confirmed_copy(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first attempt copies, then fails before deleting: the source must stay; the retry finishes."""
    import handler

    event = lake.drop("acme/reseller_reports/april.csv", CSV_OK)
    client = handler._s3()

    def broken_delete(**kwargs: Any) -> None:
        raise RuntimeError("network gone")

    with monkeypatch.context() as patch:
        patch.setattr(client, "delete_object", broken_delete)
        with pytest.raises(RuntimeError):
            lake.invoke(event)
    assert lake.keys(DROPZONE) == ["acme/reseller_reports/april.csv"]  # nothing lost
    assert lake.invoke(event)["status"] == "landed"
    assert lake.keys(DROPZONE) == [] and len(_versions(lake, RAW, RAW_KEY)) == 1  # copied once


def test_a_copy_that_does_not_match_is_never_followed_by_a_delete(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    import handler

    event = lake.drop("acme/reseller_reports/april.csv", CSV_OK)
    client = handler._s3()
    real_copy = client.copy_object

    def truncating_copy(**kwargs: Any) -> Any:  # a copy that lost bytes on the way
        real_copy(**kwargs)
        client.put_object(Bucket=kwargs["Bucket"], Key=kwargs["Key"], Body=CSV_OK[:10], Metadata=kwargs["Metadata"])

    monkeypatch.setattr(client, "copy_object", truncating_copy)
    with pytest.raises(Exception, match="does not match"):
        lake.invoke(event)
    assert lake.keys(DROPZONE) == ["acme/reseller_reports/april.csv"]


def test_a_newer_upload_under_the_same_key_survives(lake: Lake) -> None:
    """The event names a version; only that version is deleted after landing."""
    event = lake.drop("acme/reseller_reports/april.csv", CSV_OK)
    newer = CSV_OK + b"r2;2024-04-01;1;1\n"
    lake.s3.put_object(Bucket=DROPZONE, Key="acme/reseller_reports/april.csv", Body=newer)
    assert lake.invoke(event)["status"] == "landed"
    assert lake.s3.get_object(Bucket=RAW, Key=RAW_KEY)["Body"].read() == CSV_OK
    assert lake.s3.get_object(Bucket=DROPZONE, Key="acme/reseller_reports/april.csv")["Body"].read() == newer


def test_a_flow_at_a_new_schema_version_lands_under_its_own_raw_prefix(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FLOWS as synth writes it for schema_version 2 (partner_runtime.landing_flows): the partner's
    # folder stays `shipments`, the files land under the new version's prefix, never the old one.
    monkeypatch.setenv("FLOWS", json.dumps({**FLOWS, "shipments": {**FLOWS["shipments"], "raw": "shipments_v2"}}))
    event = lake.drop("carrier-x/shipments/monday.json", b'{"shipment_id": "s1", "status": "out"}\n')
    assert lake.invoke(event)["status"] == "landed"
    assert lake.keys(RAW) == ["shipments_v2/ingest_date=2024-05-01/carrier-x__monday.json"]
