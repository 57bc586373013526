"""The AWS names of the lake's health: CloudWatch alarms and dashboards, the EventBridge
Scheduler groups and schedules of freshness checks and pipelines, their dead-letter queue, and
the fixed names of CloudWatch's cross-account console.

Like every builder of :mod:`silolake.aws.names`, these derive from catalog values only and
are listed with their AWS rule in :mod:`silolake.aws.name_registry`
(:mod:`silolake.health.health_metrics`, docs/operations.md). Shapes: every builder returns a ``str``.
"""

from __future__ import annotations

import hashlib

from . import name_rules as rules

#: Longest EventBridge Scheduler schedule name: 64 characters of ``[0-9a-zA-Z-_.]``, the rule
#: schedule groups share (:data:`silolake.aws.name_rules.SCHEDULER_GROUP`; CreateSchedule's ``Name``,
#: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
SCHEDULE_MAX = rules.SCHEDULER_GROUP.max_len


#: The role CloudWatch's cross-account console assumes in a source account; AWS fixes this
#: exact name ("Cross-account cross-Region CloudWatch console", CloudWatch User Guide).
CLOUDWATCH_SHARING_ROLE = "CloudWatch-CrossAccountSharingRole"


#: The service-linked role of that feature in the monitoring account (its ARN's path and name are AWS's).
CLOUDWATCH_CROSS_ACCOUNT_SERVICE = "cloudwatch-crossaccount.amazonaws.com"


CLOUDWATCH_CROSS_ACCOUNT_SLR = "AWSServiceRoleForCloudWatchCrossAccount"


def health_alarm(silo: str, subject: str, what: str) -> str:
    """A CloudWatch alarm of a silo: ``silolake-<silo>-<subject>-<what>`` (subject: a flow or ``silo``)."""
    return f"silolake-{silo}-{subject}-{what}"


def health_schedule_group(silo: str) -> str:
    """The EventBridge Scheduler group holding a silo's freshness checks."""
    return f"silolake-{silo}-health"


def pipeline_schedule_group(silo: str) -> str:
    """The EventBridge Scheduler group holding a silo's pipeline schedules (one per flow), so that
    Scheduler's invocation failures of the silo's pipelines have a ``ScheduleGroup`` to alarm on."""
    return f"silolake-{silo}-pipelines"


def health_dead_letter_queue(silo: str) -> str:
    """The SQS queue receiving the freshness checks Scheduler could not invoke (80 characters at most)."""
    return f"silolake-{silo}-health-dlq"


def freshness_schedule(flow: str, partner: str | None = None) -> str:
    """A freshness check's schedule name inside its group: ``<flow>`` or ``<flow>.<partner>``.

    Scheduler allows 64 characters; a longer flow + partner pair keeps the flow's first
    characters and a hash of the pair, so each pair keeps its own, stable name."""
    name = flow if partner is None else f"{flow}.{partner}"
    if len(name) <= SCHEDULE_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: SCHEDULE_MAX - 11]}-{digest}"


#: What each flow alarm watches (``silolake-<silo>-<flow>-<what>``, :mod:`silolake.health.health_metrics`);
#: a partner's freshness alarm is ``late-<partner>``, a function's ``silolake-<silo>-lambda-<function>``.
FLOW_ALARMS = (
    "late",
    "quarantine",
    "reject-ratio",
    "files-rejected",
    "quality",
    "firehose-delivery",
    "firehose-freshness",
    "firehose-conversion",
    "pipeline-failed",
)


#: Silo-wide alarms (subject ``silo``).
#: Silo-wide alarms beside the per-function ones: SFTP sign-in failures, and the freshness checks
#: Scheduler dead-lettered or could not invoke (health/check_delivery.py).
SILO_ALARMS = ("sftp-auth-failures", "checks-dead-lettered", "checks-not-invoked")


def partner_late_alarm(silo: str, flow: str, partner: str) -> str:
    """The freshness alarm of one partner's deliveries to a flow."""
    return health_alarm(silo, flow, f"late-{partner}")


def lambda_alarm(silo: str, function: str) -> str:
    """The errors alarm of one Lambda function of a silo."""
    return health_alarm(silo, "lambda", function)


def silo_dashboard(silo: str) -> str:
    """The CloudWatch dashboard of one silo, in its account."""
    return f"silolake-{silo}"


def organization_dashboard(org: str) -> str:
    """The organization-wide health dashboard, in the datalake account."""
    return f"{org}-silolake-health"
