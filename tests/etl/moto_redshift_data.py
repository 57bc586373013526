"""Test harness only: the Redshift Data API calls of the warehouse load, answered inside moto.

moto 5.2.5 runs ``aws-sdk:*`` tasks of a state machine by calling boto3 in process
(``StateTaskServiceAwsSdk``: ``boto3.client(<service>).<action>(**Parameters)``), so a task
reaches moto's backend like any SDK call. Three gaps keep the warehouse branch
(``aws-sdk:redshiftdata:batchExecuteStatement`` then ``describeStatement`` polling) from running:

1. the service segment of the resource ARN is Step Functions' SDK name ``redshiftdata``;
   boto3 calls the service ``redshift-data`` (moto maps only ``sfn``/``states`` itself);
2. moto's redshift-data backend has no ``BatchExecuteStatement``;
3. its statements stay ``STARTED`` for ever (``DescribeStatement`` never says FINISHED).

:func:`install` closes them, and the interpreter differences below, for one test
(``monkeypatch`` undoes it), and nothing else: the definition, its parameters
(``States.Format`` of every SQL template, ``States.Array``), the Map, the Wait / Choice
polling loop and the catches run as deployed. Each batch is recorded with its SQL
text and answered with a statement that already reached ``status`` (``FINISHED``, or
``FAILED`` like a rolled-back transaction). The polling ``Wait`` states are
recorded instead of slept (``waits``): the interpreter would otherwise sleep the real 10 s.

Intrinsic functions: Step Functions reads the definition as JSON first, then parses an
intrinsic function, where ``\\'`` is a quote and ``\\\\`` a backslash inside a string literal
("Reserved characters in intrinsic functions", Step Functions developer guide). moto parses
the raw JSON token (``\\"`` stays two characters) and keeps the backslash of ``\\'``, so the
load's ``States.Format`` of ``COPY ... FROM \\'s3://...\\'`` breaks. The adapter decodes the JSON
escapes of quote and backslash before the intrinsic parser, and lets the intrinsic parser
read ``\\'`` and ``\\\\`` as AWS does (``\\n`` keeps moto's handling).

Also for the ``aws-sdk:s3:getObject`` task: Step Functions returns the object's ``Body`` as
text, moto's interpreter passes boto3's stream on; the adapter reads it into text the same way.
And service errors get Step Functions' names (``S3.NoSuchKeyException``, which the
definition catches when the conform job has not written its state yet).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.response import StreamingBody
from moto.redshiftdata.models import Statement, redshiftdata_backends
from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_aws_sdk
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import StateTaskService
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
    StateTaskServiceAwsSdk,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.parse import preprocessor as asl_preprocessor
from moto.stepfunctions.parser.asl.parse.intrinsic import preprocessor as intrinsic_preprocessor
from moto.stepfunctions.parser.asl.parse.intrinsic.intrinsic_parser import IntrinsicParser

#: Step Functions' SDK service name -> boto3's.
SDK_TO_BOTO = {"redshiftdata": "redshift-data"}
#: A JSON escape of a quote or a backslash (``\\"``, ``\\\\``), other escapes left to the intrinsic parser.
JSON_QUOTE_OR_BACKSLASH = re.compile(r'\\(["\\])')
#: Error-name prefixes Step Functions gives these services (``S3.NoSuchKeyException``); moto
#: knows only DynamoDB's and SFN's and would say ``s3.NoSuchKeyException``.
ERROR_PREFIXES = {"s3": "S3", "redshiftdata": "RedshiftData"}


@dataclass(frozen=True)
class Batch:
    """One ``BatchExecuteStatement`` call as Redshift would receive it."""

    id: str
    workgroup: str
    database: str
    sqls: tuple[str, ...]


@dataclass
class RedshiftDataRecord:
    batches: list[Batch] = field(default_factory=list)
    waits: list[int] = field(default_factory=list)


def install(monkeypatch: pytest.MonkeyPatch, *, status: str = "FINISHED") -> RedshiftDataRecord:
    """For the rest of the test, in ``mock_aws``: batches succeed (``status="FINISHED"``) or fail
    (``"FAILED"``, like a rolled-back transaction); returns what the load sent and waited."""
    if status not in ("FINISHED", "FAILED"):
        raise ValueError(f"status must be FINISHED or FAILED, got {status!r}")
    record = RedshiftDataRecord()

    def batch_execute_statement(self: RedshiftDataAPIServiceResponse) -> tuple[int, dict, str]:
        sqls = tuple(self._get_param("Sqls"))
        workgroup, database = self._get_param("WorkgroupName"), self._get_param("Database")
        statement = Statement(
            cluster_identifier="",
            database=database,
            db_user="",
            query_parameters=[],
            query_string="; ".join(sqls),
            secret_arn="",
        )
        statement.status = status
        statement.sub_statements = [  # type: ignore[list-item]  # SubStatementData
            {"Id": f"{statement.id}:{i + 1}", "QueryString": sql, "Status": status} for i, sql in enumerate(sqls)
        ]
        redshiftdata_backends[self.current_account][self.region].statements[statement.id] = statement
        record.batches.append(Batch(statement.id, workgroup, database, sqls))
        body = {"Id": statement.id, "CreatedAt": statement.created_at, "Database": database}
        return 200, {}, json.dumps({**body, "WorkgroupName": workgroup})

    original_normalise = StateTaskServiceAwsSdk._normalise_response

    def text_bodies(self: StateTaskServiceAwsSdk, response: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(response, dict):
            for name, value in list(response.items()):
                if isinstance(value, StreamingBody):
                    response[name] = value.read().decode("utf-8")
        original_normalise(self, response, *args, **kwargs)

    def intrinsic_from_json(self: Any, ctx: Any) -> Any:
        raw = ctx.STRINGINTRINSICFUNC().getText()[1:-1]
        derivation = JSON_QUOTE_OR_BACKSLASH.sub(r"\1", raw)
        function, _ = IntrinsicParser.parse(derivation)
        return asl_preprocessor.StringIntrinsicFunction(intrinsic_function_derivation=derivation, function=function)

    moto_unescape = intrinsic_preprocessor.Preprocessor._replace_escaped_characters

    def intrinsic_unescape(match: re.Match[str]) -> str:
        return match.group(1) if match.group(1) in "'\\" else moto_unescape(match)

    def record_wait(self: WaitFunction, env: Any, wait_seconds: int) -> None:
        record.waits.append(wait_seconds)

    for service, prefix in ERROR_PREFIXES.items():
        monkeypatch.setitem(state_task_service_aws_sdk._SERVICE_ERROR_NAMES, service, prefix)
    for sdk_name, boto_name in SDK_TO_BOTO.items():
        monkeypatch.setitem(StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES, sdk_name, boto_name)
    monkeypatch.setattr(
        RedshiftDataAPIServiceResponse, "batch_execute_statement", batch_execute_statement, raising=False
    )
    monkeypatch.setattr(StateTaskServiceAwsSdk, "_normalise_response", text_bodies)
    monkeypatch.setattr(WaitFunction, "_wait_interval", record_wait)
    monkeypatch.setattr(asl_preprocessor.Preprocessor, "visitString_intrinsic_function", intrinsic_from_json)
    monkeypatch.setattr(
        intrinsic_preprocessor.Preprocessor, "_replace_escaped_characters", staticmethod(intrinsic_unescape)
    )
    return record
