"""The dead-letter queue of a silo's freshness checks (:mod:`silolake.health.check_delivery`).

A standard SQS queue, encrypted with the silo key, TLS only, to which only the checks'
Scheduler role may send. It holds Scheduler's dead-letter events (the failed invocation and
the target's answer), never data; its alarm is rendered with the silo's other alarms.
"""

from __future__ import annotations

from ... import policy
from ...aws import health_names
from ...engine.cdk import Construct, aws
from ...health import check_delivery
from ...policy import dead_letter
from ..context import SiloContext


class CheckDeadLetterQueue(Construct):
    """The queue (attribute ``queue``; ``arn`` for the schedules' ``dead_letter_config``) and its policy."""

    def __init__(self, scope: Construct, id: str, *, ctx: SiloContext) -> None:
        super().__init__(scope, id)
        silo = ctx.silo
        self.queue = aws.sqs_queue.SqsQueue(
            self,
            "queue",
            name=health_names.health_dead_letter_queue(silo.name),
            kms_master_key_id=ctx.key.arn,
            message_retention_seconds=check_delivery.DLQ_RETENTION_SECONDS,
        )
        aws.sqs_queue_policy.SqsQueuePolicy(
            self,
            "policy",
            queue_url=self.queue.url,
            policy=policy.render(policy.document(dead_letter.dlq_queue_statements(silo))),
        )
        self.arn = check_delivery.dlq_arn(silo)
