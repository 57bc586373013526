"""The stack every account gets: provider, per-account state backend and tags.

One Terraform stack per AWS account, each with its state in *its own* account:
a compromised or deleted silo can never read or corrupt another account's state, and
adding or removing a silo never touches a shared bucket. Both the provider and the
backend assume the catalog's deploy role in the target account and pin
``allowed_account_ids``, so credentials that resolve to the wrong account fail before
anything is read or written. A runner already inside the account deploys the same
stack with the in-account rendering (:mod:`silolake.release.rendering`).
"""

from __future__ import annotations

from ..aws import names
from ..catalog.model import Catalog
from ..constructs.delivery.github_plan import GithubPlanAccess
from ..engine.cdk import Construct, TerraformOutput, TerraformStack, aws, s3_backend
from ..release import rendering

MANAGED_BY = "silolake"


class AccountStack(TerraformStack):
    """Base for the org, datalake, silo and analytics stacks (compose constructs in subclasses)."""

    def __init__(
        self, scope: Construct, name: str, *, catalog: Catalog, account_id: str, region: str, silo: str | None = None
    ) -> None:
        super().__init__(scope, name)
        self.catalog = catalog
        self.account_id = account_id
        self.region = region
        org = catalog.organization
        role_arn = org.deploy_role_arn(account_id)
        tags = dict(org.tags)
        tags.update({"silolake:managed-by": MANAGED_BY, "silolake:stack": name})
        if silo:
            tags["silolake:silo"] = silo
        self.tags = tags
        self._providers: dict[str, object] = {}
        self.regional_provider(region)
        # Two ways in, one cdk.tf.json (docs/delivery.md): the provider assumes the role in
        # the variable, by default the deploy role (central CI, from outside the account); a
        # runner already inside the account renders it empty (silolake.release.rendering) and
        # the provider keeps the runner's own credentials, still pinned by allowed_account_ids.
        self.add_override(
            f"variable.{rendering.ROLE_VARIABLE}",
            {"type": "string", "default": role_arn, "description": rendering.ROLE_VARIABLE_DESCRIPTION},
        )
        # Native S3 locking (Terraform >= 1.10) instead of a DynamoDB table per account.
        s3_backend(
            self,
            bucket=names.state_bucket(org.state_bucket_prefix, account_id, region),
            key=names.state_key(name),
            region=region,
            encrypt=True,
            assume_role={"role_arn": role_arn, "session_name": f"silolake-{name}-state"},
            allowed_account_ids=[account_id],
        )
        if catalog.github_repository:
            GithubPlanAccess(
                self,
                "github-plan",
                org=org.name,
                account_id=account_id,
                region=region,
                repository=catalog.github_repository,
                state_bucket=names.state_bucket(org.state_bucket_prefix, account_id, region),
                state_key=names.state_key(name),
                management=account_id == org.management_account_id,
            )
        TerraformOutput(self, "account_id", value=account_id, description="AWS account this stack deploys into")
        TerraformOutput(self, "region", value=region)

    def regional_provider(self, region: str):
        """The stack's AWS provider for ``region`` (the stack's own region: the default provider;
        another: an aliased one, ``aws.<region with underscores>``), each assuming the role in
        the ``deploy_role_arn`` variable and pinned to the stack's account."""
        if region in self._providers:
            return self._providers[region]
        alias = None if region == self.region else region.replace("-", "_")
        provider = aws.provider.AwsProvider(
            self,
            "aws" if alias is None else f"aws-{region}",
            region=region,
            alias=alias,
            allowed_account_ids=[self.account_id],
            default_tags=[{"tags": self.tags}],
        )
        provider.add_override(
            "dynamic.assume_role",
            {
                "for_each": f"${{compact([var.{rendering.ROLE_VARIABLE}])}}",
                "content": {"role_arn": "${assume_role.value}", "session_name": f"silolake-{self.node.id}"},
            },
        )
        self._providers[region] = provider
        return provider
