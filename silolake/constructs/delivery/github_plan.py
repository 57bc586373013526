"""Per-account GitHub OIDC plan access: pull requests plan each stack inside its own account.

Every account stack gets (when ``delivery.github.repository`` is set) GitHub's OIDC identity
provider and the role :data:`silolake.aws.delivery_names.GITHUB_PLAN_ROLE`, assumable only with a GitHub
token whose audience is ``sts.amazonaws.com`` and whose subject is a pull request of that
repository or its ``main`` branch (the nightly drift run). The role holds the AWS managed
``ReadOnlyAccess`` (Terraform refreshes every resource type a stack may hold) plus the
state object and its lock file, and explicit denies on data-plane reads: a pull request can
run any workflow code with this role, so it may read configuration and state, never the
silo's data, secrets or logs (:func:`silolake.policy.read_only.github_plan_statements`,
derived from the AWS service authorization data); in the management account it reads no
Identity Center directory, CloudTrail history or billing either.
Applies stay on the deploy role (central CI).

Terraform, in the workflow, uses the in-account rendering (``silolake render --in-account``):
the role is already in the account and cannot assume the deploy role.
"""

from __future__ import annotations

from ... import policy
from ...aws import arns, delivery_names
from ...engine.cdk import Construct, aws
from ...policy import delivery, read_only

#: The AWS-managed policy the plan role reads the account with (its ARN is per partition).
READ_ONLY_ACCESS = "ReadOnlyAccess"


class GithubPlanAccess(Construct):
    """The account's GitHub OIDC provider and plan role. Attributes: ``provider``, ``role``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        org: str,
        account_id: str,
        region: str,
        repository: str,
        state_bucket: str,
        state_key: str,
        management: bool = False,
    ) -> None:
        """``region``: the stack's (its partition names the managed policy); ``repository``:
        ``owner/name``; ``state_bucket``/``state_key``: the stack's own state;
        ``management``: the management account's role (narrower: no directory, history or billing)."""
        super().__init__(scope, id)
        self.provider = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
            self,
            "provider",
            url=f"https://{delivery_names.GITHUB_OIDC_HOST}",
            client_id_list=[delivery.GITHUB_AUDIENCE],
        )
        self.role = aws.iam_role.IamRole(
            self,
            "role",
            name=delivery_names.GITHUB_PLAN_ROLE,
            description=f"terraform plan from GitHub Actions of {repository} (read-only, no data reads)",
            assume_role_policy=policy.render(
                delivery.github_plan_trust(account_id, repository, partition=arns.partition_of(region))
            ),
            max_session_duration=3600,
            depends_on=[self.provider],
        )
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self,
            "read-only",
            role=self.role.name,
            policy_arn=arns.aws_managed_policy(arns.partition_of(region), READ_ONLY_ACCESS),
        )
        aws.iam_role_policy.IamRolePolicy(
            self,
            "state",
            name="state-and-no-data",
            role=self.role.id,
            policy=policy.render(
                policy.document(
                    read_only.github_plan_statements(
                        partition=arns.partition_of(region),
                        org=org,
                        state_bucket=state_bucket,
                        state_key=state_key,
                        management=management,
                    )
                )
            ),
        )
