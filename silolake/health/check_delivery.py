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
that :class:`silolake.constructs.health.SiloHealth` renders with the others; the queue's, its
key's and the Scheduler roles' policies are in :mod:`silolake.policy.dead_letter`.
"""

from __future__ import annotations

from ..aws import arns, health_names, names
from ..catalog.model import DeployedSilo
from . import health_metrics as hm
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
