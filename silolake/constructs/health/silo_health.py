"""Alarms, freshness checks and the dashboard of one silo (module docstring of the package)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...aws import health_names, names
from ...engine.cdk import Construct, aws
from ...health import check_delivery, dashboards, freshness
from ...health import health_metrics as hm
from ...policy import dead_letter, health_sharing
from ..blocks.lambda_function import LAMBDA_SRC, LambdaFunction
from ..blocks.service_role import service_role
from ..context import SiloContext
from .check_dlq import CheckDeadLetterQueue

SOURCE = LAMBDA_SRC / "freshness"
#: The chat forwarder (``silos[].alerts.webhook_secret``), deployed by :class:`ChatForwarder`.
NOTIFY_SOURCE = LAMBDA_SRC / "notify"


def alarm_arguments(alarm: hm.Alarm, topic_arn: str) -> dict[str, Any]:
    """``aws_cloudwatch_metric_alarm`` arguments of ``alarm``: the single metric's fields, or
    ``metric_query`` blocks (the metrics, then the expression that alone returns data; typed
    structs, as the engine converts only the first level of plain mappings)."""
    common: dict[str, Any] = {
        "alarm_name": alarm.name,
        "alarm_description": alarm.description,
        "comparison_operator": alarm.comparison,
        "threshold": alarm.threshold,
        "evaluation_periods": alarm.evaluation_periods,
        "treat_missing_data": alarm.treat_missing,
        "alarm_actions": [topic_arn],
        "ok_actions": [topic_arn],
    }
    if alarm.expression is None:
        ((_, metric),) = alarm.metrics
        return {
            **common,
            "namespace": metric.namespace,
            "metric_name": metric.name,
            "dimensions": metric.dimension_map or None,
            "statistic": metric.stat,
            "period": metric.period,
        }
    typed = aws.cloudwatch_metric_alarm
    queries = [
        typed.CloudwatchMetricAlarmMetricQuery(
            id=ident,
            return_data=False,
            metric=typed.CloudwatchMetricAlarmMetricQueryMetric(
                namespace=m.namespace,
                metric_name=m.name,
                dimensions=m.dimension_map,
                stat=m.stat,
                period=m.period,
            ),
        )
        for ident, m in alarm.metrics
    ]
    queries.append(
        typed.CloudwatchMetricAlarmMetricQuery(
            id="verdict", expression=alarm.expression, label=alarm.name, return_data=True
        )
    )
    return {**common, "metric_query": queries}


class SiloHealth(Construct):
    """The health signals of the context's silo (docs/operations.md).

    Every alarm notifies the owners' topic (:attr:`SiloContext.topic_arn`, in ALARM and back
    to OK); the silo key encrypts the schedules, the check's logs and environment; ``functions``: names of the
    silo's other silolake Lambda functions (each gets an errors alarm, the check too);
    ``sftp_log_group``: the Transfer server's log group, when the silo has one (a metric filter
    counts refused sign-ins). Attributes: ``alarms`` (name -> alarm), ``schedules`` (name ->
    schedule), ``check`` (:class:`LambdaFunction` or None without expectations), ``dashboard``,
    ``dead_letters`` (:class:`CheckDeadLetterQueue` of all the silo's schedules, None without flows).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        functions: Sequence[str],
        sftp_log_group: str | None,
    ) -> None:
        super().__init__(scope, id)
        org, silo, topic_arn = ctx.org, ctx.silo, ctx.topic_arn
        checks = freshness.checks(silo)
        # The dead-letter queue of every schedule of the silo: the checks' and the pipelines'
        # (:class:`silolake.constructs.etl.SiloEtl`, which names it by ARN).
        self.dead_letters = (
            CheckDeadLetterQueue(self, "dead-letters", ctx=ctx) if check_delivery.needs_queue(silo) else None
        )
        self.check = self._freshness(ctx, checks) if checks else None
        self.forwarder = ChatForwarder(self, "chat", ctx=ctx) if silo.alerts_webhook_secret else None
        function_names = [
            *functions,
            *([names.etl_silo_name(silo.name, "freshness")] if checks else []),
            *([names.etl_silo_name(silo.name, "notify")] if self.forwarder else []),
        ]
        if sftp_log_group:
            aws.cloudwatch_log_metric_filter.CloudwatchLogMetricFilter(
                self,
                "sftp-auth-failures",
                name=hm.SFTP_AUTH_FAILURES,
                log_group_name=sftp_log_group,
                pattern=hm.SFTP_AUTH_FAILURE_PATTERN,
                metric_transformation={
                    "name": hm.SFTP_AUTH_FAILURES,
                    "namespace": hm.SILO_NAMESPACE,
                    "value": "1",
                    "unit": "Count",
                },
            )
        table = hm.silo_alarms(org, silo, functions=function_names, sftp=sftp_log_group is not None)
        table += check_delivery.check_delivery_alarms(silo) if self.dead_letters else []
        self.alarms = {
            alarm.name: aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self, alarm.name, **alarm_arguments(alarm, topic_arn)
            )
            for alarm in table
        }
        body = dashboards.silo_dashboard(org, silo, [ctx.alarm_arn(a.name) for a in table])
        self.dashboard = aws.cloudwatch_dashboard.CloudwatchDashboard(
            self,
            "dashboard",
            dashboard_name=health_names.silo_dashboard(silo.name),
            dashboard_body=json.dumps(body, sort_keys=True, separators=(",", ":")),
        )

    def _freshness(self, ctx: SiloContext, checks: list[freshness.FreshnessCheck]) -> LambdaFunction:
        org, silo, key = ctx.org, ctx.silo, ctx.key
        spec = ctx.function_spec(
            "freshness",
            SOURCE,
            f"silolake: judges the delivery expectations of silo '{silo.name}'",
            freshness.freshness_statements(),
            {"POWERTOOLS_SERVICE_NAME": "silolake-freshness"},
            timeout=60,
        )
        check = LambdaFunction(self, "freshness", spec)
        dead_letters = self.dead_letters
        assert dead_letters is not None  # a silo with expectations has flows
        role = service_role(
            self,
            "scheduler-role",
            name=names.silo_role(silo.name, "health-scheduler"),
            service=ctx.service_principal("scheduler"),
            description=f"EventBridge Scheduler: runs the freshness checks of silo '{silo.name}'",
            statements=dead_letter.scheduler_statements(silo, key.arn),
            trust_condition={"StringEquals": {"aws:SourceAccount": silo.account_id}},
        )
        group = aws.scheduler_schedule_group.SchedulerScheduleGroup(
            self, "schedules", name=health_names.health_schedule_group(silo.name)
        )
        self.schedules = {
            c.name: aws.scheduler_schedule.SchedulerSchedule(
                self,
                f"check-{c.name}",
                name=c.name,
                group_name=group.name,
                description=f"silolake: is {c.flow.name}{' from ' + c.partner if c.partner else ''} on time?",
                schedule_expression=c.schedule_expression,
                schedule_expression_timezone=c.timezone,
                flexible_time_window={"mode": "OFF"},
                state="DISABLED" if silo.decommission else "ENABLED",
                kms_key_arn=key.arn,
                target={
                    "arn": check.function.arn,
                    "role_arn": role.arn,
                    "input": freshness.check_input_json(org, silo, c),
                    "retry_policy": {
                        "maximum_retry_attempts": check_delivery.CHECK_RETRIES,
                        "maximum_event_age_in_seconds": check_delivery.CHECK_MAX_EVENT_AGE,
                    },
                    "dead_letter_config": {"arn": dead_letters.arn},
                },
                depends_on=[role.policy, dead_letters.queue],
            )
            for c in checks
        }
        return check


class ChatForwarder(Construct):
    """Posts every message of the owners' topic (:attr:`SiloContext.topic_arn`) to the chat
    webhook whose URL the secret ``silo.alerts_webhook_secret`` holds
    (``silolake/runtime/lambda/notify``). The function may read that secret only (and
    decrypt it when the silo key encrypts it). Attribute: ``function``."""

    def __init__(self, scope: Construct, id: str, *, ctx: SiloContext) -> None:
        super().__init__(scope, id)
        silo, topic_arn = ctx.silo, ctx.topic_arn
        secret = silo.alerts_webhook_secret
        assert secret is not None
        self.function = LambdaFunction(
            self,
            "function",
            ctx.function_spec(
                "notify",
                NOTIFY_SOURCE,
                f"silolake: posts the alarms of silo '{silo.name}' to its chat webhook",
                health_sharing.webhook_statements(silo, secret, ctx.key.arn),
                {"WEBHOOK_SECRET": secret, "POWERTOOLS_SERVICE_NAME": "silolake-notify"},
                timeout=30,
            ),
        )
        aws.lambda_permission.LambdaPermission(
            self,
            "invoke",
            statement_id="OwnersTopic",
            action="lambda:InvokeFunction",
            function_name=self.function.function.function_name,
            principal=ctx.service_principal("sns"),
            source_arn=topic_arn,
            source_account=silo.account_id,
        )
        aws.sns_topic_subscription.SnsTopicSubscription(
            self, "subscription", topic_arn=topic_arn, protocol="lambda", endpoint=self.function.function.arn
        )
