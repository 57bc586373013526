"""Move one dropzone object: to raw when it fits its flow, to ``_quarantine/`` when it does not.

Order of operations (each step safe to repeat, so a redelivered or retried event is harmless):

1. head the source (the version the event names); gone -> an earlier delivery finished, stop;
2. check it: with the malware hold, the scan result first (anything but ``NO_THREATS_FOUND`` is
   quarantined unread); then key layout, known flow, file name, size, first bytes (ranged GETs only);
3. copy it (``CopySourceIfMatch`` the ETag just checked, so a file replaced meanwhile is never
   copied under the old verdict), SSE-KMS with the silo key, metadata ``partner``,
   ``source-key`` and ``source-etag``; skipped when the target already holds this version;
4. confirm: head the copy, compare size and ``source-etag`` (S3 ETags of SSE-KMS objects are not
   content hashes, so the two objects' ETags are not compared with each other);
5. record the decision for the partner (``_status/<key>.json``, :func:`rules.status_record`)
   and, for a quarantined file, notify the silo owners (one message, no file contents);
6. only then delete the source -- that exact version, so a newer upload under the same key stays.
   A retry after a failure in 5 or 6 finds the copy confirmed and repeats 5: the status is
   rewritten with the same content, and the owners may get a second message (at least once,
   never none).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote, unquote_plus

from botocore.exceptions import ClientError

from . import rules
from .credentials import NoCredential
from .events import VALIDATION_OBJECT, Arrival, parse_event, scan_refusal

#: CopyObject copies up to 5 GiB in one request; larger objects go through a multipart copy.
SINGLE_COPY_MAX = 5 * 1024**3


@dataclass(frozen=True)
class Config:
    raw_bucket: str
    kms_key_arn: str
    flows: dict[str, rules.FlowRule]
    #: The malware hold is on: only GuardDuty scan results move files; ``Object Created`` is ignored.
    require_scan: bool = False
    #: ``partner -> flows`` its credential may send (:func:`landing.credentials.role_flows`);
    #: ``None``: not checked (a silo without partner credentials).
    credential_flows: Callable[[str], frozenset[str] | None] | None = None
    #: Called once per quarantined file with :func:`notice` (the owners' SNS topic).
    notify: Callable[[dict[str, Any]], None] | None = None


@dataclass(frozen=True)
class Outcome:
    """``status``: landed | quarantined | ignored | gone; ``target``: bucket/key written, if any."""

    status: str
    key: str
    target: str = ""
    reason: str = ""


class CopyNotConfirmed(RuntimeError):
    """The copy is not what was copied; the source stays and the event is retried."""


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NoSuchVersion", "NotFound")


def _head(s3: Any, bucket: str, key: str, version: str | None = None) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
        return head
    except ClientError as exc:
        if _missing(exc):
            return None
        raise


def _range(s3: Any, bucket: str, key: str, version: str | None, byte_range: str) -> bytes:
    extra = {"VersionId": version} if version else {}
    data: bytes = s3.get_object(Bucket=bucket, Key=key, Range=byte_range, **extra)["Body"].read()
    return data


def _verdict(s3: Any, config: Config, arrival: Arrival, key: str, head: dict[str, Any]) -> str | None:
    scanned = scan_refusal(arrival)
    if scanned:  # never read a file GuardDuty did not find clean
        return scanned
    bucket, version = arrival.bucket, arrival.version
    drop = rules.parse_key(key)
    if drop is None:
        return "key outside the layout <partner>/<flow>/<file>"
    rule = config.flows.get(drop.flow)
    if rule is None:
        return f"unknown flow {drop.flow!r}"
    if config.credential_flows is not None:
        try:
            granted = config.credential_flows(drop.partner)
        except NoCredential:
            return f"no live credential named {drop.partner!r} (revoked or expired before the file landed)"
        reason = rules.check_grant(drop, granted)
        if reason:
            return reason
    size = head["ContentLength"]
    reason = rules.check_name(rule, drop.file) or rules.check_size(rule, size)
    if reason:
        return reason
    first = _range(s3, bucket, key, version, f"bytes=0-{rules.HEAD_BYTES - 1}")
    last = _range(s3, bucket, key, version, "bytes=-4") if rule.format == "parquet" else b""
    return rules.check_content(rule, drop.file, first, last, complete=size <= rules.HEAD_BYTES)


def _copy(
    s3: Any,
    config: Config,
    source: dict[str, Any],
    size: int,
    bucket: str,
    key: str,
    metadata: dict[str, str],
    tags: str = "",
) -> None:
    args: dict[str, Any] = {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": config.kms_key_arn,
        "BucketKeyEnabled": True,
        "MetadataDirective": "REPLACE",
        "Metadata": metadata,
        "CopySourceIfMatch": source["etag"],
    }
    if tags:
        args.update(Tagging=tags, TaggingDirective="REPLACE")
    copy_source = {"Bucket": source["bucket"], "Key": source["key"]}
    if source["version"]:
        copy_source["VersionId"] = source["version"]
    if size <= SINGLE_COPY_MAX:
        s3.copy_object(CopySource=copy_source, Bucket=bucket, Key=key, **args)
    else:  # boto3's managed transfer: parallel UploadPartCopy, same arguments
        s3.copy(copy_source, bucket, key, ExtraArgs=args)


def _confirmed(s3: Any, bucket: str, key: str, size: int, etag: str) -> bool:
    head = _head(s3, bucket, key)
    return head is not None and head["ContentLength"] == size and head.get("Metadata", {}).get("source-etag") == etag


def _move(
    s3: Any,
    config: Config,
    source: dict[str, Any],
    size: int,
    bucket: str,
    key: str,
    metadata: dict[str, str],
    tags: str = "",
    before_delete: Callable[[], None] | None = None,
) -> None:
    metadata = {**metadata, "source-etag": source["etag"]}
    if not _confirmed(s3, bucket, key, size, source["etag"]):
        _copy(s3, config, source, size, bucket, key, metadata, tags)
        if not _confirmed(s3, bucket, key, size, source["etag"]):
            raise CopyNotConfirmed(f"s3://{bucket}/{key} does not match s3://{source['bucket']}/{source['key']}")
    if before_delete is not None:
        before_delete()
    extra = {"VersionId": source["version"]} if source["version"] else {}
    s3.delete_object(Bucket=source["bucket"], Key=source["key"], **extra)


def land(s3: Any, config: Config, event: dict[str, Any]) -> Outcome:
    """Handle one EventBridge event of the dropzone bucket: ``Object Created``, or with the
    malware hold GuardDuty's scan result (:mod:`landing.events`; steps in the module docstring)."""
    arrival = parse_event(event)
    bucket, key, version = arrival.bucket, arrival.key, arrival.version
    if key.startswith("_") or key.endswith("/"):  # system prefixes (our own quarantine) and folder markers
        return Outcome("ignored", key)
    if key == VALIDATION_OBJECT:  # GuardDuty's own write check when its plan is created
        return Outcome("ignored", key, reason="GuardDuty's validation object")
    if config.require_scan and arrival.scan is None:
        return Outcome("ignored", key, reason="the malware hold is on: the file moves once GuardDuty scanned it")
    head = _head(s3, bucket, key, version)
    if head is None and unquote_plus(key) != key:  # tolerate a URL-encoded key (S3 notification style)
        key = unquote_plus(key)
        head = _head(s3, bucket, key, version)
    if head is None:
        return Outcome("gone", key, reason="source no longer exists (an earlier delivery moved it)")
    source = {"bucket": bucket, "key": key, "version": version, "etag": head["ETag"].strip('"')}
    if arrival.scan is not None and arrival.etag and arrival.etag != source["etag"]:
        # Only reachable without a version id: the object was replaced after GuardDuty scanned
        # it, and the verdict belongs to the old content. The new content has its own scan.
        return Outcome("gone", key, reason="replaced since the scan; its own scan result will move it")
    size = head["ContentLength"]
    reason = _verdict(s3, config, arrival, key, head)
    drop = rules.parse_key(key)
    if reason is None and drop is not None:
        target = rules.raw_key(drop, rules.ingest_date(arrival.time), config.flows[drop.flow].raw_prefix)
        metadata = {"partner": rules.metadata_value(drop.partner), "source-key": rules.metadata_value(key)}
        decided = rules.status_record(key, size, "landed", "", arrival.time)
        record = partial(_record, s3, config, bucket, decided)
        _move(s3, config, source, size, config.raw_bucket, target, metadata, before_delete=record)
        return Outcome("landed", key, f"{config.raw_bucket}/{target}")
    reason = reason or "key outside the layout <partner>/<flow>/<file>"
    target = rules.quarantine_key(key)
    metadata = {"source-key": rules.metadata_value(key), "quarantine-reason": rules.metadata_value(reason)}
    if drop is not None:
        metadata["partner"] = rules.metadata_value(drop.partner)
    decided = rules.status_record(key, size, "quarantined", reason, arrival.time)

    def record_and_notify() -> None:
        _record(s3, config, bucket, decided)
        if config.notify is not None:
            config.notify(notice(decided, bucket, target))

    tags = f"quarantine-reason={_tag(reason)}"
    _move(s3, config, source, size, bucket, target, metadata, tags=tags, before_delete=record_and_notify)
    return Outcome("quarantined", key, f"{bucket}/{target}", reason)


def _record(s3: Any, config: Config, bucket: str, decided: dict[str, Any]) -> None:
    """Write the status record the partner reads (silo key; nothing of the file's contents)."""
    key = rules.status_key(str(decided["key"]))
    if key is None:
        return
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(decided, sort_keys=True).encode(),
        ContentType="application/json",
        CacheControl="no-store",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=config.kms_key_arn,
        BucketKeyEnabled=True,
    )


def notice(decided: dict[str, Any], bucket: str, target: str) -> dict[str, Any]:
    """The owners' message about one quarantined file: partner, flow, key, reason, size (bytes),
    where it now is and when; never any of the file's contents."""
    return {
        "event": "file quarantined",
        "partner": decided["partner"],
        "flow": decided["flow"],
        "key": decided["key"],
        "reason": decided["reason"],
        "size": decided["size"],
        "quarantined_to": f"s3://{bucket}/{target}",
        "decided_at": decided["decided_at"],
    }


def _tag(reason: str) -> str:
    return quote(rules.tag_value(reason), safe="")  # the Tagging header is URL-query encoded
