"""The policies of the dead-letter path of check delivery (:mod:`silolake.health.check_delivery`): what the Scheduler
roles may invoke and send, the dead-letter queue's policy (TLS only, the silo's Scheduler roles
only) and what its key admits (SQS, for this queue only). Plain statements, never cdktf."""

from __future__ import annotations

from ..aws import arns
from ..catalog.model import DeployedSilo
from ..health.check_delivery import check_function_arn, dlq_arn, dlq_senders
from .documents import Statement


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
