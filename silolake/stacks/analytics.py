"""``analytics-<name>`` stack: a company-wide, read-only consumer account."""

from __future__ import annotations

from .. import policy
from ..aws import names
from ..catalog.model import AnalyticsConsumer, Catalog
from ..constructs.analytics.workspace import RegionalWorkspace
from ..engine.cdk import Construct, TerraformOutput, aws
from ..policy.analytics import readable_silos, reader_statements, workspace_regions
from .base import AccountStack


class AnalyticsStack(AccountStack):
    """One :class:`RegionalWorkspace` per region holding silos the consumer reads, and a
    managed policy with the identity side of those reads attached to its reader roles
    (the roles themselves belong to the account and are only referenced by name)."""

    def __init__(self, scope: Construct, *, catalog: Catalog, consumer: AnalyticsConsumer) -> None:
        super().__init__(
            scope, consumer.stack_name, catalog=catalog, account_id=consumer.account_id, region=consumer.region
        )
        self.consumer = consumer
        silos = readable_silos(catalog, consumer)
        self.workspaces = {
            region: RegionalWorkspace(
                self,
                f"workspace-{region}",
                org=catalog.organization.name,
                consumer=consumer,
                region=region,
                silos=[s for s in silos if s.region == region],
            )
            for region in workspace_regions(catalog, consumer)
        }
        doc = policy.document(
            reader_statements(catalog, consumer, {region: ws.key_arn for region, ws in self.workspaces.items()})
        )
        self.reader_policy = aws.iam_policy.IamPolicy(
            self,
            "reader-policy",
            name=names.analytics_reader_policy(consumer.name),
            description="silolake: query the silos this account is entitled to (read-only)",
            policy=policy.render(doc),
        )
        for role in consumer.reader_roles:
            # The roles belong to the consumer's account (docs/day-2.md, prerequisites): the
            # lookup makes `terraform plan` name a missing one instead of failing at apply.
            exists = aws.data_aws_iam_role.DataAwsIamRole(self, f"reader-role-{role}", name=role)
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, f"reader-policy-{role}", role=role, policy_arn=self.reader_policy.arn, depends_on=[exists]
            )
        home = self.workspaces[consumer.region]
        TerraformOutput(self, "workgroup", value=home.workgroup.name)
        TerraformOutput(self, "results_bucket", value=home.results.name)
        TerraformOutput(
            self,
            "silo_catalogs",
            value={s.name: names.athena_catalog(s.name) for s in silos},
            description="Athena data catalog of each readable silo (query <catalog>.<database>.<table>)",
        )
