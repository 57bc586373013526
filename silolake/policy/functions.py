"""Statements every silolake Lambda function's role carries, and the schedulers that start them.

Plain statements, never imports cdktf; ARNs from :mod:`silolake.aws.arns` (partition of the
region). ``constructs/blocks/lambda_function.py`` adds :func:`own_log_statements` and
:func:`runtime_statements` to each function's own statements; the health construct's
scheduler role is :func:`invoke_statements`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..aws import arns
from .documents import Statement


def own_log_statements(region: str, account_id: str, log_group: str) -> list[Statement]:
    """Write the streams of the function's own log group (Lambda creates the streams)."""
    return [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{arns.log_group(region, account_id, log_group)}:log-stream:*",
        }
    ]


def trace_statements() -> list[Statement]:
    """X-Ray trace writes (a traced function or state machine); X-Ray has no resource-level
    permissions, so ``*`` is the only possible resource."""
    return [
        {
            "Sid": "WriteTraces",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        }
    ]


def runtime_statements(key_arn: str, *, environment: bool, tracing: bool) -> list[Statement]:
    """Decrypting the environment (Lambda decrypts it with the execution role's permissions)
    when there is one, and :func:`trace_statements` when traced."""
    statements: list[Statement] = []
    if environment:
        statements.append(
            {"Sid": "DecryptEnvironment", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}
        )
    if tracing:
        statements += trace_statements()
    return statements


def invoke_statements(key_arn: str, function_arns: Sequence[str]) -> list[Statement]:
    """EventBridge Scheduler's role for functions: decrypt the schedules (``key_arn``) and
    invoke ``function_arns`` only."""
    resource: str | list[str] = function_arns[0] if len(function_arns) == 1 else sorted(function_arns)
    return [
        {"Sid": "DecryptSchedules", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
        {"Sid": "RunChecks", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": resource},
    ]
