"""The landing function inside ``silolake portal``: what landing decides, shown on the upload page.

A deployed dropzone sends every new object to the landing function through EventBridge; moto
has no such delivery, so the portal polls the local dropzone once a second and hands each new
object to the real landing code (``silolake/runtime/lambda/landing``) as the ``Object Created``
event EventBridge would send. Everything else is what runs in AWS: the file checks, the
credential's flows read from its role's tag, the move into the local raw bucket or the
quarantine, the status record the page polls and the owners' notice on a local SNS topic.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..aws import names
from ..catalog.model import Silo
from ..partner_runtime import landing_flows
from ..policy import partner as partner_policy
from ..runtime import runtime_path

LANDING_SRC = runtime_path("lambda", "landing")
#: Largest file the local landing accepts: moto keeps every object in this process's memory.
PORTAL_MAX_FILE_BYTES = 1024**3
#: Seconds between two looks at the local dropzone (EventBridge delivers within about a second).
POLL_SECONDS = 1.0


def _landing_modules() -> tuple[Any, Any, Any]:
    """``landing.mover``, ``landing.rules`` and ``landing.credentials`` as Lambda imports them."""
    if str(LANDING_SRC) not in sys.path:
        sys.path.insert(0, str(LANDING_SRC))
    return tuple(importlib.import_module(f"landing.{m}") for m in ("mover", "rules", "credentials"))  # type: ignore[return-value]


def object_created(bucket: str, obj: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The EventBridge ``Object Created`` event of one listed object (the fields landing reads)."""
    return {
        "detail-type": "Object Created",
        "source": "aws.s3",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "detail": {"bucket": {"name": bucket}, "object": {"key": obj["Key"], "etag": obj["ETag"].strip('"')}},
    }


def provision_landing(org: str, silo: Silo, region: str, account: str, key_arn: str, client: Callable) -> Any:
    """Create the raw bucket and the owners' topic; return the landing ``Config``."""
    mover, rules, credentials = _landing_modules()
    raw = names.silo_bucket(org, silo.name, "raw", account, region)
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client("s3").create_bucket(Bucket=raw, **location)
    topic = client("sns").create_topic(Name=names.etl_silo_name(silo.name, "etl-alerts"))["TopicArn"]
    sns = client("sns")

    def notify(notice: dict[str, Any]) -> None:
        sns.publish(TopicArn=topic, Subject="silolake: a partner file was quarantined", Message=json.dumps(notice))

    files = silo.file_flows
    return mover.Config(
        raw,
        key_arn,
        rules.parse_flows(json.dumps(landing_flows(files, PORTAL_MAX_FILE_BYTES))),
        credential_flows=credentials.role_flows(client("iam"), partner_policy.ROLE_PREFIX, partner_policy.TAG_FLOWS),
        notify=notify,
    )


def start_landing(bucket: str, config: Any, s3: Any) -> Callable[[], None]:
    """Poll ``bucket`` and land each new object; returns the function that stops the thread."""
    mover, _, _ = _landing_modules()
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(POLL_SECONDS):
            listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            for obj in listing:
                if obj["Key"].startswith(names.SYSTEM_PREFIX):
                    continue
                try:
                    outcome = mover.land(s3, config, object_created(bucket, obj, dt.datetime.now(dt.UTC)))
                    sys.stderr.write(f"portal: landing {outcome.status} {outcome.key} {outcome.reason}\n")
                except Exception as exc:  # noqa: BLE001 - a failed landing is retried on the next look
                    sys.stderr.write(f"portal: landing of {obj['Key']} failed: {exc}\n")

    thread = threading.Thread(target=loop, name="portal-landing", daemon=True)
    thread.start()

    def stop_landing() -> None:
        stop.set()
        thread.join(timeout=10)

    return stop_landing
