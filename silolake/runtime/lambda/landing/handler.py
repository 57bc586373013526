"""Lambda entry point: an EventBridge event of the dropzone bucket -> :func:`landing.mover.land`.

The event is S3's "Object Created" or, with the malware hold, GuardDuty's "Malware Protection
Object Scan Result". Environment: ``RAW_BUCKET``, ``KMS_KEY_ARN``, ``FLOWS``, optional
``REQUIRE_SCAN`` (see README.md). aws-lambda-powertools comes from its Lambda layer.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from landing.credentials import role_flows
from landing.mover import Config, land
from landing.rules import ConfigError, parse_flows, parse_key
from landing.signals import emf_record, parse_flow_names

logger = Logger(service="silolake-landing")


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3")


@lru_cache(maxsize=1)
def _iam() -> Any:
    return boto3.client("iam")


@lru_cache(maxsize=1)
def _sns() -> Any:
    return boto3.client("sns")


#: SNS subject of the owners' notice (at most 100 printable ASCII characters).
SUBJECT = "silolake: a partner file was quarantined"


def _publisher(topic_arn: str) -> Any:
    def publish(notice: dict[str, Any]) -> None:
        _sns().publish(TopicArn=topic_arn, Subject=SUBJECT, Message=json.dumps(notice, sort_keys=True, indent=2))

    return publish


def load_config(env: dict[str, str] | os._Environ[str] = os.environ) -> Config:
    """The function's configuration; :class:`ConfigError` names a missing or malformed variable."""
    missing = [name for name in ("RAW_BUCKET", "KMS_KEY_ARN", "FLOWS") if not env.get(name)]
    if missing:
        raise ConfigError(f"missing environment variables: {', '.join(missing)}")
    require_scan = env.get("REQUIRE_SCAN", "false")
    if require_scan not in ("true", "false"):
        raise ConfigError(f"REQUIRE_SCAN must be 'true' or 'false', got {require_scan!r}")
    role_prefix, flows_tag = env.get("PARTNER_ROLE_PREFIX", ""), env.get("PARTNER_FLOWS_TAG", "")
    if bool(role_prefix) != bool(flows_tag):
        raise ConfigError("PARTNER_ROLE_PREFIX and PARTNER_FLOWS_TAG are set together or not at all")
    topic = env.get("QUARANTINE_TOPIC_ARN", "")
    return Config(
        env["RAW_BUCKET"],
        env["KMS_KEY_ARN"],
        parse_flows(env["FLOWS"]),
        require_scan == "true",
        credential_flows=role_flows(_iam(), role_prefix, flows_tag) if role_prefix else None,
        notify=_publisher(topic) if topic else None,
    )


def emit_metrics(outcome: Any, config: Config, env: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Print the EMF line of a decided file (``landing.signals``): ``SILO`` names the silo,
    ``FLOW_NAMES`` (optional) maps renamed flows' folders to their catalog names."""
    drop = parse_key(outcome.key)
    silo = env.get("SILO", "")
    if not silo or outcome.status not in ("landed", "quarantined") or drop is None or drop.flow not in config.flows:
        return
    flow = parse_flow_names(env.get("FLOW_NAMES", "")).get(drop.flow, drop.flow)
    record = emf_record(
        silo=silo, flow=flow, partner=drop.partner, status=outcome.status, timestamp_ms=int(time.time() * 1000)
    )
    print(json.dumps(record, separators=(",", ":")), flush=True)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    config = load_config()
    outcome = land(_s3(), config, event)
    emit_metrics(outcome, config)
    if outcome.status == "quarantined":
        logger.warning("file quarantined", extra=asdict(outcome))
    else:
        logger.info(f"file {outcome.status}", extra=asdict(outcome))
    return asdict(outcome)
