"""The conform job's permission to publish its run metrics, as a plain statement.

``cloudwatch:PutMetricData`` has no resource-level permissions (``Resource: *`` is the only
form IAM evaluates); the service authorization reference lists the condition key
``cloudwatch:namespace`` for it, which pins the call to one custom namespace
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
A job can then neither write into AWS's own namespaces (``AWS/...``) nor into another
namespace an alarm of someone else reads.
"""

from __future__ import annotations

from ..health.health_metrics import NAMESPACE
from .documents import Statement

__all__ = ["FLOW_METRICS_NAMESPACE", "put_flow_metrics_statement"]

#: The custom namespace of every flow's health metrics, the one the alarms read
#: (:mod:`.health_metrics`). Restated by the runtime (``silolake/runtime/glue/conform/conform_metrics.py``;
#: a drift test keeps them equal).
FLOW_METRICS_NAMESPACE = NAMESPACE


def put_flow_metrics_statement(namespace: str = FLOW_METRICS_NAMESPACE) -> Statement:
    """Allow ``cloudwatch:PutMetricData`` into ``namespace`` only (``StringEquals`` on ``cloudwatch:namespace``)."""
    return {
        "Sid": "PublishFlowMetrics",
        "Effect": "Allow",
        "Action": "cloudwatch:PutMetricData",
        "Resource": "*",
        "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
    }
