"""SFTP, end to end: the owner creates a credential, Transfer Family asks the identity provider
about the partner's login, and the writes an SFTP client makes into the mapped home directory
(one folder per flow of the credential) are allowed (role, boundary, the provider's session
policy, bucket and key policies, SCPs) only under ``<partner>/<flow>/``; the file lands in raw,
is conformed into processed and read back with the synthesized table types. A bad file is
quarantined: the partner reads why in its ``status`` folder, the owners get one notice.
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


def mapped(details: str, path: str) -> tuple[str, str] | None:
    """``(bucket, key)`` Transfer Family uses for ``path`` in a LOGICAL home directory: the
    longest ``Entry`` that is a prefix of the path is replaced by its ``Target``
    (``/<bucket>/<prefix>``); ``None`` when no entry maps it (Transfer refuses the path).
    AWS Transfer Family User Guide, "Logical directories"."""
    entries = sorted(json.loads(details), key=lambda e: len(e["Entry"]), reverse=True)
    entry = next((e for e in entries if path == e["Entry"] or path.startswith(e["Entry"].rstrip("/") + "/")), None)
    if entry is None:
        return None
    target = entry["Target"].rstrip("/") + "/" + path[len(entry["Entry"]) :].lstrip("/")
    bucket, _, key = target.lstrip("/").partition("/")
    return bucket, key


def put_path(details: str, path: str) -> tuple[str, str]:
    found = mapped(details, path)
    assert found is not None, f"{path} is outside the home directory's mappings: {details}"
    return found


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
    assert put_path(answer["HomeDirectoryDetails"], f"/{FLOW}/report.csv") == (
        silo.dropzone,
        f"{PARTNER}/{FLOW}/report.csv",
    )


def test_writes_are_allowed_in_the_partners_flow_folder_only(silo: Silo, login) -> None:
    who, answer = login
    bucket, key = put_path(answer["HomeDirectoryDetails"], f"/{FLOW}/report.csv")
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


def test_writes_are_denied_in_a_flow_of_another_channel(silo: Silo, login) -> None:
    who, _ = login
    got = silo.decide(
        who, sftp_requests("upload flow", silo.dropzone, f"{PARTNER}/{UPLOAD_FLOW}/p.csv", silo.key_arn)[:1]
    )
    assert ALLOWED not in got.values(), got


def test_a_report_put_over_sftp_lands_in_raw_and_is_read_back_typed(silo: Silo, login, spark) -> None:
    _, answer = login
    bucket, key = put_path(answer["HomeDirectoryDetails"], f"/{FLOW}/report.csv")
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


def test_the_home_directory_holds_only_the_partners_flow_folders(login) -> None:
    _, answer = login
    assert mapped(answer["HomeDirectoryDetails"], "/report.csv") is None  # nothing beside the folders
    assert mapped(answer["HomeDirectoryDetails"], f"/{UPLOAD_FLOW}/p.csv") is None  # a flow of the upload page


def test_a_bad_report_is_quarantined_and_the_partner_reads_why(silo: Silo, login) -> None:
    """Wrong columns: quarantined with the reason; the partner reads the status record through
    the SFTP ``status`` folder (allowed by its policies), the owners get one notice."""
    who, answer = login
    bucket, key = put_path(answer["HomeDirectoryDetails"], f"/{FLOW}/bad.csv")
    silo.client("s3").put_object(Bucket=bucket, Key=key, Body=b"reseller;units\nr-1;3\n")
    outcome = silo.land(key)
    assert outcome["status"] == "quarantined" and "header" in outcome["reason"], outcome
    status_bucket, status_key = put_path(answer["HomeDirectoryDetails"], f"/status/{FLOW}/bad.csv.json")
    got = silo.decide(who, [Request("read status", "s3:GetObject", f"arn:aws:s3:::{status_bucket}/{status_key}")])
    assert got == {"read status": ALLOWED}
    record = json.loads(silo.client("s3").get_object(Bucket=status_bucket, Key=status_key)["Body"].read())
    assert record == silo.status(key) and record["reason"] == outcome["reason"]
    [notice] = silo.owners_notices()
    assert (notice["key"], notice["reason"], notice["partner"]) == (key, outcome["reason"], PARTNER)
