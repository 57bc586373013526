"""Web upload, end to end: the owner creates a credential, the partner opens a session and the
upload page's requests (``silolake/runtime/pages/upload.js``) are allowed on
``<partner>/<flow>/<file>`` and denied elsewhere (another partner, a flow of another channel,
another zone, another silo); the file lands in raw, is conformed into processed and read
back with the synthesized table types. A file outside the layout or with the wrong columns
ends in quarantine with its reason, in the partner's status record and the owners' notice.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from .conftest import ALLOWED, ARRIVAL, REGION, Identity, Request, Silo

pytestmark = pytest.mark.slow

PARTNER, OTHER, FLOW = "bob", "alice", "price_lists"  # price_lists: source upload (silos.yaml)
SFTP_FLOW = "reseller_reports"  # the silo's flow of another channel
PRICES = b"sku,list_price,valid_from\nA-1,10.50,2026-05-01\nB-2,3.99,2026-05-01\nA-1,10.50,2026-05-01\n"


def page_requests(name: str, bucket: str, key: str, key_arn: str) -> list[Request]:
    """Every call upload.js makes for ``key`` (a PUT below PART_SIZE; CreateMultipartUpload,
    UploadPart, CompleteMultipartUpload and, on failure, AbortMultipartUpload above), with the
    KMS calls S3 makes for the partner under the bucket's default SSE-KMS (the page sends no
    encryption header). IAM actions: Amazon S3 User Guide, "Multipart upload and permissions"."""
    obj = f"arn:aws:s3:::{bucket}/{key}"
    via_s3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    return [
        Request(f"{name}: PutObject", "s3:PutObject", obj),
        Request(f"{name}: CreateMultipartUpload", "s3:PutObject", obj),
        Request(f"{name}: UploadPart", "s3:PutObject", obj),
        Request(f"{name}: CompleteMultipartUpload", "s3:PutObject", obj),
        Request(f"{name}: AbortMultipartUpload", "s3:AbortMultipartUpload", obj),
        Request(f"{name}: kms:GenerateDataKey", "kms:GenerateDataKey", key_arn, via_s3),
        Request(f"{name}: kms:Decrypt", "kms:Decrypt", key_arn, via_s3),
    ]


@pytest.fixture(scope="module")
def partner(silo: Silo) -> tuple[Identity, dict[str, Any]]:
    """``bob`` granted ``upload``, with the session the upload page opens."""
    password = silo.create_credential(PARTNER, ["upload"])
    silo.create_credential(OTHER, ["upload"])
    answer, call = silo.open_session(PARTNER, password)
    return silo.identity(PARTNER, call["RoleSessionName"], _policy(call)), answer


def _policy(call: dict[str, Any]) -> dict:
    return json.loads(call["Policy"])  # type: ignore[no-any-return]


def _s3_as(silo: Silo, answer: dict[str, Any]) -> Any:
    keys = answer["credentials"]
    return silo.aws.client(
        "s3",
        region_name=answer["region"],
        aws_access_key_id=keys["access_key_id"],
        aws_secret_access_key=keys["secret_access_key"],
        aws_session_token=keys["session_token"],
    )


def test_the_pages_requests_are_allowed_on_the_partners_flow_prefix_only(silo: Silo, partner) -> None:
    who, answer = partner
    assert answer["bucket"] == silo.dropzone and "upload" in answer["channels"]
    other_silo = silo.delivery.resources("silo-logistics", "aws_s3_bucket")
    other_dropzone = next(b["bucket"] for b in other_silo.values() if "-dropzone-" in b["bucket"])
    own = page_requests("own", silo.dropzone, f"{PARTNER}/{FLOW}/prices.csv", silo.key_arn)
    denied = [
        *page_requests("other partner", silo.dropzone, f"{OTHER}/{FLOW}/prices.csv", silo.key_arn)[:5],
        *page_requests("raw zone", silo.raw, f"{FLOW}/ingest_date=2026-05-04/{PARTNER}__prices.csv", silo.key_arn)[:5],
        *page_requests("other silo", other_dropzone, f"{PARTNER}/shipments/s.json", silo.key_arn)[:5],
        Request("list other partner", "s3:ListBucket", f"arn:aws:s3:::{silo.dropzone}", {"s3:prefix": f"{OTHER}/"}),
    ]
    got = silo.decide(who, [*own, *denied])
    assert {n: d for n, d in got.items() if n.startswith("own")} == {r.name: ALLOWED for r in own}
    assert {n: d for n, d in got.items() if d == ALLOWED and not n.startswith("own")} == {}


def test_the_pages_requests_are_denied_on_a_flow_of_another_channel(silo: Silo, partner) -> None:
    who, _ = partner
    got = silo.decide(who, page_requests("sftp flow", silo.dropzone, f"{PARTNER}/{SFTP_FLOW}/r.csv", silo.key_arn)[:5])
    assert ALLOWED not in got.values(), got


def test_an_uploaded_price_list_lands_in_raw_and_is_read_back_typed(silo: Silo, partner, spark) -> None:
    _, answer = partner
    s3 = _s3_as(silo, answer)
    key = f"{PARTNER}/{FLOW}/prices.csv"
    # The page's multipart path (one part: the last part may be smaller than PART_SIZE).
    upload = s3.create_multipart_upload(Bucket=silo.dropzone, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=silo.dropzone, Key=key, UploadId=upload, PartNumber=1, Body=PRICES)["ETag"]
    s3.complete_multipart_upload(
        Bucket=silo.dropzone, Key=key, UploadId=upload, MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]}
    )
    failed = s3.create_multipart_upload(Bucket=silo.dropzone, Key=f"{PARTNER}/{FLOW}/failed.csv")["UploadId"]
    s3.abort_multipart_upload(Bucket=silo.dropzone, Key=f"{PARTNER}/{FLOW}/failed.csv", UploadId=failed)

    outcome = silo.land(key)
    day = ARRIVAL.date().isoformat()
    assert outcome["status"] == "landed", outcome
    assert outcome["target"] == f"{silo.raw}/{FLOW}/ingest_date={day}/{PARTNER}__prices.csv"

    result, rows = silo.conform(spark, FLOW)
    assert (result.rows_read, result.rows_rejected) == (3, 0)
    assert rows == [
        {"sku": "A-1", "list_price": Decimal("10.50"), "valid_from": dt.date(2026, 5, 1), "ingest_date": day},
        {"sku": "B-2", "list_price": Decimal("3.99"), "valid_from": dt.date(2026, 5, 1), "ingest_date": day},
    ]


@pytest.mark.parametrize(
    ("key", "body", "reason"),
    [
        (f"{PARTNER}/prices.csv", PRICES, "key outside the layout <partner>/<flow>/<file>"),
        (f"{PARTNER}/{FLOW}/columns.csv", b"sku;price\nA-1;1\n", "header"),
    ],
    ids=["bad layout", "bad content"],
)
def test_a_refused_file_ends_in_quarantine_with_its_reason(silo: Silo, partner, key: str, body: bytes, reason: str):
    _, answer = partner
    _s3_as(silo, answer).put_object(Bucket=silo.dropzone, Key=key, Body=body)
    outcome = silo.land(key)
    assert outcome["status"] == "quarantined" and reason in outcome["reason"], outcome
    s3 = silo.client("s3")
    quarantined = f"_quarantine/{key}"
    assert outcome["target"] == f"{silo.dropzone}/{quarantined}"
    assert s3.get_object(Bucket=silo.dropzone, Key=quarantined)["Body"].read() == body
    assert reason in s3.head_object(Bucket=silo.dropzone, Key=quarantined)["Metadata"]["quarantine-reason"]
    tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=silo.dropzone, Key=quarantined)["TagSet"]}
    assert reason.split("<")[0].strip() in tags["quarantine-reason"]
    assert "Contents" not in s3.list_objects_v2(Bucket=silo.dropzone, Prefix=key)
    # What the partner's status view reads, and the owners' one message (no contents).
    status = silo.status(key)
    assert (status["status"], status["key"]) == ("quarantined", key) and reason in status["reason"]
    [notice] = silo.owners_notices()
    assert (notice["event"], notice["key"], notice["reason"]) == ("file quarantined", key, outcome["reason"])
    assert body.decode() not in json.dumps(notice)
