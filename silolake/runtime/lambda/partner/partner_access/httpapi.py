"""Small helpers shared by the admin and session HTTP APIs (Powertools event handler)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.utilities.validation import SchemaValidationError, validate

#: Responses may carry a password shown exactly once, or temporary credentials: never cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
#: Bodies above this are refused before parsing (the largest valid request is far smaller).
MAX_BODY_CHARS = 8192


class ApiError(Exception):
    """A refusal with an HTTP status and a message safe to show to the caller."""

    def __init__(self, status: int, message: str, result: str = "invalid"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.result = result  # audit result word


def json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, sort_keys=True),
        headers=dict(NO_STORE),
    )


def error_response(error: ApiError) -> Response:
    return json_response(error.status, {"message": error.message})


def new_app() -> APIGatewayHttpResolver:
    # debug=False explicitly: Powertools' debug mode (POWERTOOLS_DEV) prints whole events,
    # request bodies with passwords included, to stdout.
    return APIGatewayHttpResolver(debug=False)


def json_body(app: APIGatewayHttpResolver, schema: dict[str, Any], *, echo_errors: bool = True) -> dict[str, Any]:
    """The request body validated against ``schema`` (Powertools validation, JSON Schema).

    ``ApiError(400)`` with a message naming the field and the rule. With ``echo_errors``
    False (bodies holding a password) the message is generic: schema messages can quote
    the offending value.
    """
    raw = app.current_event.decoded_body or ""
    if len(raw) > MAX_BODY_CHARS:
        raise ApiError(413, "request body too large")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    try:
        validate(event=body, schema=schema)
    except SchemaValidationError as error:
        if not echo_errors:
            raise ApiError(400, "request body must be a JSON object with username and password strings") from None
        message = str(error.validation_message or "invalid request body")
        if message.startswith("data."):
            message = message[len("data.") :]
        elif message.startswith("data "):
            message = "request body " + message[len("data ") :]
        raise ApiError(400, message) from None
    return body
