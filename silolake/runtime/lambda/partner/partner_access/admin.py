"""Admin API of a silo's staff: create, list, rotate and revoke partner credentials.

Routes (HTTP API behind a Cognito JWT authorizer; the caller is read from the JWT claims
API Gateway verified and put in the authorizer context): ``POST /credentials``,
``GET /credentials``, ``POST /credentials/{username}/rotate``,
``DELETE /credentials/{username}``. Request and response shapes: ``README.md``.

Every change request (create, rotate, revoke), accepted or refused, emits exactly one
audit event: ``{"audit": {"actor", "action", "username", "result", "detail"}}``. It never
holds a password or hash, and the username only when it is a valid one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from . import passwords, policies
from .config import Config
from .httpapi import ApiError, error_response, json_body, json_response, new_app
from .logs import logger
from .model import MAX_CIDRS, TAG_VALUE_MAX, USERNAME, Credential, isoformat, parse_network, valid_username
from .store import CredentialExists, CredentialNotFound, CredentialStore

#: JWT claims tried in order to name the caller in audit events and the created-by tag.
ACTOR_CLAIMS = ("email", "cognito:username", "username", "sub")
ONCE = "Store this password now: it is shown only once and cannot be retrieved later."


def create_schema(cfg: Config) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["username", "expiry_days", "channels"],
        "properties": {
            "username": {"type": "string", "pattern": USERNAME.pattern},
            "expiry_days": {"type": "integer", "minimum": 1, "maximum": cfg.max_days},
            "channels": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": sorted(cfg.channels)}},
            "flows": {
                "type": "array",
                "uniqueItems": True,
                "items": {"enum": sorted(f.name for f in cfg.flows) or [""]},
            },
            "cidrs": {
                "type": "array",
                "maxItems": MAX_CIDRS,
                "uniqueItems": True,
                "items": {"type": "string", "minLength": 1, "maxLength": 43},
            },
        },
    }


def check_cidrs(cfg: Config, items: list[str]) -> tuple[str, ...]:
    """Canonical CIDR strings, each inside one of the silo's allowed CIDRs when those are set."""
    result = []
    for item in items:
        try:
            network = parse_network(item)
        except ValueError:
            raise ApiError(
                400,
                f"cidrs: {item!r} is not a network in CIDR notation with the host bits zero, "
                "for example 203.0.113.0/24",
            ) from None
        if cfg.allowed_cidrs and not any(
            network.version == silo.version and network.subnet_of(silo)  # type: ignore[arg-type]
            for silo in cfg.allowed_cidrs
        ):
            allowed = ", ".join(str(n) for n in cfg.allowed_cidrs)
            raise ApiError(400, f"cidrs: {network} is not inside the silo's allowed CIDRs ({allowed})")
        result.append(str(network))
    if len(" ".join(result)) > TAG_VALUE_MAX:
        raise ApiError(400, f"cidrs: together they must fit in {TAG_VALUE_MAX} characters (space-separated)")
    return tuple(result)


def check_flows(cfg: Config, channels: tuple[str, ...], requested: list[str] | None) -> tuple[str, ...]:
    """The credential's flows: ``requested`` (default: every flow of ``channels``), each one
    arriving through a granted channel, and at least one per granted channel; in catalog order."""
    offered = cfg.flows_of(channels)
    if requested is None:
        chosen = offered
    else:
        stray = [f for f in requested if f not in offered]
        if stray:
            raise ApiError(400, f"flows: {', '.join(stray)} does not arrive through the granted channels")
        chosen = tuple(f for f in offered if f in requested)
    for channel in channels:
        if not cfg.flows_of((channel,)):
            continue  # a channel without flows of its own (none in the catalog) grants nothing to pick
        if not any(f in chosen for f in cfg.flows_of((channel,))):
            raise ApiError(400, f"flows: name at least one flow of the channel {channel}")
    if len(" ".join(chosen)) > TAG_VALUE_MAX:
        raise ApiError(400, f"flows: together they must fit in {TAG_VALUE_MAX} characters (space-separated)")
    return chosen


@dataclass
class AdminService:
    cfg: Config
    store: CredentialStore
    clock: Callable[[], datetime]

    def create(self, actor: str, body: dict[str, Any]) -> tuple[Credential, str]:
        if self.cfg.decommissioned:
            raise ApiError(403, "this silo is decommissioned: no new credentials", "refused")
        channels = tuple(sorted(body["channels"]))
        flows = check_flows(self.cfg, channels, body.get("flows"))
        cidrs = check_cidrs(self.cfg, body.get("cidrs", []))
        now = self.clock()
        password = passwords.generate()
        credential = Credential(
            username=body["username"],
            channels=channels,
            cidrs=cidrs,
            expires_at=now + timedelta(days=int(body["expiry_days"])),
            created_at=now,
            created_by=actor,
            password_hash=passwords.hash_password(password),
            flows=flows,
        )
        too_long = policies.oversized(self.cfg, credential)
        if too_long:
            raise ApiError(400, f"flows: {too_long}; name fewer flows (or give them shorter names)")
        try:
            self.store.create(credential)
        except CredentialExists:
            raise ApiError(409, f"a credential named {credential.username} already exists", "conflict") from None
        return credential, password

    def rotate(self, username: str) -> tuple[Credential, str]:
        if self.cfg.decommissioned:
            raise ApiError(403, "this silo is decommissioned: no new passwords", "refused")
        current = self.store.read(username)
        if current is not None and current.expired(self.clock()):
            raise ApiError(409, f"the credential {username} has expired: revoke it and create a new one", "conflict")
        password = passwords.generate()
        try:
            credential = self.store.rotate(username, passwords.hash_password(password))
        except CredentialNotFound:
            raise ApiError(404, f"no credential named {username}", "not_found") from None
        return credential, password

    def revoke(self, username: str) -> None:
        # Allowed on a decommissioned silo too: revoking only ever removes access.
        try:
            self.store.delete(username)
        except CredentialNotFound:
            raise ApiError(404, f"no credential named {username}", "not_found") from None


def actor_of(app: APIGatewayHttpResolver) -> str:
    """The signed-in staff member, from the JWT claims; ``ApiError(401)`` without any."""
    try:
        claims = app.current_event.request_context.authorizer.jwt_claim or {}
    except (AttributeError, KeyError, TypeError):
        claims = {}
    for name in ACTOR_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    raise ApiError(401, "sign-in required", "unauthenticated")


def make_app(service: AdminService) -> APIGatewayHttpResolver:
    app = new_app()

    def change(action: str, username: str | None, work: Callable[[str], Response]) -> Response:
        """Run one change and emit its single audit event, whatever happens."""
        actor, result, detail = "(unknown)", "error", ""
        try:
            actor = actor_of(app)
            response = work(actor)
            result = "success"
            return response
        except ApiError as error:
            result, detail = error.result, error.message
            return error_response(error)
        finally:
            shown = username if valid_username(username) else "(invalid)"
            logger.info(
                "audit",
                extra={
                    "audit": {"actor": actor, "action": action, "username": shown, "result": result, "detail": detail}
                },
            )

    @app.post("/credentials")
    def create() -> Response:
        def work(actor: str) -> Response:
            body = json_body(app, create_schema(service.cfg))
            credential, password = service.create(actor, body)
            return json_response(201, {"credential": credential.public(), "password": password, "notice": ONCE})

        # For the audit line only (change() shows it only if it is a valid username).
        try:
            raw = app.current_event.json_body
        except (ValueError, TypeError):
            raw = None
        return change("create", raw.get("username") if isinstance(raw, dict) else None, work)

    @app.get("/credentials")
    def list_credentials() -> Response:
        try:
            actor_of(app)
        except ApiError as error:
            return error_response(error)
        return json_response(
            200,
            {
                "credentials": service.store.listing(),
                "flows": [f.public() for f in service.cfg.flows],
                "now": isoformat(service.clock()),
            },
        )

    @app.post("/credentials/<username>/rotate")
    def rotate(username: str) -> Response:
        def work(actor: str) -> Response:
            if not valid_username(username):
                raise ApiError(400, "username in the path is not a valid partner username")
            credential, password = service.rotate(username)
            return json_response(200, {"credential": credential.public(), "password": password, "notice": ONCE})

        return change("rotate", username, work)

    @app.delete("/credentials/<username>")
    def revoke(username: str) -> Response:
        def work(actor: str) -> Response:
            if not valid_username(username):
                raise ApiError(400, "username in the path is not a valid partner username")
            service.revoke(username)
            return json_response(200, {"username": username, "revoked": True})

        return change("revoke", username, work)

    return app
