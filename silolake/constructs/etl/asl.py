"""The Amazon States Language definition of one flow's pipeline, as plain data.

Pure (never imports cdktf). One state machine per flow::

    RegisterRawPartitions   Athena MSCK REPAIR TABLE <flow>_raw      (athena:startQueryExecution.sync)
    RunKind, CheckRedrive   a scheduled run, or a redrive of named days (Choice)
    Conform | ConformRedrive  the flow's Glue job, waited for        (glue:startJobRun.sync)
    [ReadConformState       the job's processed partitions           (aws-sdk:s3:getObject)
     LoadWarehouse          per partition: one Redshift transaction  (Map of aws-sdk:redshiftdata)]
    RefreshProcessedPartitions  MSCK REPAIR TABLE <flow>_processed
    Succeeded

Partitions are registered *directly* from the known Hive layout (``key=value`` folders)
with Athena's ``MSCK REPAIR TABLE`` rather than by a Glue crawler: the tables are owned by
Terraform (a crawler infers a schema and may rewrite them), Athena charges nothing for
partition DDL while a crawler bills a 10-minute minimum per run, and it needs no polling
loop. It also covers what a per-date ``BatchCreatePartition`` cannot: processed partition
values only the job knows (``partition_by: [day]``) and raw days between two runs of a
monthly schedule.

Redrive: an execution whose input holds ``{"redrive": {"flow": "<this flow>", "days":
["YYYY-MM-DD", ...]}}`` (:mod:`silolake.pipeline_input`) runs ``ConformRedrive``, the same job with the argument
``--redrive_days`` (the days as JSON text), which adds those raw days to the run
(``silolake/runtime/glue/conform/conform_redrive.py``); the warehouse load then replaces
every processed partition the run wrote, those days' included. A ``redrive`` naming another
flow or lacking ``days`` ends in ``RedriveRefused`` before any job starts. Any other input
(the schedule sends ``{"flow": ...}``) runs ``Conform`` without arguments.

Failure handling: throttling and concurrent-run errors are retried with exponential
backoff and jitter (:data:`THROTTLING`, :data:`CONCURRENT_RUNS`); every other error of
every task (the tasks inside ``LoadWarehouse`` through the Map's catch) goes to
``Notify``, which publishes flow, execution, error and cause to the silo's SNS topic and
ends the execution in ``Failed``.

``.sync`` waits for the Glue job run and the Athena query to finish (Step Functions polls
them). :func:`request_response_form` renders the *same* definition with every ``.sync``
resource in its request-response form (start and continue): only moto's interpreter,
which cannot run ``glue:startJobRun.sync``, gets that; the product never does.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ...aws.arns import states_integration
from ...pipeline_input import REDRIVE, REDRIVE_ARGUMENT

State = dict[str, Any]

# Service integrations the pipeline calls; a task's Resource is their ARN in the silo's
# partition (:func:`silolake.aws.arns.states_integration`).
GLUE_SYNC = "glue:startJobRun.sync"
ATHENA_SYNC = "athena:startQueryExecution.sync"
SNS_PUBLISH = "sns:publish"
S3_GET_OBJECT = "aws-sdk:s3:getObject"
REDSHIFT_BATCH = "aws-sdk:redshiftdata:batchExecuteStatement"
REDSHIFT_DESCRIBE = "aws-sdk:redshiftdata:describeStatement"
SYNC_SUFFIX = ".sync"

#: Errors that mean "AWS asked us to slow down": retried with backoff by every task.
THROTTLING = [
    "Glue.ThrottlingException",
    "Athena.TooManyRequestsException",
    "RedshiftData.ThrottlingException",
    "S3.SlowDownException",
    "SNS.ThrottledException",
]
#: The job already runs (max concurrent runs 1: a schedule fired while a rerun was going).
CONCURRENT_RUNS = ["Glue.ConcurrentRunsExceededException"]
#: The conform job has not written its state yet (first run produced nothing): no load.
NO_STATE = ["S3.NoSuchKeyException", "S3.NoSuchKey"]
FAILED_ERROR = "silolake.FlowFailed"
REDRIVE_REFUSED_ERROR = "silolake.RedriveRefused"
LOAD_FAILED_ERROR = "silolake.WarehouseLoadFailed"
#: Seconds between two polls of a warehouse load (Redshift Data API statements are asynchronous).
LOAD_POLL_SECONDS = 10


@dataclass(frozen=True)
class WarehouseLoad:
    """The Redshift side of a ``warehouse: true`` flow.

    ``statements`` are :func:`silolake.constructs.etl.warehouse_sql.load_statements`
    templates; ``partition_by`` names the values filling their ``{}``; ``state_bucket``/
    ``state_key`` locate the conform job's state (its ``processed_partitions``).
    """

    workgroup: str
    database: str
    statements: tuple[str, ...]
    partition_by: tuple[str, ...]
    state_bucket: str
    state_key: str


@dataclass(frozen=True)
class PipelineDefinition:
    """Names one flow's state machine needs; all literal (computed by :mod:`silolake.aws.names`);
    ``partition`` is the silo's (``aws``, ``aws-us-gov``, ...), for the integrations' ARNs."""

    silo: str
    flow: str
    job_name: str
    topic_arn: str
    partition: str
    athena_workgroup: str
    database: str
    raw_table: str
    processed_table: str
    warehouse: WarehouseLoad | None = None


def intrinsic_literal(text: str) -> str:
    """``text`` as a string literal inside an intrinsic function (``'`` ``{`` ``}`` ``\\`` escaped)."""
    for char in "\\'{}":
        text = text.replace(char, "\\" + char)
    return f"'{text}'"


def format_template(template: str, paths: list[str]) -> str:
    """``States.Format`` of a template whose ``{}`` are placeholders (everything else literal)."""
    parts = template.split("{}")
    if len(parts) == 1:
        return intrinsic_literal(template)
    if len(parts) - 1 != len(paths):
        raise ValueError(f"{len(parts) - 1} placeholders for {len(paths)} values")
    body = "{}".join(intrinsic_literal(p)[1:-1] for p in parts)
    return f"States.Format('{body}', {', '.join(paths)})"


def _retry(errors: list[str], interval: int, attempts: int) -> dict[str, Any]:
    return {
        "ErrorEquals": errors,
        "IntervalSeconds": interval,
        "MaxAttempts": attempts,
        "BackoffRate": 2.0,
        "JitterStrategy": "FULL",
    }


THROTTLE_RETRY = _retry(THROTTLING, 5, 6)
CONCURRENT_RETRY = _retry(CONCURRENT_RUNS, 60, 5)
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify"}]


def _task(resource: str, parameters: dict[str, Any], next_state: str, **extra: Any) -> State:
    state: State = {"Type": "Task", "Resource": resource, "Parameters": parameters}
    state.update(extra)
    state.setdefault("ResultPath", None)
    state.setdefault("Retry", [THROTTLE_RETRY])
    state.setdefault("Catch", CATCH_ALL)
    state["Next"] = next_state
    return state


def _repair(spec: PipelineDefinition, table: str, next_state: str) -> State:
    return _task(
        states_integration(spec.partition, ATHENA_SYNC),
        {
            "QueryString": f"MSCK REPAIR TABLE `{table}`",
            "QueryExecutionContext": {"Database": spec.database},
            "WorkGroup": spec.athena_workgroup,
        },
        next_state,
    )


def _load_states(load: WarehouseLoad, partition: str, next_state: str) -> dict[str, State]:
    paths = [f"$.partition.{p}" for p in load.partition_by]
    sqls = ", ".join(format_template(s, paths) for s in load.statements)
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "Load",
        "States": {
            "Load": {
                "Type": "Task",
                "Resource": states_integration(partition, REDSHIFT_BATCH),
                "Parameters": {
                    "WorkgroupName": load.workgroup,
                    "Database": load.database,
                    "Sqls.$": f"States.Array({sqls})",
                },
                "ResultSelector": {"id.$": "$.Id"},
                "ResultPath": "$.load",
                "Retry": [THROTTLE_RETRY],
                "Next": "WaitForLoad",
            },
            "WaitForLoad": {"Type": "Wait", "Seconds": LOAD_POLL_SECONDS, "Next": "CheckLoad"},
            "CheckLoad": {
                "Type": "Task",
                "Resource": states_integration(partition, REDSHIFT_DESCRIBE),
                "Parameters": {"Id.$": "$.load.id"},
                "ResultSelector": {"id.$": "$.Id", "status.$": "$.Status"},
                "ResultPath": "$.load",
                "Retry": [THROTTLE_RETRY],
                "Next": "LoadStatus",
            },
            "LoadStatus": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.load.status", "StringEquals": "FINISHED", "Next": "Loaded"},
                    {
                        "Or": [
                            {"Variable": "$.load.status", "StringEquals": "FAILED"},
                            {"Variable": "$.load.status", "StringEquals": "ABORTED"},
                        ],
                        "Next": "LoadFailed",
                    },
                ],
                "Default": "WaitForLoad",
            },
            "Loaded": {"Type": "Succeed"},
            "LoadFailed": {
                "Type": "Fail",
                "Error": LOAD_FAILED_ERROR,
                "Cause": "A Redshift load transaction failed (rolled back); see the statement in the Data API.",
            },
        },
    }
    return {
        "ReadConformState": _task(
            states_integration(partition, S3_GET_OBJECT),
            {"Bucket": load.state_bucket, "Key": load.state_key},
            "LoadWarehouse",
            ResultSelector={"state.$": "States.StringToJson($.Body)"},
            ResultPath="$.conform",
            Catch=[{"ErrorEquals": NO_STATE, "ResultPath": None, "Next": next_state}, *CATCH_ALL],
        ),
        "LoadWarehouse": {
            "Type": "Map",
            "ItemsPath": "$.conform.state.processed_partitions",
            "ItemSelector": {"partition.$": "$$.Map.Item.Value"},
            # One partition at a time: the transactions write the same table.
            "MaxConcurrency": 1,
            "ItemProcessor": processor,
            "ResultPath": None,
            "Catch": CATCH_ALL,
            "Next": next_state,
        },
    }


def notify_message(spec: PipelineDefinition) -> str:
    template = f"silolake: flow {spec.flow} of silo {spec.silo} failed.\nExecution: {{}}\nError: {{}}\nCause: {{}}"
    return format_template(template, ["$$.Execution.Id", "$.error.Error", "$.error.Cause"])


def _run_kind(spec: PipelineDefinition) -> dict[str, State]:
    """Choose the scheduled run or a redrive. Two Choice states, because a Choice rule reading a path
    that is absent fails the execution (``States.Runtime``): presence is tested before the value."""
    refused = (
        f'A redrive input must be {{"{REDRIVE}": {{"flow": "{spec.flow}", "days": ["YYYY-MM-DD", ...]}}}} '
        "(use silolake redrive); no job was started."
    )
    return {
        "RunKind": {
            "Type": "Choice",
            "Choices": [
                {"Variable": f"$.{REDRIVE}.flow", "IsPresent": True, "Next": "CheckRedrive"},
                {"Variable": f"$.{REDRIVE}", "IsPresent": True, "Next": "RedriveRefused"},
            ],
            "Default": "Conform",
        },
        "CheckRedrive": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": f"$.{REDRIVE}.flow", "StringEquals": spec.flow},
                        {"Variable": f"$.{REDRIVE}.days", "IsPresent": True},
                    ],
                    "Next": "ConformRedrive",
                }
            ],
            "Default": "RedriveRefused",
        },
        "RedriveRefused": {"Type": "Fail", "Error": REDRIVE_REFUSED_ERROR, "Cause": refused},
    }


def definition(spec: PipelineDefinition) -> dict[str, Any]:
    """The state machine definition of one flow (states and order in the module docstring)."""
    after_conform = "ReadConformState" if spec.warehouse else "RefreshProcessedPartitions"

    def conform(arguments: dict[str, str]) -> State:
        return _task(
            states_integration(spec.partition, GLUE_SYNC),
            {"JobName": spec.job_name, **({"Arguments": arguments} if arguments else {})},
            after_conform,
            ResultPath="$.conform_run",
            Retry=[CONCURRENT_RETRY, THROTTLE_RETRY],
        )

    states: dict[str, State] = {
        "RegisterRawPartitions": _repair(spec, spec.raw_table, "RunKind"),
        **_run_kind(spec),
        "Conform": conform({}),
        "ConformRedrive": conform({f"{REDRIVE_ARGUMENT}.$": f"States.JsonToString($.{REDRIVE}.days)"}),
    }
    if spec.warehouse:
        states.update(_load_states(spec.warehouse, spec.partition, "RefreshProcessedPartitions"))
    states["RefreshProcessedPartitions"] = _repair(spec, spec.processed_table, "Succeeded")
    states["Succeeded"] = {"Type": "Succeed"}
    states["Notify"] = _task(
        states_integration(spec.partition, SNS_PUBLISH),
        {
            "TopicArn": spec.topic_arn,
            "Subject": f"silolake: {spec.silo}/{spec.flow} failed"[:100],
            "Message.$": notify_message(spec),
        },
        "Failed",
        Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notify_error", "Next": "Failed"}],
    )
    states["Failed"] = {"Type": "Fail", "Error": FAILED_ERROR, "Cause": "A step failed; the silo's topic was notified."}
    return {
        "Comment": f"silolake pipeline of flow '{spec.flow}' in silo '{spec.silo}'",
        "StartAt": "RegisterRawPartitions",
        "States": states,
    }


def request_response_form(definition: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``definition`` with every ``.sync`` Task resource in request-response form.

    For moto only: its interpreter fails ``glue:startJobRun.sync`` with ``States.Runtime``.
    The difference: a request-response task succeeds once the run *starts*, so a job that
    fails later would not reach ``Notify`` here while it does in AWS (see ``docs/etl.md``).
    """
    out = copy.deepcopy(definition)

    def walk(states: dict[str, State]) -> None:
        for state in states.values():
            resource = state.get("Resource", "")
            if state.get("Type") == "Task" and resource.endswith(SYNC_SUFFIX):
                state["Resource"] = resource[: -len(SYNC_SUFFIX)]
            for nested in ("ItemProcessor", "Iterator"):
                if nested in state:
                    walk(state[nested]["States"])
            for branch in state.get("Branches", ()):
                walk(branch["States"])

    walk(out["States"])
    return out
