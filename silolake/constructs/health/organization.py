"""The organization dashboard (datalake account) and each silo account's sharing role for it."""

from __future__ import annotations

import json

from ... import policy
from ...aws import health_names
from ...catalog.model import Catalog
from ...engine.cdk import Construct, aws
from ...health import dashboards
from ...policy import health_sharing


class HealthSharing(Construct):
    """``CloudWatch-CrossAccountSharingRole`` in a silo account: the datalake account's CloudWatch
    console (its service-linked role, inside the organization) may read metrics and alarm states
    (:mod:`silolake.policy.health_sharing`). Attribute: ``role``."""

    def __init__(self, scope: Construct, id: str, *, partition: str, datalake_account: str, org_id: str) -> None:
        super().__init__(scope, id)
        self.role = aws.iam_role.IamRole(
            self,
            "role",
            name=health_names.CLOUDWATCH_SHARING_ROLE,
            description="silolake: the organization health dashboard reads this account's metrics and alarms",
            assume_role_policy=policy.render(health_sharing.sharing_trust(partition, datalake_account, org_id)),
        )
        aws.iam_role_policy.IamRolePolicy(
            self,
            "policy",
            name="read-health-signals",
            role=self.role.id,
            policy=policy.render(policy.document(health_sharing.sharing_statements())),
        )


class OrganizationHealth(Construct):
    """The organization dashboard in the datalake account, and CloudWatch's cross-account
    service-linked role that reads each silo's metrics through its :class:`HealthSharing` role.
    Attributes: ``dashboard``, ``service_role``."""

    def __init__(self, scope: Construct, id: str, *, catalog: Catalog) -> None:
        super().__init__(scope, id)
        self.service_role = aws.iam_service_linked_role.IamServiceLinkedRole(
            self,
            "cross-account",
            aws_service_name=health_names.CLOUDWATCH_CROSS_ACCOUNT_SERVICE,
            description="silolake: the organization health dashboard reads the silo accounts' metrics",
        )
        body = dashboards.organization_dashboard(catalog)
        self.dashboard = aws.cloudwatch_dashboard.CloudwatchDashboard(
            self,
            "dashboard",
            dashboard_name=health_names.organization_dashboard(catalog.organization.name),
            dashboard_body=json.dumps(body, sort_keys=True, separators=(",", ":")),
        )
