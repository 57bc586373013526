"""A credential carries its flows: created with the real admin handler (moto), enforced by the
role, session and SFTP policies (offline IAM engine), shown to the partner, refused when wrong.

The sales example: a reseller given SFTP for ``reseller_reports`` cannot feed ``price_lists``.
"""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from typing import Any

from partner_access import model, policies, template
from partner_access.config import Config

from ...iam.iam_sim import simulate
from .conftest import FLOWS, World, env_for

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def inline_policy(world: World, username: str) -> dict[str, Any]:
    doc = world.clients["iam"].get_role_policy(RoleName=f"partner-{username}", PolicyName=template.INLINE_POLICY)
    policy = doc["PolicyDocument"]
    return ast.literal_eval(policy) if isinstance(policy, str) else policy  # moto stores the repr


def decisions(world: World, username: str, session: dict[str, Any], requests: dict[str, tuple[str, str]]) -> dict:
    """Each named ``(action, resource)`` evaluated as the partner's session: inline policy,
    permissions boundary and session policy together."""
    cfg = world.cfg
    boundary = policies.boundary_document(
        partition="aws",
        region=cfg.region,
        bucket=cfg.dropzone_bucket,
        key_arn=cfg.kms_key_arn,
        api_arns=cfg.flow_api_arns,
    )
    role = inline_policy(world, username)
    cases = [
        {
            "name": name,
            "principal": f"arn:aws:sts::{cfg.account_id}:assumed-role/partner-{username}/{username}",
            "action": action,
            "resource": resource,
            "resourceAccount": cfg.account_id,
            "identityPolicies": [role],
            "permissionBoundaries": [boundary],
            "sessionPolicy": session,
            "context": {"aws:SecureTransport": "true", f"aws:PrincipalTag/{model.TAG_USERNAME}": username},
        }
        for name, (action, resource) in requests.items()
    ]
    return {r["name"]: r["decision"] for r in simulate(cases)}


def test_a_reseller_given_sftp_for_one_flow_cannot_feed_another(world: World) -> None:
    password = world.create("reseller", channels=("sftp",), flows=["reseller_reports"])
    tags = {t["Key"]: t["Value"] for t in world.clients["iam"].list_role_tags(RoleName="partner-reseller")["Tags"]}
    assert tags[model.TAG_FLOWS] == "reseller_reports"  # where landing reads it

    answer = world.sftp("reseller", password)
    bucket = world.cfg.dropzone_bucket
    assert json.loads(answer["HomeDirectoryDetails"]) == [
        {"Entry": "/reseller_reports", "Target": f"/{bucket}/reseller/reseller_reports"},
        {"Entry": "/status", "Target": f"/{bucket}/_status/reseller"},
    ]
    arn = f"arn:aws:s3:::{bucket}"
    got = decisions(
        world,
        "reseller",
        json.loads(answer["Policy"]),
        {
            "put reseller_reports": ("s3:PutObject", f"{arn}/reseller/reseller_reports/april.csv"),
            "put price_lists": ("s3:PutObject", f"{arn}/reseller/price_lists/april.csv"),
            "put web_orders": ("s3:PutObject", f"{arn}/reseller/web_orders/april.csv"),
            "read status": ("s3:GetObject", f"{arn}/_status/reseller/reseller_reports/april.csv.json"),
        },
    )
    assert got == {
        "put reseller_reports": "Allowed",
        "put price_lists": "ImplicitlyDenied",
        "put web_orders": "ImplicitlyDenied",
        "read status": "Allowed",
    }


def test_the_web_session_offers_and_allows_only_the_credentials_upload_flows(world: World, monkeypatch) -> None:
    password = world.create("shop", channels=("sftp", "upload"), flows=["price_lists", "web_orders"])
    sts, calls = world.clients["sts"], []
    real = sts.assume_role
    monkeypatch.setattr(sts, "assume_role", lambda **kw: calls.append(kw) or real(**kw))
    status, body = world.session("shop", password)
    assert status == 200
    assert body["status_prefix"] == "_status/shop/"
    assert body["flows"] == [
        {
            "name": "web_orders",
            "source": "upload",
            "format": "csv",
            "columns": ["order_id", "amount"],
            "prefix": "shop/web_orders/",
        }
    ]
    arn = f"arn:aws:s3:::{world.cfg.dropzone_bucket}"
    got = decisions(
        world,
        "shop",
        json.loads(calls[0]["Policy"]),
        {
            "put web_orders": ("s3:PutObject", f"{arn}/shop/web_orders/a.csv"),
            "put price_lists from the web": ("s3:PutObject", f"{arn}/shop/price_lists/a.csv"),
            "put reseller_reports": ("s3:PutObject", f"{arn}/shop/reseller_reports/a.csv"),
        },
    )
    assert got == {
        "put web_orders": "Allowed",
        "put price_lists from the web": "ImplicitlyDenied",
        "put reseller_reports": "ImplicitlyDenied",
    }


def test_flows_that_do_not_fit_the_channels_are_refused(world: World) -> None:
    def create(channels: list[str], flows: list[str]) -> tuple[int, str]:
        status, body = world.admin(
            "POST", "/credentials", {"username": "x-partner", "expiry_days": 1, "channels": channels, "flows": flows}
        )
        return status, body.get("message", "")

    assert create(["sftp"], ["web_orders"]) == (
        400,
        "flows: web_orders does not arrive through the granted channels",
    )
    assert create(["sftp", "upload"], ["reseller_reports"]) == (
        400,
        "flows: name at least one flow of the channel upload",
    )
    status, message = create(["sftp"], ["no_such_flow"])
    assert status == 400 and message.startswith("flows[0] must be one of ['events', 'price_lists'")
    assert world.admin("GET", "/credentials")[1]["credentials"] == []  # nothing half-created


def test_too_many_flows_for_one_session_policy_are_refused_at_creation(clients, account, clock) -> None:
    from .conftest import build_world, provision

    # 20 flows fit the flows tag (239 of 256 characters) but not Transfer's session policy.
    many = {f"delivery_{i:02d}": {"source": "sftp", "format": "csv", "columns": ["a"]} for i in range(20)}
    env = provision(env_for(account, FLOWS=json.dumps(many)), clients)
    world = build_world(env, clock, clients)
    status, body = world.admin("POST", "/credentials", {"username": "bulk", "expiry_days": 1, "channels": ["sftp"]})
    assert status == 400
    assert body["message"].startswith("flows: the SFTP session policy exceeds Transfer Family's 2048 characters")
    assert world.admin("GET", "/credentials")[1]["credentials"] == []


def test_a_credential_from_before_flows_may_send_every_flow_of_its_channels() -> None:
    cfg = Config.from_env(env_for("444444444444"))
    record = {
        "version": 1,
        "username": "old",
        "password_hash": "scrypt$x",
        "channels": ["sftp", "upload"],
        "cidrs": [],
        "expires_at": "2026-06-01T00:00:00Z",
        "created_at": "2026-05-01T00:00:00Z",
        "created_by": "x",
    }
    legacy = model.Credential.from_secret(json.dumps(record))
    assert legacy.flows is None and model.TAG_FLOWS not in legacy.tags()
    assert policies.allowed_flows(cfg, legacy) == tuple(n for n, f in FLOWS.items() if f["source"] != "api")
    named = model.Credential.from_secret(json.dumps({**record, "flows": ["price_lists"]}))
    assert policies.allowed_flows(cfg, named) == ("price_lists",)
    assert policies.allowed_flows(cfg, named, frozenset({"upload"})) == ()


def test_sftp_sign_in_is_refused_when_none_of_the_credentials_flows_remain(world: World, monkeypatch) -> None:
    password = world.create("gone-flows", channels=("sftp",), flows=["price_lists"])
    assert world.sftp("gone-flows", password)["HomeDirectoryType"] == "LOGICAL"
    # The catalog dropped price_lists since: the credential's only flow no longer exists.
    remaining = tuple(f for f in world.idp.cfg.flows if f.name != "price_lists")
    monkeypatch.setattr(world.idp, "cfg", Config(**{**world.idp.cfg.__dict__, "flows": remaining}))
    world.clock.advance(seconds=world.cfg.lockout_window_seconds)
    assert world.sftp("gone-flows", password) == {}


def test_a_credential_left_without_flows_gets_policies_that_allow_nothing() -> None:
    """IAM and STS refuse a document without statements (or a statement without resources):
    a credential whose flows all left the catalog gets an explicit deny instead."""
    cfg = Config.from_env(env_for("444444444444", FLOWS=json.dumps({})))
    stranded = model.Credential("left", ("upload", "api"), (), NOW, NOW, "x", flows=("gone",))
    for doc in (policies.role_policy(cfg, stranded), policies.session_policy(cfg, stranded)):
        assert doc["Statement"] == [policies.NOTHING]
    everything = Config.from_env(env_for("444444444444"))
    assert policies.api_statements(everything.flow_api_arns, ("events",))[0]["Resource"] == [
        "arn:aws:execute-api:eu-west-1:444444444444:a1b2c3d4e5/v1/POST/flows/events/*"
    ]
