"""``silolake portal``: a silo's whole partner flow on 127.0.0.1, before deploying.

What runs is what a deployment runs, minus AWS: moto's server stands in for the silo
account (created with the framework's names, boundary and function environment), the
real ``silolake/runtime/lambda/partner`` handlers answer behind a small HTTP adapter that builds API
Gateway (HTTP API, payload 2.0) events, and the built partner pages (``silolake/runtime/pages/``) are served with
the production security headers. The real landing function decides about each uploaded file
(:mod:`.portal_landing`), so the upload page shows its verdict. Two honest differences, both
printed at start:

- staff sign in through a **local stand-in for Cognito** (an e-mail, no password, no MFA)
  that exists only here; a deployed silo uses its Cognito user pool;
- ``127.0.0.1/32`` is added to the silo's allowed CIDRs so this machine may sign in, and
  moto does not enforce IAM (confinement is proven by the IAM engine tests instead).

Needs the ``portal`` extra (moto's server, Powertools): ``pip install 'silolake[portal]'``
(the ``dev`` extra has them too).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from ..aws import arns, names, partner_access_names
from ..catalog.model import Catalog, Silo
from ..channels import UPLOAD
from ..partner_runtime import CONFIG_FILE, CORS_METHODS, build_site, content_type, function_environment, runtime_config
from ..policy import partner as partner_policy
from ..policy.documents import to_json
from ..runtime import runtime_path
from .portal_landing import provision_landing, start_landing

PARTNER_SRC = runtime_path("lambda", "partner")
#: Top-level modules the portal needs beyond the framework's dependencies (the ``portal`` extra).
REQUIREMENTS = ("moto", "aws_lambda_powertools")
LOCAL_ACCOUNT = "123456789012"
LOCAL_CIDR = "127.0.0.1/32"
API_PREFIX = "/api"


def missing_requirements() -> list[str]:
    """The modules of :data:`REQUIREMENTS` this Python cannot import."""
    return [name for name in REQUIREMENTS if importlib.util.find_spec(name) is None]


@dataclass(frozen=True)
class Portal:
    pages_url: str
    admin_url: str
    aws_url: str
    bucket: str
    region: str
    stop: Callable[[], None]


def _load_handler() -> ModuleType:
    """``silolake/runtime/lambda/partner/handler.py`` as Lambda loads it (its folder is the import root)."""
    if str(PARTNER_SRC) not in sys.path:
        sys.path.insert(0, str(PARTNER_SRC))
    spec = importlib.util.spec_from_file_location("silolake_portal_partner_handler", PARTNER_SRC / "handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def boto3_client(service: str, region: str) -> Any:
    import boto3

    return boto3.client(service, region_name=region)


class _Context:
    """The Lambda context attributes Powertools reads."""

    function_version = "$LATEST"
    memory_limit_in_mb = 1769
    aws_request_id = "local"
    log_stream_name = "local"

    def __init__(self, function_name: str, region: str) -> None:
        self.function_name = function_name
        self.invoked_function_arn = arns.regional("lambda", region, LOCAL_ACCOUNT, f"function:{function_name}")
        self.log_group_name = names.lambda_log_group(function_name)


def _provision(org: str, silo: Silo, region: str, origin: str) -> tuple[dict[str, str], Any]:
    """Create what Terraform would in the silo account; return the functions' environment
    and the landing function's configuration."""

    def client(service: str) -> Any:
        return boto3_client(service, region)

    bucket = names.silo_bucket(org, silo.name, "dropzone", LOCAL_ACCOUNT, region)
    key_arn = client("kms").create_key(Description=f"silolake-{silo.name}-data")["KeyMetadata"]["Arn"]
    s3 = client("s3")
    s3.create_bucket(
        Bucket=bucket,
        **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}),
    )
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [origin],
                    "AllowedMethods": CORS_METHODS,
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                }
            ]
        },
    )
    boundary = partner_policy.boundary_document(region=region, bucket=bucket, key_arn=key_arn)
    iam = client("iam")
    iam.create_policy(
        PolicyName=partner_access_names.partner_boundary(silo.name), Path="/silolake/", PolicyDocument=to_json(boundary)
    )
    partition = arns.partition_of(region)
    boundary_arn = arns.customer_policy(
        partition, LOCAL_ACCOUNT, partner_access_names.partner_boundary(silo.name), "/silolake/"
    )
    roles = {}
    for purpose, service in (
        ("partner-cfn", arns.service_principal("cloudformation", partition)),
        ("partner-session", arns.service_principal("lambda", partition)),
    ):
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        roles[purpose] = iam.create_role(
            RoleName=names.silo_role(silo.name, purpose), AssumeRolePolicyDocument=to_json(trust)
        )["Role"]["Arn"]
    table = partner_access_names.partner_lockout_table(org, silo.name)
    db = client("dynamodb")
    db.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    db.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    env = function_environment(
        org=org,
        silo=silo,
        dropzone_bucket=bucket,
        key_arn=key_arn,
        flow_api_arns=[],
        allowed_cidrs=[*silo.ingestion.sftp_allowed_cidrs, LOCAL_CIDR] if silo.ingestion.sftp_allowed_cidrs else [],
    )
    # No SFTP server and no flow API run locally: the portal offers the web upload channel.
    env["CHANNELS"] = UPLOAD.name
    env.update(
        PERMISSIONS_BOUNDARY_ARN=boundary_arn,
        CFN_ROLE_ARN=roles["partner-cfn"],
        SESSION_ROLE_ARN=roles["partner-session"],
        LOCKOUT_TABLE=table,
    )
    return env, provision_landing(org, silo, region, LOCAL_ACCOUNT, key_arn, client)


def _security_headers(aws_url: str) -> dict[str, str]:
    """The production response-headers policy, with the local endpoints in ``connect-src``."""
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {aws_url}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def http_event(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: str | None,
    source_ip: str,
    claims: dict[str, str] | None,
) -> dict[str, Any]:
    """An API Gateway HTTP API event (payload format 2.0), as the deployed routes deliver it;
    ``claims`` stand for what the JWT authorizer passes on (``None``: no valid token)."""
    context: dict[str, Any] = {
        "accountId": LOCAL_ACCOUNT,
        "apiId": "local",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip},
        "requestId": secrets.token_hex(8),
        "routeKey": f"{method} {path}",
        "stage": "$default",
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": context["routeKey"],
        "rawPath": path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": context,
        "body": body,
        "isBase64Encoded": False,
    }


def _static(site_root: Path, config: dict, path: str) -> tuple[int, bytes, str]:
    """``(status, body, content type)`` of a page, or of the portal's ``config.json``."""
    name = path.lstrip("/") or "index.html"
    if name == CONFIG_FILE:
        return 200, json.dumps(config).encode(), content_type(CONFIG_FILE)
    file = (site_root / name).resolve()
    if site_root.resolve() not in file.parents or not file.is_file():
        return 404, b"not found", "text/plain"
    return 200, file.read_bytes(), content_type(name)


def _adapter(
    site_root: Path, config: dict, handler: ModuleType, headers: dict[str, str], org: str, silo: str, region: str
) -> type[BaseHTTPRequestHandler]:
    staff_tokens: dict[str, str] = {}
    lock = threading.Lock()  # the handlers' lru_cache'd wiring is built once; calls are serialised

    class Adapter(BaseHTTPRequestHandler):
        server_version = "silolake-portal"

        def log_message(self, format: str, *args: Any) -> None:  # request lines, never bodies
            sys.stderr.write(f"portal: {self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n")

        def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in {**headers, **(extra or {}), "Content-Type": ctype, "Content-Length": str(len(body))}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith(API_PREFIX):
                return self._api()
            self._send(*_static(site_root, config, path))

        def do_POST(self) -> None:
            self._api()

        def do_DELETE(self) -> None:
            self._api()

        def _api(self) -> None:
            url = urlsplit(self.path)
            path = url.path[len(API_PREFIX) :] if url.path.startswith(API_PREFIX) else ""
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else None
            if path == "/local-sign-in" and self.command == "POST":
                return self._local_sign_in(body)
            if path == "/session":
                function, kind = handler.session_handler, "session"
            elif path.startswith("/credentials"):
                function, kind = handler.admin_handler, "admin"
            else:
                return self._send(404, b'{"message": "not found"}', "application/json")
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            claims = {"email": staff_tokens[token]} if kind == "admin" and token in staff_tokens else None
            event = http_event(
                self.command, path, url.query, dict(self.headers.items()), body, self.client_address[0], claims
            )
            with lock:
                result = function(event, _Context(partner_access_names.partner_function(org, silo, kind), region))
            self._send(
                result["statusCode"],
                (result.get("body") or "").encode(),
                result.get("headers", {}).get("Content-Type", "application/json"),
                {k: v for k, v in (result.get("headers") or {}).items() if k.lower() == "cache-control"},
            )

        def _local_sign_in(self, body: str | None) -> None:
            try:
                email = str(json.loads(body or "{}")["email"]).strip()
            except (ValueError, KeyError, TypeError):
                email = ""
            if "@" not in email:
                return self._send(400, b'{"message": "an e-mail address is required"}', "application/json")
            token = secrets.token_urlsafe(24)
            staff_tokens[token] = email
            self._send(200, json.dumps({"token": token, "email": email}).encode(), "application/json")

    return Adapter


@contextmanager
def run(catalog: Catalog, silo_name: str, *, port: int = 0, aws_port: int = 0) -> Iterator[Portal]:
    """Start moto and the portal on 127.0.0.1 (``0`` = any free port); stop both on exit.

    Raises ``KeyError`` for an unknown silo, ``ValueError`` for a silo without web upload.
    """
    silo = catalog.silo(silo_name)
    if not silo.ingestion.web_upload_enabled:
        raise ValueError(f"silo '{silo_name}' does not enable ingestion.web_upload; the portal shows the upload page")
    region, org = silo.region, catalog.organization.name
    for var, value in {
        "AWS_ACCESS_KEY_ID": "portal",
        "AWS_SECRET_ACCESS_KEY": "portal",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "MOTO_ACCOUNT_ID": LOCAL_ACCOUNT,
    }.items():
        os.environ[var] = value
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port, verbose=False)
    moto.start()
    try:
        aws_host, aws_port_used = moto.get_host_and_port()
        aws_url = f"http://{aws_host}:{aws_port_used}"
        os.environ["AWS_ENDPOINT_URL"] = aws_url
        server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        env, landing = _provision(org, silo, region, origin)
        os.environ.update(env)
        handler = _load_handler()
        config = runtime_config(
            region=region,
            api_url=f"{origin}{API_PREFIX}",
            bucket=env["DROPZONE_BUCKET"],
            bucket_url=f"{aws_url}/{env['DROPZONE_BUCKET']}",
            user_pool_id="local",
            client_id="local",
            auth_url=origin,
            channels=env["CHANNELS"].split(","),
            local_sign_in=True,
        )
        site = build_site()
        server.RequestHandlerClass = _adapter(
            site.root, config, handler, _security_headers(aws_url), org, silo.name, region
        )
        thread = threading.Thread(target=server.serve_forever, name="portal", daemon=True)
        thread.start()
        stop_landing = start_landing(env["DROPZONE_BUCKET"], landing, boto3_client("s3", region))
        try:
            yield Portal(f"{origin}/", f"{origin}/admin.html", aws_url, env["DROPZONE_BUCKET"], region, server.shutdown)
        finally:
            stop_landing()
            server.shutdown()
            server.server_close()
    finally:
        moto.stop()
