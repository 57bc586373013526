"""What the ingestion API accepts and how it turns a request into a Firehose call.

Pure data (no cdktf): the request models are JSON Schema (draft 4, the dialect API
Gateway validates with) and the mapping templates are Velocity (VTL) text. Keeping them
here lets tests validate envelopes with ``jsonschema`` and render the templates with a
small evaluator, without synthesizing anything.

Partners post an *envelope* (``{"record": {...}}`` or ``{"records": [...]}``) rather
than the bare record, so the API can grow (metadata, idempotency keys) without
breaking callers. The gateway checks only the envelope: field-level typing is the job
of Firehose's Parquet conversion against the flow's Glue table, which routes a record
that does not fit to the flow's error prefix instead of rejecting a whole batch.
"""

from __future__ import annotations

import json

#: Firehose limits (per record before base64, per PutRecordBatch call).
RECORD_MAX_BYTES = 1_000 * 1024
BATCH_MAX_RECORDS = 500
BATCH_MAX_BYTES = 4 * 1024 * 1024

#: Resource path segments under ``/flows/{flow}/`` and the Firehose action each calls.
SINGLE_PATH = "records"
BATCH_PATH = "batch"
ACTIONS = {SINGLE_PATH: "PutRecord", BATCH_PATH: "PutRecordBatch"}


def resource_path(flow: str, kind: str = SINGLE_PATH) -> str:
    """``/flows/<flow>/<kind>``: where partners post a flow's records."""
    return f"/flows/{flow}/{kind}"


_RECORD = {"type": "object", "minProperties": 1, "description": "one row of the flow, as a JSON object"}


def record_model() -> dict:
    """Request model of ``POST /flows/<flow>/records``."""
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "Record",
        "type": "object",
        "required": ["record"],
        "additionalProperties": False,
        "properties": {"record": _RECORD},
    }


def batch_model() -> dict:
    """Request model of ``POST /flows/<flow>/batch`` (at most one PutRecordBatch)."""
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "RecordBatch",
        "type": "object",
        "required": ["records"],
        "additionalProperties": False,
        "properties": {
            "records": {"type": "array", "minItems": 1, "maxItems": BATCH_MAX_RECORDS, "items": _RECORD},
        },
    }


def render_model(model: dict) -> str:
    return json.dumps(model, sort_keys=True, indent=None, separators=(",", ":"))


# Firehose's Data blob is base64 of the bytes to deliver. Each record gets a trailing
# newline so that anything Firehose writes unconverted (the error prefix) is JSON Lines.
# Velocity 1.7, which API Gateway runs, has no escape sequences in string literals:
# "...\n" would append a backslash and an "n". The newline is therefore decoded from
# base64 ("Cg==" is one LF), which is unambiguous and survives any template reformatting.
_NEWLINE = '#set($nl = $util.base64Decode("Cg=="))\n'


def put_record_template(stream: str) -> str:
    """Integration request template: envelope -> Firehose ``PutRecord`` JSON."""
    return (
        _NEWLINE
        + "#set($data = \"$input.json('$.record')$nl\")\n"
        + '{"DeliveryStreamName":'
        + json.dumps(stream)
        + ',"Record":{"Data":"$util.base64Encode($data)"}}\n'
    )


def put_record_batch_template(stream: str) -> str:
    """Integration request template: envelope -> Firehose ``PutRecordBatch`` JSON.

    ``$input.path`` yields Java maps whose string form is not JSON, so each element is
    re-read as JSON through ``$input.json`` by index (``$foreach.index``, 0-based).
    """
    return (
        _NEWLINE
        + '{"DeliveryStreamName":'
        + json.dumps(stream)
        + ',"Records":[\n'
        + "#foreach($record in $input.path('$.records'))\n"
        + '#set($path = "$.records[$foreach.index]")\n'
        + '#set($data = "$input.json($path)$nl")\n'
        + '{"Data":"$util.base64Encode($data)"}#if($foreach.hasNext),#end\n'
        + "#end\n"
        + "]}\n"
    )


# Integration responses. API Gateway selects them by the regex on Firehose's HTTP status.
# Error bodies carry Firehose's error type but not its message, which can name internal
# resources (stream and key ARNs).
SUCCESS_TEMPLATES = {
    SINGLE_PATH: '{"recordId":"$input.path(\'$.RecordId\')"}',
    # Partial failure is a 200 with FailedPutCount > 0: entries come back in request
    # order with RecordId or ErrorCode, so callers resend exactly the failed ones.
    BATCH_PATH: "$input.json('$')",
}
ERROR_RESPONSES = (
    # (selection pattern on Firehose's status, status returned to the caller, body)
    ("4\\d{2}", "400", '{"error":"$input.path(\'$.__type\')","retryable":false}'),
    ("5\\d{2}", "503", '{"error":"$input.path(\'$.__type\')","retryable":true}'),
)

#: Body of API Gateway's own "invalid request body" response: says what was wrong.
BAD_REQUEST_BODY_TEMPLATE = '{"error":"BadRequestBody","message":"$context.error.validationErrorString"}'

#: One JSON object per request in the access log (fields of ``$context``).
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "extendedRequestId": "$context.extendedRequestId",
        "requestTime": "$context.requestTime",
        "sourceIp": "$context.identity.sourceIp",
        "caller": "$context.identity.caller",
        "userArn": "$context.identity.userArn",
        "accountId": "$context.identity.accountId",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "path": "$context.path",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationStatus": "$context.integration.status",
        "integrationLatency": "$context.integration.latency",
        "errorMessage": "$context.error.message",
    },
    separators=(",", ":"),
)
