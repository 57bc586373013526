"""Datalake side of bundle events: forward each silo account's ``Object Created`` events.

The artifacts bucket sends its events to the datalake account's default bus (EventBridge
notifications, :class:`.ArtifactsStore`). S3 delivers them to the bucket owner's bus only,
so one rule per silo account forwards the events of its own prefix
``bundles/<account id>/`` to that account's default bus, where the silo pipeline's rule
starts the pipeline (:mod:`.silo_pipeline`). One rule per account, never one rule for
several: a rule's targets all receive every event it matches, and a silo must not learn
another silo's bundle keys.

Quota: rules per event bus default to 300 (adjustable in Service Quotas), 5 targets per
rule. A lake beyond ~290 silos with pipelines needs that quota raised for the datalake
account's default bus (docs/delivery.md). Routing is not trust: the bucket and key policies
still name no silo account; these rules only decide where a notification goes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...aws import arns, delivery_names, names
from ...catalog.model import Account, DeployedSilo
from ...engine.cdk import Construct, aws
from ...policy import delivery
from ..blocks.service_role import service_role

FORWARD_PURPOSE = delivery_names.BUNDLE_EVENTS_PURPOSE


class BundleForwarding(Construct):
    """One EventBridge rule (+ target) per silo that has a pipeline, and the role they send with.

    Attributes: ``rules`` (account id -> ``aws_cloudwatch_event_rule``); empty when no silo
    has a pipeline (no role is created then)."""

    def __init__(
        self, scope: Construct, id: str, *, account: Account, bucket: str, silos: Sequence[DeployedSilo]
    ) -> None:
        """``account``: the datalake account; ``bucket``: the artifacts bucket; ``silos``: every
        deployed silo (each has a pipeline, whose bus is in :func:`~silolake.policy.delivery.pipeline_region`)."""
        super().__init__(scope, id)
        piped = sorted(silos, key=lambda s: s.account_id)
        self.rules: dict[str, object] = {}
        if not piped:
            return
        rule_pattern = arns.events_rule(account.region, account.account_id, delivery_names.bundle_forward_rule("*"))
        role = service_role(
            self,
            "role",
            name=names.datalake_role(FORWARD_PURPOSE),
            service=arns.service_principal("events", arns.partition_of(account.region)),
            trust_condition=delivery.source_trust(account.account_id, [rule_pattern]),
            description="Forwards bundle events of the artifacts bucket to each silo account's bus",
            statements=delivery.forward_statements(
                [(s.account_id, delivery.pipeline_region(s, account.region)) for s in piped]
            ),
        )
        for silo in piped:
            bus_region = delivery.pipeline_region(silo, account.region)
            rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
                self,
                f"rule-{silo.account_id}",
                name=delivery_names.bundle_forward_rule(silo.account_id),
                description=f"Bundles of account {silo.account_id} (silo {silo.name}) to its event bus",
                event_pattern=json.dumps(
                    delivery.bundle_event_pattern(
                        bucket, delivery_names.bundle_prefix(silo.account_id), account.account_id
                    ),
                    sort_keys=True,
                ),
                state="DISABLED" if silo.decommission else "ENABLED",
            )
            aws.cloudwatch_event_target.CloudwatchEventTarget(
                self,
                f"target-{silo.account_id}",
                rule=rule.name,
                target_id="silo-bus",
                arn=arns.event_bus(bus_region, silo.account_id),
                role_arn=role.arn,
                depends_on=[role.policy],
            )
            self.rules[silo.account_id] = rule
