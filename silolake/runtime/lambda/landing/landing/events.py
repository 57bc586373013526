"""The two EventBridge events that start a landing, read into one shape (pure: no AWS calls).

- ``Object Created`` from S3 (``source: aws.s3``): the dropzone without the malware hold.
- ``GuardDuty Malware Protection Object Scan Result`` (``source: aws.guardduty``): the
  dropzone with the hold on; the object is moved only after GuardDuty scanned it. Shape
  and values from the GuardDuty User Guide, "Monitoring S3 object scans with Amazon
  EventBridge" (https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html):
  ``detail.s3ObjectDetails.{bucketName, objectKey, versionId, eTag}`` and
  ``detail.scanResultDetails.{scanResultStatus, threats: [{name}] | null}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLEAN",
    "OBJECT_CREATED",
    "SCAN_RESULT",
    "VALIDATION_OBJECT",
    "Arrival",
    "EventError",
    "parse_event",
    "scan_refusal",
]

OBJECT_CREATED = "Object Created"
SCAN_RESULT = "GuardDuty Malware Protection Object Scan Result"
#: The object GuardDuty writes into a bucket when its protection plan is created (not a partner file).
VALIDATION_OBJECT = "malware-protection-resource-validation-object"
#: ``scanResultStatus`` of a scanned object without any threat: the only one that lands.
CLEAN = "NO_THREATS_FOUND"
#: Why each other documented result is refused. Everything but a clean scan is quarantined:
#: a file GuardDuty could not scan is as unknown as one it never saw.
_REFUSALS = {
    "UNSUPPORTED": "GuardDuty could not scan the file (UNSUPPORTED: for example password-protected, "
    "or over the scan quotas); an unscanned file does not land",
    "ACCESS_DENIED": "GuardDuty was denied access to the file (ACCESS_DENIED: check the scan role); "
    "an unscanned file does not land",
    "FAILED": "GuardDuty's scan of the file failed (FAILED: an internal error); an unscanned file does not land",
}


class EventError(ValueError):
    """The event is neither of the two kinds this function is wired to (a deployment bug)."""


@dataclass(frozen=True)
class Arrival:
    """One object to move: where it is, when it arrived, and (with the hold) its scan result.

    ``etag`` is the ETag the event names (unquoted); ``scan`` is ``None`` for an ``Object
    Created`` event; ``threats`` are GuardDuty's threat names.
    """

    bucket: str
    key: str
    version: str | None
    time: str
    etag: str = ""
    scan: str | None = None
    threats: tuple[str, ...] = ()


def parse_event(event: dict[str, Any]) -> Arrival:
    """The :class:`Arrival` of an EventBridge event; :class:`EventError` for any other event."""
    kind, detail = event.get("detail-type"), event.get("detail") or {}
    try:
        if kind == OBJECT_CREATED:
            obj = detail["object"]
            etag = str(obj.get("etag") or "").strip('"')
            return Arrival(detail["bucket"]["name"], obj["key"], obj.get("version-id"), event["time"], etag)
        if kind == SCAN_RESULT:
            obj, result = detail["s3ObjectDetails"], detail.get("scanResultDetails") or {}
            threats = tuple(str(t.get("name", "")) for t in result.get("threats") or () if isinstance(t, dict))
            return Arrival(
                obj["bucketName"],
                obj["objectKey"],
                obj.get("versionId"),
                event["time"],
                str(obj.get("eTag") or "").strip('"'),
                scan=str(result.get("scanResultStatus") or detail.get("scanStatus") or "missing"),
                threats=threats,
            )
    except (KeyError, TypeError) as exc:
        raise EventError(f"malformed {kind!r} event: missing {exc}") from exc
    raise EventError(f"unexpected event {kind!r} (expected {OBJECT_CREATED!r} or {SCAN_RESULT!r})")


def scan_refusal(arrival: Arrival) -> str | None:
    """Why a scanned object must not land (quarantine reason), or ``None`` (clean, or no scan)."""
    if arrival.scan is None or arrival.scan == CLEAN:
        return None
    if arrival.scan == "THREATS_FOUND":
        names = ", ".join(n for n in arrival.threats if n) or "no threat name given"
        return f"GuardDuty found malware: {names}"
    return _REFUSALS.get(arrival.scan, f"unknown GuardDuty scan result {arrival.scan!r}; the file does not land")
