"""Redrive of one flow after a fix: reprocess raw days, or replay quarantined partner files.

Two operations against the silo account (boto3 clients in, plain results out; the command
is ``silolake redrive``, :mod:`silolake.cli.commands.redrive`; guide: ``docs/etl.md``, *Redrive*):

- :func:`start_redrive` starts the flow's state machine with the redrive input of
  :mod:`silolake.pipeline_input`; the conform job then reads those ``ingest_date`` days
  again and the warehouse load replaces their partitions.
- :func:`replay` sends a quarantined file back through landing: a server-side copy from
  ``_quarantine/<partner>/<flow>/<file>`` to ``<partner>/<flow>/<file>``, which is an
  ordinary ``Object Created`` (or, with the malware hold, a new GuardDuty scan) for the
  landing function. Every landing check runs again, none is skipped: key layout, flow,
  the partner's credential (read from the role of the partner the key names: quarantine
  is written only by landing, from that partner's own prefix, so the bytes are still the
  ones that partner sent, and the check sees the credential's flows *now*, which is what a
  replay after adding a flow to a credential needs), name, size, content, and the
  malware scan. Landing writes the status record again and decides the raw day from
  the new event's time (today), so the next scheduled run picks the file up.

Idempotent: the quarantined version is deleted (that exact version, so a re-quarantine
of the replayed file by landing, a newer version, stays) once the copy exists; a second
replay finds nothing, or finds only files landing refused again. A file whose dropzone
key already holds an object (a newer upload of the same name not yet landed, or a replay
landing has not handled yet) is not replayed: the copy would overwrite it. A file
quarantined because GuardDuty found malware is never replayed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from ..aws import names
from ..errors import PartialError
from ..pipeline_input import redrive_input

__all__ = ["MALWARE_REASON", "ReplayWaiting", "Replayed", "quarantined_keys", "replay", "start_redrive"]

#: Start of landing's quarantine reason for a file GuardDuty found malware in (``landing/events.py``).
MALWARE_REASON = "GuardDuty found malware"


@dataclass(frozen=True)
class Replayed:
    """What :func:`replay` did with one quarantined file.

    ``status``: ``replayed`` (copied back, quarantined version deleted), ``would replay`` (the
    same, with ``dry_run``: nothing done), ``waiting`` (the dropzone key is taken; try again once
    it landed), ``kept`` (quarantined as malware), ``gone`` (no longer in quarantine).
    ``target`` is the dropzone key; ``detail`` says why."""

    key: str
    target: str
    status: str
    detail: str = ""


class ReplayWaiting(PartialError):
    """Some quarantined files were left ``waiting`` (their dropzone key is taken): rerun the
    replay once landing handled those keys (exit 3)."""


def start_redrive(sfn: Any, machine_arn: str, flow: str, days: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Start ``machine_arn`` with the redrive input of ``days``; return (execution ARN, input).

    The execution is named :func:`silolake.aws.names.redrive_execution`, so the console lists it as one."""
    body = redrive_input(flow, days)
    started = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = names.redrive_execution(list(days), started)
    arn: str = sfn.start_execution(stateMachineArn=machine_arn, name=name, input=json.dumps(body))["executionArn"]
    return arn, body


def quarantined_keys(s3: Any, bucket: str, flow: str, partner: str | None = None) -> list[str]:
    """Keys ``_quarantine/<partner>/<flow>/<file>`` of ``flow`` (its dropzone name), one partner's or all, sorted."""
    root = names.QUARANTINE_PREFIX
    partners = [f"{root}{partner}/"] if partner else list(_prefixes(s3, bucket, root))
    keys = []
    for prefix in partners:
        folder = f"{prefix}{flow}/"
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder):
            keys += [o["Key"] for o in page.get("Contents", []) if "/" not in o["Key"][len(folder) :]]
    return sorted(k for k in keys if not k.endswith("/"))


def _prefixes(s3: Any, bucket: str, prefix: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        yield from (p["Prefix"] for p in page.get("CommonPrefixes", []))


def _head(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key)
        return head
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def replay(s3: Any, bucket: str, key: str, *, dry_run: bool = False) -> Replayed:
    """Send the quarantined object ``key`` back to its dropzone key (see module docstring);
    ``dry_run``: only read (``HeadObject``) and say what would happen."""
    target = key.removeprefix(names.QUARANTINE_PREFIX)
    head = _head(s3, bucket, key)
    if head is None:
        return Replayed(key, target, "gone", "no longer in quarantine")
    reason = unquote(head.get("Metadata", {}).get("quarantine-reason", ""))
    if reason.startswith(MALWARE_REASON):
        return Replayed(key, target, "kept", reason)
    if _head(s3, bucket, target) is not None:
        return Replayed(key, target, "waiting", f"{target} holds a file landing has not handled yet; replay later")
    if dry_run:
        return Replayed(key, target, "would replay", f"was quarantined: {reason}" if reason else "")
    version = head.get("VersionId")
    source = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
    # The bucket's default encryption (the silo key) applies; the quarantine tag is not copied.
    s3.copy_object(
        Bucket=bucket,
        Key=target,
        CopySource=source,
        CopySourceIfMatch=head["ETag"],
        MetadataDirective="REPLACE",
        Metadata={"replayed-from": key},
        TaggingDirective="REPLACE",
    )
    s3.delete_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
    return Replayed(key, target, "replayed", f"was quarantined: {reason}" if reason else "")
