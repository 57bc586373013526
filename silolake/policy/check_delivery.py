"""When EventBridge Scheduler cannot run a freshness check or start a pipeline: retries, a
dead-letter queue, alarms.

A check that is never invoked publishes no ``FlowLate``, and the ``late`` alarm (missing data:
``ignore``) keeps its last state: a late flow would stay silent. A pipeline Scheduler cannot
start has no execution, so ``-pipeline-failed`` never fires. So each silo's schedules (the
checks' in :func:`health_names.health_schedule_group`, the pipelines' in
:func:`health_names.pipeline_schedule_group`) get

- a retry policy (:data:`CHECK_RETRIES` attempts within :data:`CHECK_MAX_EVENT_AGE` seconds;
  EventBridge Scheduler API Reference, ``RetryPolicy``);
- a dead-letter queue (a standard SQS queue, Scheduler supports no FIFO queue; EventBridge
  Scheduler User Guide, "Configuring a schedule's dead-letter queue"), encrypted with the silo
  key and reachable over TLS only; only the Scheduler roles of the silo's schedules (checks,
  pipelines) may send to it. The queue exists whenever the silo has a flow (every flow has a
  pipeline schedule);
- two alarms to the owners' topic: the queue's ``ApproximateNumberOfMessagesVisible``
  (``AWS/SQS``, ``QueueName``; SQS Developer Guide, "Available CloudWatch metrics for Amazon
  SQS") and both schedule groups' invocation failures in ``AWS/Scheduler`` by ``ScheduleGroup``
  (EventBridge Scheduler User Guide, "Monitoring EventBridge Scheduler with Amazon CloudWatch":
  ``TargetErrorCount``, ``InvocationDroppedCount``, ``InvocationsFailedToBeSentToDeadLetterCount``).

Pure: names come from :mod:`silolake.aws.names`, the alarms are :class:`.health_metrics.Alarm` rows
that :class:`silolake.constructs.health.SiloHealth` renders with the others.
"""

from __future__ import annotations

from ..aws import arns, health_names, names
from ..catalog.model import DeployedSilo
from . import health_metrics as hm
from .documents import Statement
from .freshness import checks

#: Scheduler retries a check it could not invoke (throttling, a transient target error).
CHECK_RETRIES = 3
#: A check not delivered within an hour goes to the dead-letter queue (its verdict would be
#: an hour late; the queue's alarm tells the owners now).
CHECK_MAX_EVENT_AGE = 3600
#: Dead-letter events are kept the SQS maximum, 14 days, for the owners to read the cause.
DLQ_RETENTION_SECONDS = 14 * 86400
#: The Scheduler metrics that mean a check did not run (sums per five minutes).
SCHEDULER_FAILURES = ("TargetErrorCount", "InvocationDroppedCount", "InvocationsFailedToBeSentToDeadLetterCount")


def needs_queue(silo: DeployedSilo) -> bool:
    """Whether ``silo`` has schedules to dead-letter: any flow (its pipeline schedule)."""
    return bool(silo.flows)


def schedule_groups(silo: DeployedSilo) -> list[str]:
    """The silo's schedule groups: the pipelines' (when it has flows), the checks' (when it has expectations)."""
    return [
        *([health_names.pipeline_schedule_group(silo.name)] if silo.flows else []),
        *([health_names.health_schedule_group(silo.name)] if checks(silo) else []),
    ]


def dlq_arn(silo: DeployedSilo) -> str:
    return arns.regional("sqs", silo.region, silo.account_id, health_names.health_dead_letter_queue(silo.name))


def check_function_arn(silo: DeployedSilo) -> str:
    """ARN of the silo's freshness check function (the schedules' target)."""
    return arns.regional(
        "lambda", silo.region, silo.account_id, f"function:{names.etl_silo_name(silo.name, 'freshness')}"
    )


def scheduler_role_arn(silo: DeployedSilo, purpose: str = "health-scheduler") -> str:
    """ARN of the silo's Scheduler role ``purpose``: ``health-scheduler`` (checks) or ``etl-scheduler`` (pipelines)."""
    return arns.role(arns.partition_of(silo.region), silo.account_id, names.silo_role(silo.name, purpose))


def dlq_senders(silo: DeployedSilo) -> list[str]:
    """The Scheduler roles that dead-letter into the silo's queue: the pipelines' and, with
    expectations, the checks'."""
    return [
        *([scheduler_role_arn(silo, "etl-scheduler")] if silo.flows else []),
        *([scheduler_role_arn(silo)] if checks(silo) else []),
    ]


def scheduler_statements(silo: DeployedSilo, key_arn: str) -> list[Statement]:
    """The checks' Scheduler role: decrypt the schedules (silo key), invoke the check, and send a
    failed invocation to the dead-letter queue (SQS encrypts it with the silo key: the sender
    needs ``kms:GenerateDataKey`` and ``kms:Decrypt``, only through SQS)."""
    return [
        {"Sid": "DecryptSchedules", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
        {
            "Sid": "RunChecks",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": check_function_arn(silo),
        },
        *dead_letter_statements(silo, key_arn),
    ]


def dead_letter_statements(silo: DeployedSilo, key_arn: str) -> list[Statement]:
    """A Scheduler role's grant to dead-letter what it could not deliver into the silo's queue
    (SQS encrypts with the silo key: the sender needs ``kms:GenerateDataKey`` and
    ``kms:Decrypt``, only through SQS). The checks' and the pipelines' roles both carry it."""
    return [
        {
            "Sid": "DeadLetterFailedInvocations",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": dlq_arn(silo),
        },
        {
            "Sid": "EncryptDeadLetters",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": arns.service_endpoint("sqs", silo.region)}},
        },
    ]


def dlq_key_statements(silo: DeployedSilo) -> list[Statement]:
    """Silo key policy: EventBridge Scheduler may encrypt dead-letter events into the checks' queue
    only. Scheduler sends with the schedule's role (whose IAM grant, :func:`scheduler_statements`,
    the key's account delegation honours); the Scheduler User Guide ("Troubleshooting") also asks
    the key of an encrypted DLQ to allow the service itself, so this grant is pinned to the silo
    account (``aws:SourceAccount``, against the confused deputy) and to this queue (SQS's
    encryption context ``aws:sqs:arn``)."""
    return [
        {
            "Sid": "SchedulerDeadLetters",
            "Effect": "Allow",
            "Principal": {"Service": arns.service_principal("scheduler", arns.partition_of(silo.region))},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": silo.account_id,
                    "kms:EncryptionContext:aws:sqs:arn": dlq_arn(silo),
                }
            },
        }
    ]


def dlq_queue_statements(silo: DeployedSilo) -> list[Statement]:
    """The queue's policy: TLS only, and nobody but the silo's Scheduler roles (:func:`dlq_senders`)
    sends to it (the owners read it through IAM in the silo account). ``ArnNotEquals`` with
    several values denies a principal that matches none of them."""
    senders = dlq_senders(silo)
    queue = dlq_arn(silo)
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Resource": queue,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "OnlyTheSchedulersSend",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:SendMessage",
            "Resource": queue,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": senders[0] if len(senders) == 1 else senders}},
        },
    ]


def check_delivery_alarms(silo: DeployedSilo) -> list[hm.Alarm]:
    """The two alarms of the schedules' delivery: dead-lettered invocations (checks or pipeline
    starts), and Scheduler's invocation failures in every schedule group of the silo (3 metrics
    per group; a metric math alarm reads at most 10)."""
    failures = tuple(
        (f"m{i}", hm.Metric("AWS/Scheduler", metric, (("ScheduleGroup", group),)))
        for i, (group, metric) in enumerate(
            (group, metric) for group in schedule_groups(silo) for metric in SCHEDULER_FAILURES
        )
    )
    return [
        hm.Alarm(
            name=health_names.health_alarm(silo.name, "silo", "checks-dead-lettered"),
            description=(
                f"silolake: a freshness check or pipeline start of silo '{silo.name}' could not be run; "
                f"its event waits in {health_names.health_dead_letter_queue(silo.name)} "
                "(docs/operations.md#check-delivery)"
            ),
            metrics=(
                (
                    "waiting",
                    hm.Metric(
                        "AWS/SQS",
                        "ApproximateNumberOfMessagesVisible",
                        (("QueueName", health_names.health_dead_letter_queue(silo.name)),),
                        "Maximum",
                    ),
                ),
            ),
            threshold=0,
        ),
        hm.Alarm(
            name=health_names.health_alarm(silo.name, "silo", "checks-not-invoked"),
            description=(
                "silolake: EventBridge Scheduler failed to invoke a freshness check or start a pipeline of "
                f"silo '{silo.name}' (docs/operations.md#check-delivery)"
            ),
            metrics=failures,
            expression=" + ".join(f"FILL({ident}, 0)" for ident, _ in failures),
            threshold=0,
        ),
    ]
