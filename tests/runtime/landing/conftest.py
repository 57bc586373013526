"""moto S3 (in process) with a dropzone and a raw bucket, and the landing handler configured for two flows."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from silolake.runtime import runtime_path
from tests.runtime.lambda_env import handler_first, moto_in

FUNCTION_DIR = runtime_path("lambda", "landing")
if str(FUNCTION_DIR) not in sys.path:  # the function's folder is the root of its zip
    sys.path.insert(0, str(FUNCTION_DIR))


@pytest.fixture(autouse=True)
def _landing_handler_module():
    handler_first(FUNCTION_DIR)


DROPZONE, RAW, REGION = "acme-sales-dropzone-444444444444-euw1", "acme-sales-raw-444444444444-euw1", "eu-west-1"
EVENT_TIME = "2024-05-01T23:59:58Z"
FLOWS = {
    "reseller_reports": {
        "format": "csv",
        "max_bytes": 1000,
        "csv": {"delimiter": ";", "header": True},
        "columns": ["reseller_id", "period", "units_sold", "revenue"],
    },
    "shipments": {"format": "json", "max_bytes": 10_000, "columns": ["shipment_id", "status"]},
    "campaign_results": {"format": "parquet", "max_bytes": 1_000_000, "columns": ["campaign_id"]},
}


@dataclass
class LambdaContext:
    function_name: str = "acme-sales-landing"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:444444444444:function:acme-sales-landing"
    aws_request_id: str = "req-1"


@dataclass
class Lake:
    s3: Any
    key_arn: str

    def drop(self, key: str, body: bytes) -> dict[str, Any]:
        """Upload to the dropzone; return the EventBridge event S3 would send."""
        self.s3.put_object(Bucket=DROPZONE, Key=key, Body=body)
        return self.created(key)

    def created(self, key: str, time: str = EVENT_TIME, reason: str = "PutObject") -> dict[str, Any]:
        """The ``Object Created`` event S3 sends for the dropzone object ``key`` as it is now."""
        head = self.s3.head_object(Bucket=DROPZONE, Key=key)
        return {
            "version": "0",
            "id": "e1",
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": "444444444444",
            "time": time,
            "region": REGION,
            "resources": [f"arn:aws:s3:::{DROPZONE}"],
            "detail": {
                "version": "0",
                "bucket": {"name": DROPZONE},
                "object": {
                    "key": key,
                    "size": head["ContentLength"],
                    "etag": head["ETag"].strip('"'),
                    "version-id": head.get("VersionId"),
                    "sequencer": "00",
                },
                "reason": reason,
            },
        }

    def keys(self, bucket: str, *, status: bool = False) -> list[str]:
        """The bucket's keys; landing's status records (``_status/``) only with ``status``."""
        keys = sorted(o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", []))
        return keys if status else [k for k in keys if not k.startswith("_status/")]

    def status(self, key: str) -> dict[str, Any]:
        """The status record landing wrote for the dropzone object ``key``."""
        return json.loads(self.s3.get_object(Bucket=DROPZONE, Key=f"_status/{key}.json")["Body"].read())

    def invoke(self, event: dict[str, Any]) -> dict[str, str]:
        import handler

        return handler.lambda_handler(event, LambdaContext())


@pytest.fixture(scope="module")
def aws():
    """One moto session per module (starting one costs seconds); each test gets fresh buckets."""
    with moto_in(REGION):
        yield boto3.client("s3", region_name=REGION), boto3.client("kms", region_name=REGION)


@pytest.fixture
def lake(aws, monkeypatch: pytest.MonkeyPatch):
    s3, kms = aws
    for bucket in (DROPZONE, RAW):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    monkeypatch.setenv("RAW_BUCKET", RAW)
    monkeypatch.setenv("KMS_KEY_ARN", key_arn)
    monkeypatch.setenv("FLOWS", json.dumps(FLOWS))
    import handler

    for cached in (handler._s3, handler._iam, handler._sns):
        cached.cache_clear()  # clients created inside this moto session
    yield Lake(s3, key_arn)
    for cached in (handler._s3, handler._iam, handler._sns):
        cached.cache_clear()
    for bucket in (DROPZONE, RAW):
        listing = s3.list_object_versions(Bucket=bucket)
        for entry in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])
        s3.delete_bucket(Bucket=bucket)
