"""ETL of one silo: every flow becomes a scheduled, alerting pipeline from arrival to query.

Per silo: an SNS topic for failures and quarantined partner files (silo key; every owner subscribed by e-mail), the Glue
security configuration (logs, bookmarks and S3 output encrypted with the silo key), an
Athena workgroup (enforced, results encrypted with the silo key in the athena zone, a
bytes-scanned cutoff), the landing function when the silo has file flows, Redshift
Serverless when a flow has ``warehouse: true``, a QuickSight data source when one has
``quicksight: true``, GuardDuty Malware Protection for S3 on the dropzone with
``malware_protection: true`` (:mod:`.malware`), and the role EventBridge Scheduler starts
pipelines with.

Per flow: the Glue job (:class:`.glue_job.FlowJob`), a Step Functions state machine
(:mod:`.asl`) logging every execution to a log group encrypted with the silo key, and
an EventBridge Scheduler schedule from the flow's ``schedule``. A decommissioned silo
keeps all of it with schedules and landing disabled: nothing runs, nothing is deleted. The
schedules live in the silo's pipeline schedule group; a start Scheduler cannot deliver after its
retries goes to the silo's health dead-letter queue (:mod:`silolake.health.check_delivery`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...aws import health_names, names
from ...catalog.flow import Flow
from ...catalog.model import DeployedSilo
from ...engine.cdk import Construct, aws
from ...health import check_delivery
from ...pipeline_input import scheduled_input
from ...policy import dead_letter
from ...policy.etl import scheduler_statements, state_machine_statements
from ...policy.functions import trace_statements
from ..blocks.athena import enforced_workgroup
from ..blocks.service_role import encrypted_log_group, service_role
from ..context import SiloContext
from . import asl, warehouse_sql
from .artifacts import JobBundle, job_bundle
from .flow_spec import CONFORM_STATE
from .glue_job import FlowJob, upload_bundles
from .landing import Landing
from .malware import MalwareScan
from .warehouse import Warehouse

#: Scheduler retries a failed *start* (throttling, service errors); failed runs alert through SNS.
SCHEDULE_RETRIES = 3


def state_machine_arn(silo: DeployedSilo, flow: Flow) -> str:
    return names.state_machine_arn(silo.region, silo.account_id, silo.name, flow.storage_name)


def pipeline_definition(ctx: SiloContext, flow: Flow, *, warehouse: Warehouse | None) -> asl.PipelineDefinition:
    """The :class:`~.asl.PipelineDefinition` of ``flow`` (warehouse load when it asks for one)."""
    silo, buckets = ctx.silo, ctx.bucket_names
    load = None
    if flow.warehouse and warehouse is not None:
        target = warehouse_sql.LoadTarget(
            f"s3://{buckets['processed']}/{flow.data_name}/", warehouse.load_roles[flow.name]
        )
        load = asl.WarehouseLoad(
            workgroup=warehouse.workgroup_name,
            database=warehouse.database,
            statements=tuple(warehouse_sql.load_statements(flow, target)),
            partition_by=flow.partition_by,
            state_bucket=buckets["processed"],
            state_key=f"{flow.data_name}/{CONFORM_STATE}",
        )
    return asl.PipelineDefinition(
        silo=silo.name,
        flow=flow.name,
        job_name=names.etl_name(silo.name, flow.storage_name),
        topic_arn=ctx.topic_arn,
        partition=ctx.partition,
        athena_workgroup=names.etl_silo_name(silo.name, "athena"),
        database=names.glue_database(silo.name),
        raw_table=names.glue_table(flow.data_name, "raw"),
        processed_table=names.glue_table(flow.data_name, "processed"),
        warehouse=load,
    )


class SiloEtl(Construct):
    """The ETL of the context's silo (contents in the module docstring).

    ``catalog_dir`` is where custom ``job:`` paths resolve. Attributes: ``topic``,
    ``workgroup``, ``jobs`` / ``state_machines`` / ``schedules`` (flow -> resource),
    ``landing``, ``malware``, ``warehouse``, ``quicksight``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        catalog_dir: Path,
    ) -> None:
        super().__init__(scope, id)
        silo, buckets, key_arn = ctx.silo, ctx.bucket_names, ctx.key.arn
        self.topic = aws.sns_topic.SnsTopic(
            self, "alerts", name=names.etl_silo_name(silo.name, "etl-alerts"), kms_master_key_id=key_arn
        )
        for owner in silo.owners:
            aws.sns_topic_subscription.SnsTopicSubscription(
                self,
                names.owner_construct_id("alerts", owner),
                topic_arn=self.topic.arn,
                protocol="email",
                endpoint=owner,
            )
        security = aws.glue_security_configuration.GlueSecurityConfiguration(
            self,
            "glue-security",
            name=names.etl_silo_name(silo.name, "etl"),
            encryption_configuration={
                "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key_arn},
                "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key_arn},
                "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key_arn},
            },
        )
        self.workgroup = enforced_workgroup(
            self,
            "athena",
            name=names.etl_silo_name(silo.name, "athena"),
            description=f"silolake silo '{silo.name}': partition repair and the silo's own queries",
            output_location=f"s3://{buckets['athena']}/{names.ATHENA_RESULTS_PREFIX}",
            account_id=silo.account_id,
            key_arn=key_arn,
        )
        files = silo.file_flows
        self.landing = Landing(self, "landing", ctx=ctx, flows=files) if files else None
        # The malware hold (catalog validation requires file flows with it).
        self.malware = MalwareScan(self, "malware", ctx=ctx) if self.landing and silo.malware_protection else None
        warehouse_flows = tuple(f for f in silo.flows if f.warehouse)
        self.warehouse = Warehouse(self, "warehouse", ctx=ctx, flows=warehouse_flows) if warehouse_flows else None
        self.quicksight = None
        if any(f.quicksight for f in silo.flows):
            # Needs a QuickSight subscription in the account (docs/etl.md): without one the
            # apply of this resource fails and names the missing subscription.
            self.quicksight = aws.quicksight_data_source.QuicksightDataSource(
                self,
                "quicksight",
                data_source_id=names.etl_silo_name(silo.name, "athena"),
                name=names.quicksight_data_source_name(silo.name),
                type="ATHENA",
                parameters={"athena": {"work_group": self.workgroup.name}},
                ssl_properties={"disable_ssl": False},
            )
        self.jobs: dict[str, FlowJob] = {}
        self.state_machines: dict[str, Any] = {}
        bundles = {flow.name: job_bundle(flow, catalog_dir) for flow in silo.flows}
        code = upload_bundles(self, buckets["raw"], key_arn, list(bundles.values()))
        for flow in silo.flows:
            objects = [code[key] for key, _ in bundles[flow.name].files]
            self._flow(ctx, flow, (bundles[flow.name], objects), security.name)
        scheduler = service_role(
            self,
            "scheduler-role",
            name=names.silo_role(silo.name, "etl-scheduler"),
            service=ctx.service_principal("scheduler"),
            description=f"EventBridge Scheduler: starts the pipelines of silo '{silo.name}'",
            statements=[
                *scheduler_statements([state_machine_arn(silo, f) for f in silo.flows], key_arn),
                *dead_letter.dead_letter_statements(silo, key_arn),
            ],
            trust_condition={"StringEquals": {"aws:SourceAccount": silo.account_id}},
        )
        # A named group, so the silo's delivery alarm can watch Scheduler's failures to start them.
        group = aws.scheduler_schedule_group.SchedulerScheduleGroup(
            self, "schedules", name=health_names.pipeline_schedule_group(silo.name)
        )
        self.schedules = {
            flow.name: aws.scheduler_schedule.SchedulerSchedule(
                self,
                f"{flow.name}-schedule",
                name=names.etl_name(silo.name, flow.storage_name),
                group_name=group.name,
                description=f"silolake: runs the pipeline of flow '{flow.name}'",
                schedule_expression=flow.schedule,
                schedule_expression_timezone="UTC",
                flexible_time_window={"mode": "OFF"},
                state="DISABLED" if silo.decommission else "ENABLED",
                kms_key_arn=key_arn,
                target={
                    "arn": self.state_machines[flow.name].arn,
                    "role_arn": scheduler.arn,
                    "input": json.dumps(scheduled_input(flow.name)),
                    "retry_policy": {"maximum_retry_attempts": SCHEDULE_RETRIES},
                    # A start Scheduler gave up on has no execution (no -pipeline-failed): it is
                    # dead-lettered into the silo's health queue, whose alarm tells the owners.
                    "dead_letter_config": {"arn": check_delivery.dlq_arn(silo)},
                },
                depends_on=[scheduler.policy],
            )
            for flow in silo.flows
        }

    def _flow(self, ctx: SiloContext, flow: Flow, code: tuple[JobBundle, list[Any]], security: str) -> None:
        silo, buckets, key_arn = ctx.silo, ctx.bucket_names, ctx.key.arn
        self.jobs[flow.name] = FlowJob(
            self,
            f"{flow.name}-job",
            ctx=ctx,
            flow=flow,
            bundle=code[0],
            code_objects=code[1],
            security_configuration=security,
        )
        name = names.etl_name(silo.name, flow.storage_name)
        group = encrypted_log_group(
            self, f"{flow.name}-logs", name=names.state_machine_log_group(name), kms_key_arn=key_arn
        )
        role = service_role(
            self,
            f"{flow.name}-pipeline-role",
            name=names.silo_role(silo.name, f"{flow.storage_name}-sfn"),
            service=ctx.service_principal("states"),
            description=f"Step Functions pipeline of flow '{flow.name}'",
            statements=[
                *state_machine_statements(
                    silo,
                    flow,
                    buckets=buckets,
                    key_arn=key_arn,
                    topic_arn=ctx.topic_arn,
                    athena_workgroup=names.etl_silo_name(silo.name, "athena"),
                    redshift_workgroup_arn=self.warehouse.workgroup_arn
                    if (flow.warehouse and self.warehouse)
                    else None,
                ),
                *trace_statements(),
            ],
            trust_condition={"StringEquals": {"aws:SourceAccount": silo.account_id}},
        )
        definition = asl.definition(pipeline_definition(ctx, flow, warehouse=self.warehouse))
        self.state_machines[flow.name] = aws.sfn_state_machine.SfnStateMachine(
            self,
            f"{flow.name}-pipeline",
            name=name,
            role_arn=role.arn,
            type="STANDARD",
            definition=json.dumps(definition, sort_keys=True, indent=1),
            logging_configuration={
                "log_destination": f"{group.arn}:*",
                "include_execution_data": True,
                "level": "ALL",
            },
            tracing_configuration={"enabled": True},
            depends_on=[role.policy],
        )
