"""A silo account in moto for the partner functions, with an injectable clock.

``world`` builds everything the functions expect to find (permissions boundary, KMS key,
dropzone bucket, lockout table) and wires the real modules exactly as ``handler.py``
does, except for the clock. The scrypt cost is lowered for speed (one test checks the
production parameters); everything else is what runs in Lambda.

Speed: one moto mock for the whole session (its CloudFormation imports every service
model on first use, ~5 s) and boto3 clients created once; each test gets its own fresh
AWS account instead (``MOTO_ACCOUNT_ID``), which isolates it just as well.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from partner_access import admin, passwords, policies, session
from partner_access.config import Config
from partner_access.idp import IdentityProvider
from partner_access.lockout import Lockout
from partner_access.store import CredentialStore
from partner_access.verify import Verifier

from . import SOURCE

REGION = "eu-west-1"
SERVER_ID = "s-0123456789abcdef0"
PARTNER_IP = "203.0.113.10"
STAFF = {"email": "owner@acme.example", "sub": "5b1c0e4e-0000-4000-8000-000000000001"}
_ACCOUNTS = itertools.count(200000000001)
#: The silo's flows (``FLOWS``): two arrive over SFTP, one through the upload page, one by API.
FLOWS = {
    "reseller_reports": {"source": "sftp", "format": "csv", "columns": ["sku", "quantity"]},
    "price_lists": {"source": "sftp", "format": "csv", "columns": ["sku", "price"]},
    "web_orders": {"source": "upload", "format": "csv", "columns": ["order_id", "amount"]},
    "events": {"source": "api", "format": "json", "columns": ["id"]},
}
SERVICES = ("cloudformation", "secretsmanager", "dynamodb", "sts", "iam", "s3", "kms")


def bucket(account: str) -> str:
    return f"acme-sales-dropzone-{account}-euw1"


def load_handler() -> Any:
    """``silolake/runtime/lambda/partner/handler.py`` under a name no other function's handler uses."""
    spec = importlib.util.spec_from_file_location("partner_handler", SOURCE / "handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Clock:
    def __init__(self) -> None:
        # moto stamps stacks with the real time, so the injected clock starts there too.
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Context:
    """The attributes Powertools' ``inject_lambda_context`` reads."""

    function_name = "acme-sales-partner"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:111111111111:function:acme-sales-partner"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/acme-sales-partner"
    log_stream_name = "stream"


def http_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    claims: dict[str, str] | None = None,
    source_ip: str = PARTNER_IP,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, with JWT claims when ``claims`` is given."""
    context: dict[str, Any] = {
        "accountId": "111111111111",
        "apiId": "a1b2c3d4e5",
        "domainName": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip, "userAgent": "pytest"},
        "requestId": "req",
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "01/May/2026:10:00:00 +0000",
        "timeEpoch": 0,
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": context,
        "body": text,
        "isBase64Encoded": False,
    }


def env_for(account: str = "123456789012", **overrides: str) -> dict[str, str]:
    env = {
        "AWS_REGION": REGION,
        "ORGANIZATION": "acme",
        "SILO": "sales",
        "DROPZONE_BUCKET": bucket(account),
        "KMS_KEY_ARN": f"arn:aws:kms:{REGION}:{account}:key/00000000-0000-4000-8000-000000000000",
        "PERMISSIONS_BOUNDARY_ARN": f"arn:aws:iam::{account}:policy/silolake/acme-sales-partner-boundary",
        "CFN_ROLE_ARN": f"arn:aws:iam::{account}:role/silolake-sales-partner-cfn",
        "SESSION_ROLE_ARN": f"arn:aws:iam::{account}:role/silolake-sales-partner-session",
        "TRANSFER_SERVER_ARN": f"arn:aws:transfer:{REGION}:{account}:server/{SERVER_ID}",
        "FLOW_API_ARNS": f"arn:aws:execute-api:{REGION}:{account}:a1b2c3d4e5/v1/POST/flows/*",
        "CHANNELS": "sftp,upload,api",
        "ALLOWED_CIDRS": "203.0.113.0/24,198.51.100.0/24",
        "LOCKOUT_TABLE": "acme-sales-partner-lockout",
        "MAX_DAYS": "30",
        "FLOWS": json.dumps(FLOWS),
    }
    env.update(overrides)
    return env


@dataclass
class World:
    cfg: Config
    clock: Clock
    store: CredentialStore
    verifier: Verifier
    admin_app: Any
    session_app: Any
    idp: IdentityProvider
    clients: dict[str, Any] = field(default_factory=dict)

    def admin(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        claims: dict[str, str] | None = STAFF,
        raw_body: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        response = self.admin_app.resolve(http_event(method, path, body, claims=claims, raw_body=raw_body), Context())
        return response["statusCode"], json.loads(response["body"])

    def session(self, username: str, password: str, source_ip: str = PARTNER_IP) -> tuple[int, dict[str, Any]]:
        event = http_event("POST", "/session", {"username": username, "password": password}, source_ip=source_ip)
        response = self.session_app.resolve(event, Context())
        return response["statusCode"], json.loads(response["body"])

    def sftp(self, username: Any, password: Any, source_ip: Any = PARTNER_IP, **extra: Any) -> dict[str, str]:
        event = {
            "username": username,
            "password": password,
            "protocol": "SFTP",
            "serverId": SERVER_ID,
            "sourceIp": source_ip,
            **extra,
        }
        return self.idp.authenticate(event)

    def create(
        self,
        username: str = "bob",
        channels: tuple[str, ...] = ("sftp", "upload", "api"),
        expiry_days: int = 7,
        **extra: Any,
    ) -> str:
        status, body = self.admin(
            "POST",
            "/credentials",
            {"username": username, "expiry_days": expiry_days, "channels": list(channels), **extra},
        )
        assert status == 201, body
        return str(body["password"])


def build_world(env: dict[str, str], clock: Clock, clients: dict[str, Any]) -> World:
    cfg = Config.from_env(env)
    store = CredentialStore(cfg, clients["cloudformation"], clients["secretsmanager"], clock)
    lockout = Lockout(
        table=cfg.lockout_table,
        dynamodb=clients["dynamodb"],
        clock=clock,
        window=cfg.lockout_window_seconds,
        max_user_failures=cfg.lockout_max_user_failures,
        max_ip_failures=cfg.lockout_max_ip_failures,
    )
    verifier = Verifier(cfg, store, lockout, clock)
    return World(
        cfg=cfg,
        clock=clock,
        store=store,
        verifier=verifier,
        admin_app=admin.make_app(admin.AdminService(cfg, store, clock)),
        session_app=session.make_app(session.SessionService(cfg, verifier, clients["sts"])),
        idp=IdentityProvider(cfg, verifier),
        clients=clients,
    )


def provision(env: dict[str, str], clients: dict[str, Any]) -> dict[str, str]:
    """Create what Terraform would: key, dropzone bucket, boundary, lockout table. Returns the env."""
    key_arn = clients["kms"].create_key(Description="silo key")["KeyMetadata"]["Arn"]
    env = {**env, "KMS_KEY_ARN": key_arn}
    cfg = Config.from_env(env)
    clients["s3"].create_bucket(Bucket=cfg.dropzone_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    boundary = policies.boundary_document(
        partition="aws", region=REGION, bucket=cfg.dropzone_bucket, key_arn=key_arn, api_arns=cfg.flow_api_arns
    )
    clients["iam"].create_policy(
        PolicyName="acme-sales-partner-boundary", Path="/silolake/", PolicyDocument=json.dumps(boundary)
    )
    db = clients["dynamodb"]
    db.create_table(
        TableName=cfg.lockout_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    db.update_time_to_live(
        TableName=cfg.lockout_table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    return env


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "PARAMS", passwords.ScryptParams(log2_n=10, r=8, p=1))


@pytest.fixture(scope="package")
def clients():
    """moto for the tests of this package (torn down after them, so it never meets another
    package's mocks or credentials), and one boto3 client per service."""
    patch = pytest.MonkeyPatch()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        patch.setenv(name, "testing")
    patch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield {name: boto3.client(name, region_name=REGION) for name in SERVICES}
    patch.undo()


@pytest.fixture
def account(clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty AWS account for this test."""
    number = str(next(_ACCOUNTS))
    monkeypatch.setenv("MOTO_ACCOUNT_ID", number)
    return number


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def env(account: str, clients: dict[str, Any]) -> dict[str, str]:
    return provision(env_for(account), clients)


@pytest.fixture
def world(env: dict[str, str], clock: Clock, clients: dict[str, Any]) -> World:
    return build_world(env, clock, clients)
