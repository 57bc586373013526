"""The chat forwarder: SNS deliveries of the owners' topic -> one webhook post each, the URL from
Secrets Manager (moto), never anything but https."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from silolake.runtime import runtime_path
from tests.runtime.lambda_env import handler_first, moto_in

FUNCTION_DIR = runtime_path("lambda", "notify")
SECRET = "silolake/sales/chat-webhook"
URL = "https://chat.example/hooks/T0/B0/x"


@pytest.fixture(autouse=True)
def _notify_handler_module():
    handler_first(FUNCTION_DIR)


@pytest.fixture
def secrets():
    with moto_in("eu-west-1"):
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        import handler

        handler._cache.clear()
        yield client


def sns(*messages: tuple[str | None, str]) -> dict[str, Any]:
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Subject": s, "Message": m}} for s, m in messages]}


DESCRIPTION = "silolake: partner 'dhl-express' of flow 'shipments' of silo 'logistics' missed its expectation"
ALARM = json.dumps(
    {
        "AlarmName": "silolake-logistics-shipments-late-dhl-express",
        "AlarmDescription": DESCRIPTION,
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed: 1 datapoint [1.0] was >= the threshold (1.0).",
        "AWSAccountId": "555555555555",
        "Region": "EU (Frankfurt)",
    }
)


def test_alarms_and_notices_are_posted_one_message_each(secrets) -> None:
    import handler

    secrets.create_secret(Name=SECRET, SecretString=URL)
    posted: list[tuple[str, dict[str, str]]] = []

    def post(url: str, payload: dict[str, str]) -> int:
        posted.append((url, payload))
        return 200

    notice = json.dumps({"event": "file quarantined", "partner": "bob", "flow": "shipments", "reason": "not JSON"})
    assert (
        handler.forward(
            sns(("ALARM: late", ALARM), ("silolake: a partner file was quarantined", notice)), secrets, SECRET, post
        )
        == 2
    )
    assert [u for u, _ in posted] == [URL, URL]
    assert posted[0][1]["text"].splitlines() == [
        "[ALARM] silolake-logistics-shipments-late-dhl-express",
        "silolake: partner 'dhl-express' of flow 'shipments' of silo 'logistics' missed its expectation",
        "Threshold Crossed: 1 datapoint [1.0] was >= the threshold (1.0).",
        "account 555555555555, EU (Frankfurt)",
    ]
    assert posted[1][1]["text"].splitlines()[0] == "silolake: a partner file was quarantined"
    assert "reason: not JSON" in posted[1][1]["text"]


def test_a_refused_post_fails_the_invocation_so_lambda_retries(secrets) -> None:
    import handler

    secrets.create_secret(Name=SECRET, SecretString=json.dumps({"url": URL}))
    with pytest.raises(RuntimeError, match="HTTP 500"):
        handler.forward(sns((None, "plain text")), secrets, SECRET, lambda url, payload: 500)


@pytest.mark.parametrize(
    "value", ["http://chat.example/hook", "chat.example/hook", '{"link": "https://x"}', "https://"]
)
def test_only_an_https_url_is_ever_posted_to(secrets, value: str) -> None:
    import handler
    from notify.message import BadWebhook

    secrets.create_secret(Name=SECRET, SecretString=value)
    with pytest.raises(BadWebhook):
        handler.forward(sns((None, "x")), secrets, SECRET, lambda url, payload: pytest.fail("posted"))


def test_long_messages_are_cut_for_chat() -> None:
    from notify.message import MAX_TEXT, chat_text

    text = chat_text("s", "x" * 10_000)
    assert len(text) == MAX_TEXT and text.endswith("…")
