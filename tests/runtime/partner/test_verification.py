"""Verification rules shared by SFTP and ``POST /session``: lockout, channel, source IP,
decommission; admin input validation; audit events and what never reaches a log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from partner_access.logs import logger

from .conftest import (
    PARTNER_IP,
    REGION,
    SERVER_ID,
    STAFF,
    Clock,
    Context,
    World,
    build_world,
    env_for,
    http_event,
    load_handler,
    provision,
)

OTHER_IP = "198.51.100.20"  # inside the silo's CIDRs, outside the credential's below


def test_lockout_per_username_and_unlock_after_the_window(world: World) -> None:
    password = world.create("kate", channels=("sftp", "upload"))
    for _ in range(world.cfg.lockout_max_user_failures):
        assert world.session("kate", "wrong-password")[0] == 401
    # Locked: the right password is refused too, on every channel and from another address.
    assert world.session("kate", password)[0] == 401
    assert world.sftp("kate", password, source_ip=OTHER_IP) == {}
    world.clock.advance(seconds=world.cfg.lockout_window_seconds - 1)
    assert world.session("kate", password)[0] == 401
    world.clock.advance(seconds=1)  # the window is over
    assert world.session("kate", password)[0] == 200
    # A success clears the username's counter: four new failures do not lock.
    for _ in range(world.cfg.lockout_max_user_failures - 1):
        assert world.sftp("kate", "wrong-password") == {}
    assert world.sftp("kate", password)["HomeDirectoryType"] == "LOGICAL"


def test_lockout_per_source_ip_across_usernames(world: World) -> None:
    password = world.create("liam", channels=("upload",))
    for index in range(world.cfg.lockout_max_ip_failures):  # guessing many usernames from one address
        assert world.session(f"guess-{index}", "x")[0] == 401
    assert world.session("liam", password)[0] == 401  # that address is locked
    assert world.session("liam", password, source_ip="203.0.113.99")[0] == 200  # another one is not
    world.clock.advance(seconds=world.cfg.lockout_window_seconds)
    assert world.session("liam", password)[0] == 200


def test_lockout_counters_expire_with_a_ttl(world: World) -> None:
    world.session("nobody", "x")
    items = world.clients["dynamodb"].scan(TableName=world.cfg.lockout_table)["Items"]
    assert {item["pk"]["S"] for item in items} == {"user#nobody", f"ip#{PARTNER_IP}"}
    expected = int(world.clock().timestamp()) + world.cfg.lockout_window_seconds
    assert {int(item["expires_at"]["N"]) for item in items} == {expected}
    ttl = world.clients["dynamodb"].describe_time_to_live(TableName=world.cfg.lockout_table)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_wrong_channel_is_refused(world: World) -> None:
    sftp_only = world.create("mia", channels=("sftp",))
    web_only = world.create("noah", channels=("upload", "api"))
    assert world.session("mia", sftp_only)[0] == 401
    assert world.sftp("mia", sftp_only)["Role"].endswith("/partner-mia")
    assert world.sftp("noah", web_only) == {}
    assert world.session("noah", web_only)[0] == 200


def test_wrong_source_ip_is_refused(world: World) -> None:
    password = world.create("olga", channels=("sftp", "upload"), cidrs=["203.0.113.0/28"])
    assert world.session("olga", password, source_ip=OTHER_IP)[0] == 401  # outside the credential's CIDRs
    assert world.sftp("olga", password, source_ip=OTHER_IP) == {}
    assert world.session("olga", password, source_ip="192.0.2.1")[0] == 401  # outside the silo's CIDRs
    assert world.sftp("olga", password, source_ip="not-an-ip") == {}
    assert world.session("olga", password, source_ip="203.0.113.5")[0] == 200


def test_decommissioned_silo_refuses_everything(env: dict[str, str], clock: Clock, clients: dict[str, Any]) -> None:
    live = build_world(env, clock, clients)
    password = live.create("paul", channels=("sftp", "upload"))
    gone = build_world({**env, "DECOMMISSIONED": "true"}, clock, clients)
    assert gone.session("paul", password)[0] == 401
    assert gone.sftp("paul", password) == {}
    status, body = gone.admin("POST", "/credentials", {"username": "quinn", "expiry_days": 1, "channels": ["sftp"]})
    assert (status, body["message"]) == (403, "this silo is decommissioned: no new credentials")
    assert gone.admin("POST", "/credentials/paul/rotate")[0] == 403
    # Listing and revoking still work: they only ever remove access.
    assert [c["username"] for c in gone.admin("GET", "/credentials")[1]["credentials"]] == ["paul"]
    assert gone.admin("DELETE", "/credentials/paul")[0] == 200


INVALID_CREATES: list[tuple[Any, str]] = [
    ({"username": "Bad_Name", "expiry_days": 1, "channels": ["sftp"]}, "username must match pattern"),
    ({"username": "rita", "expiry_days": 31, "channels": ["sftp"]}, "expiry_days must be smaller than or equal to 30"),
    ({"username": "rita", "expiry_days": 0, "channels": ["sftp"]}, "expiry_days must be bigger than or equal to 1"),
    ({"username": "rita", "expiry_days": "7", "channels": ["sftp"]}, "expiry_days must be integer"),
    ({"username": "rita", "expiry_days": 1, "channels": ["ftp"]}, "channels[0] must be one of"),
    ({"username": "rita", "expiry_days": 1, "channels": []}, "channels must contain at least 1 items"),
    ({"username": "rita", "expiry_days": 1}, "request body must contain ['channels'] properties"),
    ({"username": "rita", "expiry_days": 1, "channels": ["sftp"], "admin": True}, "must not contain {'admin'}"),
    ({"username": "rita", "expiry_days": 1, "channels": ["sftp"], "cidrs": ["10.0.0.1/24"]}, "host bits zero"),
    (
        {"username": "rita", "expiry_days": 1, "channels": ["sftp"], "cidrs": ["10.0.0.0/24"]},
        "cidrs: 10.0.0.0/24 is not inside the silo's allowed CIDRs (203.0.113.0/24, 198.51.100.0/24)",
    ),
    ({"username": "rita", "expiry_days": 1, "channels": ["sftp"], "cidrs": ["2001:db8::/32"]}, "not inside the silo's"),
    ([], "request body must be a JSON object"),
]


def test_create_validation_messages(world: World) -> None:
    for body, message in INVALID_CREATES:
        status, answer = world.admin("POST", "/credentials", body)
        assert status == 400 and message in answer["message"], (body, answer)
    assert world.admin("GET", "/credentials")[1]["credentials"] == []


def test_admin_refusals(world: World) -> None:
    assert world.admin("POST", "/credentials", raw_body="{not json")[0] == 400
    assert world.admin("GET", "/credentials", claims=None) == (401, {"message": "sign-in required"})
    status, _ = world.admin(
        "POST", "/credentials", {"username": "sam", "expiry_days": 1, "channels": ["sftp"]}, claims={"aud": "x"}
    )
    assert status == 401
    world.create("sam", channels=("sftp",))
    status, body = world.admin("POST", "/credentials", {"username": "sam", "expiry_days": 1, "channels": ["api"]})
    assert (status, body["message"]) == (409, "a credential named sam already exists")
    assert world.admin("POST", "/credentials/Not%20Valid/rotate")[0] in {400, 404}
    assert world.admin("DELETE", "/credentials/ghost")[0] == 404


def test_silo_without_cidrs_accepts_any_credential_cidrs(account: str, clock: Clock, clients: dict[str, Any]) -> None:
    env = provision(
        env_for(account, ALLOWED_CIDRS="", CHANNELS="upload", TRANSFER_SERVER_ARN="", FLOW_API_ARNS=""), clients
    )
    world = build_world(env, clock, clients)
    password = world.create("tina", channels=("upload",), cidrs=["10.1.0.0/16", "2001:db8::/48"])
    assert world.session("tina", password, source_ip="10.1.2.3")[0] == 200
    assert world.session("tina", password, source_ip="2001:db8::1")[0] == 200
    assert world.session("tina", password, source_ip="10.2.0.1")[0] == 401
    status, body = world.admin("POST", "/credentials", {"username": "uma", "expiry_days": 1, "channels": ["sftp"]})
    assert status == 400 and "channels[0] must be one of ['upload']" in body["message"]


def _log_events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Everything the functions' JSON logger writes (its handler keeps the stdout it saw at import)."""
    stream = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        if previous is not None:
            handler.setStream(previous)


def test_no_password_or_hash_in_any_log_line_or_listing(
    env: dict[str, str],
    capfd: pytest.CaptureFixture[str],
    log_stream: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the real Lambda entry points, with every Powertools switch that would print
    whole events turned on: they must not matter. Checked: the JSON log, anything printed to
    stdout/stderr, every log record's attributes, and the listing."""
    caplog.set_level(logging.DEBUG)
    for name, value in {
        **env,
        "POWERTOOLS_DEV": "true",
        "POWERTOOLS_LOGGER_LOG_EVENT": "true",
        "POWERTOOLS_EVENT_HANDLER_DEBUG": "true",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
    }.items():
        monkeypatch.setenv(name, value)
    handler = load_handler()

    def admin(method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = handler.admin_handler(http_event(method, path, body, claims=STAFF), Context())
        return {"status": response["statusCode"], **json.loads(response["body"])}

    def session(username: str, password: str) -> int:
        event = http_event("POST", "/session", {"username": username, "password": password})
        return int(handler.session_handler(event, Context())["statusCode"])

    def sftp(username: str, password: str) -> dict[str, str]:
        return handler.idp_handler(
            {
                "username": username,
                "password": password,
                "protocol": "SFTP",
                "serverId": SERVER_ID,
                "sourceIp": PARTNER_IP,
            },
            Context(),
        )

    created = admin("POST", "/credentials", {"username": "vera", "expiry_days": 3, "channels": ["sftp", "upload"]})
    assert created["status"] == 201
    first = created["password"]
    second = admin("POST", "/credentials/vera/rotate")["password"]
    stored = json.loads(
        boto3.client("secretsmanager", region_name=REGION).get_secret_value(SecretId="silolake/partner/vera")[
            "SecretString"
        ]
    )["password_hash"]
    secrets = [first, second, stored, stored.split("$")[-1], stored.split("$")[-2]]
    # Every path that handles a password: sessions (good, bad), SFTP, a password typed into the
    # username field, listing, revocation, the sweeper.
    assert session("vera", second) == 200
    assert session("vera", first) == 401
    assert session(second, second) == 401
    assert sftp("vera", second)["Role"].endswith("/partner-vera")
    assert sftp("vera", first) == {}
    assert sftp(first, first) == {}
    listing = json.dumps(admin("GET", "/credentials"))
    assert admin("DELETE", "/credentials/vera")["status"] == 200
    assert session("vera", second) == 401
    handler.sweeper_handler({}, Context())
    captured = capfd.readouterr()
    output = log_stream.getvalue() + captured.out + captured.err + repr([r.__dict__ for r in caplog.records])
    for secret in secrets:
        assert secret not in output
        assert secret not in listing
    assert "scrypt$" not in output + listing
    # The audit trail: one event per change, with actor, action, username and result.
    audits = [e["audit"] for e in _log_events(log_stream.getvalue()) if "audit" in e]
    assert [(a["actor"], a["action"], a["username"], a["result"]) for a in audits] == [
        (STAFF["email"], "create", "vera", "success"),
        (STAFF["email"], "rotate", "vera", "success"),
        (STAFF["email"], "revoke", "vera", "success"),
    ]
    signins = [e["partner_auth"] for e in _log_events(log_stream.getvalue()) if "partner_auth" in e]
    assert {s["username"] for s in signins} == {"vera", "(invalid)"}
    assert [s["result"] for s in signins].count("allowed") == 2


def test_refusals_are_identical(world: World) -> None:
    """Unknown user, wrong password, expired, wrong channel, wrong IP: one and the same answer."""
    good = world.create("will", channels=("upload",), cidrs=["203.0.113.0/28"], expiry_days=1)
    answers = [
        world.session("nobody", good),
        world.session("will", "wrong"),
        world.session("will", good, source_ip=OTHER_IP),
    ]
    world.create("xena", channels=("sftp",))
    answers.append(world.session("xena", good))
    world.clock.advance(days=1)
    answers.append(world.session("will", good))
    assert {(status, json.dumps(body)) for status, body in answers} == {(401, '{"message": "invalid credentials"}')}
