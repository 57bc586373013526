"""Turn an SNS delivery of the owners' topic into a chat message, and check the webhook URL. Pure.

The topic carries CloudWatch alarm state changes (a JSON document with ``AlarmName``,
``NewStateValue``, ``NewStateReason``, ``AlarmDescription``, ``Region``, ``AWSAccountId``),
the pipeline's failure messages and landing's quarantine notices (JSON objects of their own).
Each becomes one ``{"text": ...}`` payload, the shape Slack incoming webhooks, Microsoft Teams
workflows and Google Chat webhooks all accept. Nothing else of the message is forwarded.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

#: A chat message is cut at this many characters (chat services refuse larger bodies).
MAX_TEXT = 3000
STATE_MARKS = {"ALARM": "ALARM", "OK": "OK (resolved)", "INSUFFICIENT_DATA": "no data"}


class BadWebhook(ValueError):
    """The secret does not hold an https URL (the forwarder posts nowhere else)."""


def webhook_url(secret: str) -> str:
    """The URL in the secret's value: the URL itself, or JSON ``{"url": ...}``; https only."""
    text = secret.strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text)["url"]).strip()
        except (ValueError, KeyError, TypeError) as exc:
            raise BadWebhook("the secret is JSON without a 'url' string") from exc
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname:
        raise BadWebhook("the webhook must be an https:// URL")
    return text


def chat_text(subject: str | None, message: str) -> str:
    """The text of one chat message for one SNS message (``subject`` may be None)."""
    try:
        body: Any = json.loads(message)
    except ValueError:
        body = None
    if isinstance(body, dict) and "AlarmName" in body:
        state = STATE_MARKS.get(str(body.get("NewStateValue")), str(body.get("NewStateValue")))
        lines = [
            f"[{state}] {body['AlarmName']}",
            str(body.get("AlarmDescription") or ""),
            str(body.get("NewStateReason") or ""),
            f"account {body.get('AWSAccountId', '?')}, {body.get('Region', '?')}",
        ]
    elif isinstance(body, dict):
        lines = [subject or "silolake", *(f"{k}: {v}" for k, v in sorted(body.items()))]
    else:
        lines = [subject or "silolake", message]
    text = "\n".join(line for line in lines if line)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def payloads(event: dict[str, Any]) -> list[dict[str, str]]:
    """One ``{"text": ...}`` per SNS record of a Lambda invocation from SNS."""
    out = []
    for record in event.get("Records", []):
        sns = record.get("Sns") or {}
        out.append({"text": chat_text(sns.get("Subject"), str(sns.get("Message", "")))})
    return out
