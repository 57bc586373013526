"""The Transfer Family identity provider: the documented contract, and fuzzing with hypothesis."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from partner_access.policies import TRANSFER_POLICY_MAX

from .conftest import PARTNER_IP, SERVER_ID, World

RESPONSE_KEYS = {"Role", "HomeDirectoryType", "HomeDirectoryDetails", "Policy"}


def assert_contract(
    world: World, response: dict[str, Any], username: str, flows: tuple[str, ...] = ("reseller_reports", "price_lists")
) -> None:
    """A success answer as Transfer Family expects it: every value a string, the two JSON fields
    as strings, one folder per flow the credential may send over SFTP and its status folder."""
    assert set(response) == RESPONSE_KEYS
    assert all(isinstance(value, str) for value in response.values())
    assert response["Role"] == f"arn:aws:iam::{world.cfg.account_id}:role/silolake/partner/partner-{username}"
    assert response["HomeDirectoryType"] == "LOGICAL"
    details = json.loads(response["HomeDirectoryDetails"])
    bucket = world.cfg.dropzone_bucket
    assert details == [
        *({"Entry": f"/{flow}", "Target": f"/{bucket}/{username}/{flow}"} for flow in flows),
        {"Entry": "/status", "Target": f"/{bucket}/_status/{username}"},
    ]
    assert len(response["Policy"]) <= TRANSFER_POLICY_MAX
    policy = json.loads(response["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])
    assert not any("execute-api" in json.dumps(statement) for statement in policy["Statement"])


def test_success_follows_the_contract(world: World) -> None:
    password = world.create("yara", channels=("sftp",))
    assert_contract(world, world.sftp("yara", password), "yara")


def test_policy_stays_under_transfer_limit_for_the_longest_names(world: World) -> None:
    longest = "y" * 32
    password = world.create(longest, channels=("sftp",))
    response = world.sftp(longest, password)
    assert_contract(world, response, longest)
    assert len(response["Policy"]) < TRANSFER_POLICY_MAX - 512  # room for longer bucket and key ARNs


def test_every_refusal_is_an_empty_answer(world: World) -> None:
    password = world.create("zack", channels=("sftp",))
    base = {"username": "zack", "password": password, "protocol": "SFTP", "serverId": SERVER_ID, "sourceIp": PARTNER_IP}
    refusals: list[Any] = [
        {k: v for k, v in base.items() if k != "password"},  # key authentication
        {**base, "password": ""},
        {**base, "protocol": "FTPS"},
        {**base, "serverId": "s-ffffffffffffffff0"},
        {**base, "sourceIp": "192.0.2.7"},
        {**base, "username": "ZACK"},
        {**base, "password": password + "x"},
        None,
        [],
        "event",
    ]
    for event in refusals:
        assert world.idp.authenticate(event) == {}, event
    assert world.idp.authenticate(base)["HomeDirectoryType"] == "LOGICAL"


def test_an_aws_failure_is_a_refusal(world: World, monkeypatch) -> None:
    password = world.create("abby", channels=("sftp",))

    def broken(**_: Any) -> None:
        raise RuntimeError("DynamoDB unavailable")

    monkeypatch.setattr(world.verifier.lockout.db, "get_item", broken)
    assert world.sftp("abby", password) == {}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FIELDS = ("username", "password", "protocol", "serverId", "sourceIp")


def test_fuzzed_events_never_raise_and_only_valid_ones_succeed(world: World) -> None:
    password = world.create("beth", channels=("sftp",))
    valid = {
        "username": "beth",
        "password": password,
        "protocol": "SFTP",
        "serverId": SERVER_ID,
        "sourceIp": PARTNER_IP,
    }
    mutated = st.builds(
        lambda drop, replace, extra: {**{k: v for k, v in valid.items() if k not in drop}, **replace, **extra},
        st.sets(st.sampled_from(FIELDS), max_size=2),
        st.dictionaries(
            st.sampled_from(FIELDS),
            JSON_VALUES
            | st.sampled_from(
                ["beth", password, "SFTP", SERVER_ID, PARTNER_IP, "203.0.113.255", "::1", "beth ", password.upper()]
            ),
            max_size=2,
        ),
        st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=2),
    )
    events = st.one_of(JSON_VALUES, st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES), mutated)

    @settings(
        max_examples=100,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(events)
    def check(event: Any) -> None:
        world.clock.advance(seconds=world.cfg.lockout_window_seconds)  # no example inherits a lockout
        response = world.idp.authenticate(event)
        assert isinstance(response, dict)
        if not response:
            return
        # Success only for a valid event: the right user, password, protocol, server and an allowed address.
        assert isinstance(event, dict)
        assert {k: event[k] for k in ("username", "password", "protocol", "serverId")} == {
            k: valid[k] for k in ("username", "password", "protocol", "serverId")
        }
        assert event["sourceIp"] in {PARTNER_IP, "203.0.113.255"}
        assert_contract(world, response, "beth")

    check()
    assert_contract(world, world.idp.authenticate(valid), "beth")
