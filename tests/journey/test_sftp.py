"""SFTP, end to end: the owner creates a credential, Transfer Family asks the identity provider
about the partner's login, and the writes an SFTP client makes into the mapped home directory
are allowed (role, boundary, the provider's session policy, bucket and key policies, SCPs)
only under ``<partner>/<flow>/``; the file lands in raw, is conformed into processed and read
back with the synthesized table types. A file put beside the flow folders is quarantined.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from .conftest import ALLOWED, ARRIVAL, REGION, Identity, Request, Silo

pytestmark = pytest.mark.slow

PARTNER, OTHER, FLOW = "carol", "dave", "reseller_reports"  # reseller_reports: source sftp (silos.yaml)
UPLOAD_FLOW = "price_lists"
REPORT = b"reseller_id;period;units_sold;revenue\nr-1;2026-04-01;120;1999.90\nr-2;2026-04-01;7;70.00\n"


def mapped(details: str, path: str) -> tuple[str, str]:
    """``(bucket, key)`` Transfer Family writes for ``path`` in a LOGICAL home directory: the
    longest ``Entry`` that is a prefix of the path is replaced by its ``Target`` (``/<bucket>/<prefix>``).
    AWS Transfer Family User Guide, "Logical directories"."""
    entries = sorted(json.loads(details), key=lambda e: len(e["Entry"]), reverse=True)
    entry = next(e for e in entries if path == e["Entry"] or path.startswith(e["Entry"].rstrip("/") + "/"))
    target = entry["Target"].rstrip("/") + "/" + path[len(entry["Entry"]) :].lstrip("/")
    bucket, _, key = target.lstrip("/").partition("/")
    return bucket, key


def sftp_requests(name: str, bucket: str, key: str, key_arn: str) -> list[Request]:
    """What Transfer Family asks S3 for an SFTP ``put`` of ``key`` (multipart above its buffer:
    the same ``s3:PutObject``), a listing of the folder, and the KMS calls of SSE-KMS."""
    via_s3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    folder = key.rsplit("/", 1)[0] + "/"
    return [
        Request(f"{name}: PutObject", "s3:PutObject", f"arn:aws:s3:::{bucket}/{key}"),
        Request(f"{name}: ListBucket", "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": folder}),
        Request(f"{name}: kms:GenerateDataKey", "kms:GenerateDataKey", key_arn, via_s3),
    ]


@pytest.fixture(scope="module")
def login(silo: Silo) -> tuple[Identity, dict[str, str]]:
    password = silo.create_credential(PARTNER, ["sftp"])
    silo.create_credential(OTHER, ["sftp"])
    answer = silo.sftp_login(PARTNER, password)
    return silo.identity(PARTNER, PARTNER, json.loads(answer["Policy"])), answer


def test_the_identity_provider_maps_the_home_directory_into_the_partners_prefix(silo: Silo, login) -> None:
    who, answer = login
    assert answer["Role"] == who.role_arn
    assert answer["HomeDirectoryType"] == "LOGICAL"
    assert mapped(answer["HomeDirectoryDetails"], f"/{FLOW}/report.csv") == (
        silo.dropzone,
        f"{PARTNER}/{FLOW}/report.csv",
    )


def test_writes_are_allowed_in_the_partners_flow_folder_only(silo: Silo, login) -> None:
    who, answer = login
    bucket, key = mapped(answer["HomeDirectoryDetails"], f"/{FLOW}/report.csv")
    other_dropzone = next(
        b["bucket"]
        for b in silo.delivery.resources("silo-logistics", "aws_s3_bucket").values()
        if "-dropzone-" in b["bucket"]
    )
    own = sftp_requests("own", bucket, key, silo.key_arn)
    denied = [
        *sftp_requests("other partner", silo.dropzone, f"{OTHER}/{FLOW}/report.csv", silo.key_arn)[:2],
        *sftp_requests("raw zone", silo.raw, f"{FLOW}/ingest_date=2026-05-04/{PARTNER}__report.csv", silo.key_arn)[:2],
        *sftp_requests("other silo", other_dropzone, f"{PARTNER}/shipments/s.json", silo.key_arn)[:2],
    ]
    got = silo.decide(who, [*own, *denied])
    assert {n: d for n, d in got.items() if n.startswith("own")} == {r.name: ALLOWED for r in own}
    assert {n: d for n, d in got.items() if d == ALLOWED and not n.startswith("own")} == {}


@pytest.mark.xfail(strict=True, reason="credentials are not tied to flows yet (issue 19, item 3)")
def test_writes_are_denied_in_a_flow_of_another_channel(silo: Silo, login) -> None:
    who, _ = login
    got = silo.decide(
        who, sftp_requests("upload flow", silo.dropzone, f"{PARTNER}/{UPLOAD_FLOW}/p.csv", silo.key_arn)[:1]
    )
    assert ALLOWED not in got.values(), got


def test_a_report_put_over_sftp_lands_in_raw_and_is_read_back_typed(silo: Silo, login, spark) -> None:
    _, answer = login
    bucket, key = mapped(answer["HomeDirectoryDetails"], f"/{FLOW}/report.csv")
    silo.client("s3").put_object(Bucket=bucket, Key=key, Body=REPORT)  # what Transfer writes for the partner

    outcome = silo.land(key)
    day = ARRIVAL.date().isoformat()
    assert outcome["status"] == "landed", outcome
    assert outcome["target"] == f"{silo.raw}/{FLOW}/ingest_date={day}/{PARTNER}__report.csv"

    result, rows = silo.conform(spark, FLOW)
    assert (result.rows_read, result.rows_rejected) == (2, 0)
    period = dt.date(2026, 4, 1)
    assert rows == [
        {"reseller_id": "r-1", "period": period, "units_sold": 120, "revenue": Decimal("1999.90"), "ingest_date": day},
        {"reseller_id": "r-2", "period": period, "units_sold": 7, "revenue": Decimal("70.00"), "ingest_date": day},
    ]


def test_a_file_put_beside_the_flow_folders_is_quarantined(silo: Silo, login) -> None:
    _, answer = login
    bucket, key = mapped(answer["HomeDirectoryDetails"], "/report.csv")
    silo.client("s3").put_object(Bucket=bucket, Key=key, Body=REPORT)
    outcome = silo.land(key)
    assert outcome["status"] == "quarantined", outcome
    assert outcome["reason"] == "key outside the layout <partner>/<flow>/<file>"
    head = silo.client("s3").head_object(Bucket=silo.dropzone, Key=f"_quarantine/{key}")
    assert head["Metadata"]["quarantine-reason"] == outcome["reason"]
