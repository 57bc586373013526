"""Lambda entry point: an EventBridge event of the dropzone bucket -> :func:`landing.mover.land`.

The event is S3's "Object Created" or, with the malware hold, GuardDuty's "Malware Protection
Object Scan Result". Environment: ``RAW_BUCKET``, ``KMS_KEY_ARN``, ``FLOWS``, optional
``REQUIRE_SCAN`` (see README.md). aws-lambda-powertools comes from its Lambda layer.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from landing.mover import Config, land
from landing.rules import ConfigError, parse_flows

logger = Logger(service="silolake-landing")


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3")


def load_config(env: dict[str, str] | os._Environ[str] = os.environ) -> Config:
    """The function's configuration; :class:`ConfigError` names a missing or malformed variable."""
    missing = [name for name in ("RAW_BUCKET", "KMS_KEY_ARN", "FLOWS") if not env.get(name)]
    if missing:
        raise ConfigError(f"missing environment variables: {', '.join(missing)}")
    require_scan = env.get("REQUIRE_SCAN", "false")
    if require_scan not in ("true", "false"):
        raise ConfigError(f"REQUIRE_SCAN must be 'true' or 'false', got {require_scan!r}")
    return Config(env["RAW_BUCKET"], env["KMS_KEY_ARN"], parse_flows(env["FLOWS"]), require_scan == "true")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    outcome = land(_s3(), load_config(), event)
    if outcome.status == "quarantined":
        logger.warning("file quarantined", extra=asdict(outcome))
    else:
        logger.info(f"file {outcome.status}", extra=asdict(outcome))
    return asdict(outcome)
