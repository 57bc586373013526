"""``POST /session``: a partner exchanges username and password for temporary AWS credentials.

Same verification as SFTP (:mod:`verify`) for the ``upload`` or ``api`` channel, with the
caller's address taken from API Gateway's ``requestContext.http.sourceIp`` (never from a
header the caller controls). Then ``sts:AssumeRole`` on the partner's role with
``SourceIdentity`` = username (it stays on every CloudTrail event of the session and cannot
be changed by the partner), at most one hour, and a session policy that keeps only what
the granted channels need. Every refusal is the same ``401``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from botocore.exceptions import ClientError

from . import layout, policies
from .config import Config
from .httpapi import ApiError, error_response, json_body, json_response, new_app
from .logs import logger
from .model import SESSION_CHANNELS, Credential, role_arn
from .passwords import MAX_PASSWORD_CHARS
from .verify import Verifier

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["username", "password"],
    "properties": {
        "username": {"type": "string", "minLength": 1, "maxLength": 64},
        "password": {"type": "string", "minLength": 1, "maxLength": MAX_PASSWORD_CHARS},
    },
}


@dataclass
class SessionService:
    cfg: Config
    verifier: Verifier
    sts: Any

    def open(self, username: object, password: object, source_ip: object) -> dict[str, Any]:
        outcome = self.verifier.verify(username, password, source_ip, SESSION_CHANNELS)
        if not outcome.ok or outcome.credential is None:
            raise ApiError(401, "invalid credentials", "refused")  # the same for every cause
        credential = outcome.credential
        try:
            result = self.sts.assume_role(
                RoleArn=role_arn(self.cfg.partition, self.cfg.account_id, credential.username),
                RoleSessionName=f"partner-{credential.username}",
                DurationSeconds=self.cfg.session_duration_seconds,
                SourceIdentity=credential.username,
                Policy=policies.render(policies.session_policy(self.cfg, credential)),
            )
        except ClientError as error:
            # A role still being created (CreateStack is asynchronous) or deleted.
            logger.warning(
                "assume role failed",
                extra={"username": credential.username, "error_code": error.response.get("Error", {}).get("Code")},
            )
            raise ApiError(503, "the credential is not ready yet; try again in a minute", "error") from None
        keys = result["Credentials"]
        return {
            "username": credential.username,
            "credentials": {
                "access_key_id": keys["AccessKeyId"],
                "secret_access_key": keys["SecretAccessKey"],
                "session_token": keys["SessionToken"],
                "expiration": keys["Expiration"].isoformat(),
            },
            "region": self.cfg.region,
            "bucket": self.cfg.dropzone_bucket,
            "prefix": layout.partner_prefix(credential.username),
            "status_prefix": layout.status_prefix(credential.username),
            "channels": [c for c in credential.channels if c in SESSION_CHANNELS],
            "flows": [self._flow(credential.username, name) for name in self._upload_flows(credential)],
        }

    def _upload_flows(self, credential: Credential) -> tuple[str, ...]:
        return policies.allowed_flows(self.cfg, credential, frozenset({"upload"}))

    def _flow(self, username: str, name: str) -> dict[str, Any]:
        """What the upload page shows and where it writes: ``prefix`` = ``<partner>/<flow>/``."""
        info = self.cfg.flow(name)
        assert info is not None  # allowed_flows keeps only the silo's flows
        return {**info.public(), "prefix": layout.flow_prefix(username, name)}


def make_app(service: SessionService) -> APIGatewayHttpResolver:
    app = new_app()

    @app.post("/session")
    def open_session() -> Response:
        try:
            body = json_body(app, SCHEMA, echo_errors=False)
            source_ip = app.current_event.request_context.http.source_ip
            return json_response(200, service.open(body["username"], body["password"], source_ip))
        except ApiError as error:
            return error_response(error)

    return app
