"""The central artifacts store: deployment bundles, each silo pipeline reading its own.

One versioned, KMS-encrypted bucket in the datalake account. Silo accounts come and go,
so the bucket and key policies never list them: they trust the silo pipeline role *name*
inside the silos OU path, and only under the caller's own account prefix
``bundles/${aws:PrincipalAccount}/`` (:mod:`silolake.policy.sharing`). Versioning lets a
silo pipeline record the exact bundle version it deployed and makes a bad publish
reversible; each bundle carries a manifest of content hashes (:mod:`silolake.release.stack_bundles`).

Only the publisher role of the datalake account writes (an explicit deny refuses every
other writer). It is created here, assumable by the account's deploy role (the role CI
already uses for this account) and by the roles given to :meth:`ArtifactsStore.admit_publishers`
(the master pipeline's build role), and its permissions are limited to this bucket and key: a
deployment job publishes bundles as the publisher, never with its own rights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ... import policy
from ...aws import arns, delivery_names, names
from ...catalog.model import Account
from ...engine.cdk import Construct, aws
from ...policy import sharing
from ...policy.release import publisher_statements, publisher_trust
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import SecureBucket, access_log_bucket


class ArtifactsStore(Construct):
    """Key, access-log bucket, artifacts bucket and publisher role of the datalake account.

    Attributes: ``key`` (:class:`CustomerKey`), ``bucket`` (:class:`SecureBucket`),
    ``logs`` (:class:`SecureBucket`), ``publisher`` (``aws_iam_role``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        org: str,
        account: Account,
        deploy_role_arn: str,
        key_statements: Sequence[policy.Statement],
        bucket_statements: Callable[[str], Sequence[policy.Statement]],
    ) -> None:
        """``account``: the datalake account; ``deploy_role_arn``: the role that may assume the
        publisher; ``key_statements`` and ``bucket_statements``
        (a function of the bucket name) are the OU-path grants the stack computed with
        :mod:`silolake.policy.sharing`."""
        super().__init__(scope, id)
        account_id, region = account.account_id, account.region
        self.key = CustomerKey(
            self,
            "key",
            alias=delivery_names.ARTIFACTS_KEY_ALIAS,
            account_id=account_id,
            region=region,
            description="silolake artifacts: deployment bundles read by silo pipelines",
            statements=key_statements,
        )
        logs_name = names.account_bucket(org, "artifacts-logs", account_id, region)
        self.logs = access_log_bucket(
            self, "logs", name=logs_name, account_id=account_id, partition=arns.partition_of(region)
        )
        name = names.account_bucket(org, "artifacts", account_id, region)
        self.bucket = SecureBucket(
            self,
            "bucket",
            name=name,
            kms_key_arn=self.key.arn,
            access_log_bucket=logs_name,
            statements=bucket_statements(name),
            partition=arns.partition_of(region),
        )
        # Publishing a bundle is an event deployments can react to (and an audit record on
        # the account's bus); EventBridge routing keeps the one notification slot open.
        aws.s3_bucket_notification.S3BucketNotification(
            self, "bucket-events", bucket=self.bucket.bucket.id, eventbridge=True
        )
        self._deploy_role_arn = deploy_role_arn
        self.publisher = aws.iam_role.IamRole(
            self,
            "publisher",
            name=names.datalake_role(sharing.PUBLISHER_PURPOSE),
            description="Publishes silolake deployment bundles to the artifacts bucket",
            assume_role_policy=policy.render(policy.document(publisher_trust(deploy_role_arn))),
        )
        aws.iam_role_policy.IamRolePolicy(
            self,
            "publisher-policy",
            name="publish-artifacts",
            role=self.publisher.id,
            policy=policy.render(policy.document(publisher_statements(arns.partition_of(region), name, self.key.arn))),
        )

    def admit_publishers(self, role_arns: Sequence[str]) -> None:
        """Let ``role_arns`` (roles of this account, typically Terraform references such as the
        master pipeline's build role ``.arn``) assume the publisher too. A reference also
        orders the apply: IAM refuses a trust policy naming a role that does not exist yet."""
        self.publisher.assume_role_policy = policy.render(
            policy.document(publisher_trust(self._deploy_role_arn, role_arns))
        )
