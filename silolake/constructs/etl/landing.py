"""Landing of file flows: dropped files are checked and copied into raw as they arrive.

Partners drop files under ``<partner>/<flow>/`` in the dropzone bucket (SFTP and web
upload). The dropzone already routes every object event to EventBridge
(:data:`silolake.constructs.storage.silo_storage.EVENT_ZONES`); a rule on its
``Object Created`` events invokes the landing function, which checks the file against
its flow (format, size, CSV header), copies it to ``raw/<flow>/ingest_date=YYYY-MM-DD/``
and quarantines refused files under ``_quarantine/`` (runtime code and its tests:
``silolake/runtime/lambda/landing/``). Events of the quarantine prefix itself never match the rule.

With the silo's malware hold (``malware_protection: true``, :mod:`.malware`) the rule
matches GuardDuty's scan results of the dropzone instead, and the function lands only
files GuardDuty found clean (``REQUIRE_SCAN=true``: it ignores ``Object Created``).

A decommissioned silo keeps the function and rule; the rule is disabled (intake stops).
"""

from __future__ import annotations

import json

from ...aws import names
from ...catalog.flow import Flow
from ...engine.cdk import Construct, aws
from ...partner_runtime import channels
from ...policy import dropzone as layout
from ...policy import partner as partner_policy
from ...policy.etl import landing_statements
from ..blocks.lambda_function import LAMBDA_SRC, LambdaFunction
from ..context import SiloContext
from .flow_spec import landing_flows

SOURCE = LAMBDA_SRC / "landing"
#: Role purpose of the function (``silolake-<silo>-landing``).
ROLE_PURPOSE = "landing"
#: Largest file a flow accepts by default (bytes); bigger files are quarantined.
MAX_FILE_BYTES = 5 * 1024**3


def landing_event_pattern(dropzone: str, *, scanned: bool = False) -> dict:
    """Object Created events of the dropzone, except its system prefixes (``_quarantine/`` and
    ``_status/``, which the function writes itself); with ``scanned`` (the malware hold) the
    scan results of the dropzone instead."""
    if scanned:
        return scan_result_pattern(dropzone)
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": [dropzone]},
            "object": {"key": [{"anything-but": {"prefix": names.SYSTEM_PREFIX}}]},
        },
    }


def scan_result_pattern(dropzone: str) -> dict:
    """GuardDuty's scan results of the dropzone's objects, except its system prefixes (which
    GuardDuty scans too, being in the protected bucket). Fields: GuardDuty User Guide, "Monitoring S3 object
    scans with Amazon EventBridge"."""
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Malware Protection Object Scan Result"],
        "detail": {
            "resourceType": ["S3_OBJECT"],
            "s3ObjectDetails": {
                "bucketName": [dropzone],
                "objectKey": [{"anything-but": {"prefix": names.SYSTEM_PREFIX}}],
            },
        },
    }


class Landing(Construct):
    """Landing function and its EventBridge rule for the file ``flows`` of the context's silo.

    The owners' topic (silo key, :attr:`SiloContext.topic_arn`) is told of each quarantined file. When the silo
    vends partner credentials, the function checks each file's flow against the credential's
    role (:mod:`silolake.policy.dropzone`). Attributes: ``function`` (:class:`LambdaFunction`), ``rule``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        flows: tuple[Flow, ...],
    ) -> None:
        super().__init__(scope, id)
        silo, key, topic_arn = ctx.silo, ctx.key, ctx.topic_arn
        name = names.etl_silo_name(silo.name, "landing")
        dropzone, raw = ctx.buckets["dropzone"].name, ctx.buckets["raw"].name
        vends = bool(channels(silo, has_flow_api=False))  # partner credentials write the dropzone
        credential_check = (
            {"PARTNER_ROLE_PREFIX": partner_policy.ROLE_PREFIX, "PARTNER_FLOWS_TAG": partner_policy.TAG_FLOWS}
            if vends
            else {}
        )
        renamed = {f.storage_name: f.name for f in flows if f.storage_name != f.name}
        feedback = layout.landing_feedback_statements(
            partition=ctx.partition,
            dropzone=dropzone,
            topic_arn=topic_arn,
            partner_roles_arn=partner_policy.partner_roles_arn(ctx.partition, silo.account_id) if vends else None,
        )
        self.function = LambdaFunction(
            self,
            "function",
            ctx.function_spec(
                ROLE_PURPOSE,
                SOURCE,
                f"silolake: lands dropped files of silo '{silo.name}' into raw",
                [*landing_statements(ctx.partition, flows, dropzone=dropzone, raw=raw, key_arn=key.arn), *feedback],
                {
                    "RAW_BUCKET": raw,
                    "KMS_KEY_ARN": key.arn,
                    "FLOWS": json.dumps(landing_flows(flows, MAX_FILE_BYTES), sort_keys=True, separators=(",", ":")),
                    "POWERTOOLS_SERVICE_NAME": "silolake-landing",
                    "QUARANTINE_TOPIC_ARN": topic_arn,
                    # Health metrics (landing/signals.py): the silo, and renamed flows' catalog names.
                    "SILO": silo.name,
                    **({"FLOW_NAMES": json.dumps(renamed, sort_keys=True)} if renamed else {}),
                    **credential_check,
                    # The malware hold: only scan results move files (absent = off).
                    **({"REQUIRE_SCAN": "true"} if silo.malware_protection else {}),
                },
                timeout=300,
                memory_size=512,
            ),
        )
        self.rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            "rule",
            name=name,
            description=f"silolake: files {'scanned' if silo.malware_protection else 'dropped'} for silo '{silo.name}'",
            event_pattern=json.dumps(landing_event_pattern(dropzone, scanned=silo.malware_protection), sort_keys=True),
            state="DISABLED" if silo.decommission else "ENABLED",
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(
            self, "target", rule=self.rule.name, arn=self.function.function.arn, target_id="landing"
        )
        aws.lambda_permission.LambdaPermission(
            self,
            "invoke",
            statement_id="EventBridgeLanding",
            action="lambda:InvokeFunction",
            function_name=self.function.function.function_name,
            principal=ctx.service_principal("events"),
            source_arn=self.rule.arn,
            source_account=silo.account_id,
        )
