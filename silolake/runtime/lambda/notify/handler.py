"""Lambda entry point of the chat forwarder: SNS (the owners' topic) -> the webhook in ``WEBHOOK_SECRET``.

Environment: ``WEBHOOK_SECRET`` (the secret's name; its value is the https URL, or JSON
``{"url": ...}``). The URL is read once per warm container for five minutes. A failed post
raises, so Lambda retries the SNS delivery (asynchronous invocations are retried twice) and
the silo's Lambda-errors alarm tells the owners by e-mail. See README.md.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from notify.message import payloads, webhook_url

logger = Logger(service="silolake-notify")
#: Seconds a read webhook URL is reused (a rotated secret is picked up within this).
URL_TTL = 300
TIMEOUT = 10
_cache: dict[str, tuple[float, str]] = {}


@lru_cache(maxsize=1)
def _secrets() -> Any:
    return boto3.client("secretsmanager")


def read_url(secrets: Any, name: str, now: float) -> str:
    cached = _cache.get(name)
    if cached and now - cached[0] < URL_TTL:
        return cached[1]
    url = webhook_url(secrets.get_secret_value(SecretId=name)["SecretString"])
    _cache[name] = (now, url)
    return url


def post_json(url: str, payload: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (https checked)
        return int(response.status)


def forward(
    event: dict[str, Any], secrets: Any, secret_name: str, post: Callable[[str, dict[str, str]], int] = post_json
) -> int:
    """Post every message of ``event``; returns how many were posted. Raises on a non-2xx answer."""
    url = read_url(secrets, secret_name, time.monotonic())
    sent = 0
    for payload in payloads(event):
        status = post(url, payload)
        if not 200 <= status < 300:
            raise RuntimeError(f"the webhook answered HTTP {status}")
        sent += 1
    return sent


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    sent = forward(event, _secrets(), os.environ["WEBHOOK_SECRET"])
    logger.info("forwarded", extra={"messages": sent})  # never the URL: it is a credential
    return {"forwarded": sent}
