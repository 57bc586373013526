"""The central artifacts store: deployment bundles every silo pipeline reads.

One versioned, KMS-encrypted bucket in the datalake account. Silo accounts come and go,
so the bucket and key policies never list them: they trust the silo pipeline role *name*
inside the silos OU path (:mod:`silolake.policy.sharing`). Versioning lets a silo pin the exact
bundle it deployed and makes a bad publish reversible.

Only the publisher role of the datalake account writes. It is created here, assumable
only by the account's deploy role (the role CI already uses for this account), and its
permissions are limited to this bucket and key: a deployment job publishes bundles as
the publisher, never with the deploy role's broad rights.
"""

from __future__ import annotations

from ... import names, policy
from ...catalog.model import Catalog
from ...cdk import Construct, aws
from ...policy import sharing
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import SecureBucket, access_log_bucket


def publisher_statements(bucket: str, key_arn: str) -> list[policy.Statement]:
    """Identity policy of the publisher: put and read bundles, encrypt them with the key."""
    return [
        {
            "Sid": "PublishBundles",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": f"arn:aws:s3:::{bucket}/*",
        },
        {"Sid": "ListBundles", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        {
            "Sid": "EncryptBundles",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
        },
    ]


class ArtifactsStore(Construct):
    """Key, access-log bucket, artifacts bucket and publisher role of the datalake account.

    Attributes: ``key`` (:class:`CustomerKey`), ``bucket`` (:class:`SecureBucket`),
    ``logs`` (:class:`SecureBucket`), ``publisher`` (``aws_iam_role``).
    """

    def __init__(self, scope: Construct, id: str, *, catalog: Catalog) -> None:
        super().__init__(scope, id)
        org = catalog.organization.name
        account, region = catalog.datalake.account_id, catalog.datalake.region
        self.key = CustomerKey(
            self,
            "key",
            alias="silolake-artifacts",
            account_id=account,
            region=region,
            description="silolake artifacts: deployment bundles read by silo pipelines",
            statements=sharing.artifacts_key_statements(catalog),
        )
        logs_name = names.account_bucket(org, "artifacts-logs", account, region)
        self.logs = access_log_bucket(self, "logs", name=logs_name, account_id=account)
        name = names.account_bucket(org, "artifacts", account, region)
        self.bucket = SecureBucket(
            self,
            "bucket",
            name=name,
            kms_key_arn=self.key.arn,
            access_log_bucket=logs_name,
            statements=sharing.artifacts_bucket_statements(catalog, name),
        )
        # Publishing a bundle is an event deployments can react to (and an audit record on
        # the account's bus); EventBridge routing keeps the one notification slot open.
        aws.s3_bucket_notification.S3BucketNotification(
            self, "bucket-events", bucket=self.bucket.bucket.id, eventbridge=True
        )
        self.publisher = aws.iam_role.IamRole(
            self,
            "publisher",
            name=names.datalake_role(sharing.PUBLISHER_PURPOSE),
            description="Publishes silolake deployment bundles to the artifacts bucket",
            assume_role_policy=policy.render(
                policy.document(
                    [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": catalog.organization.deploy_role_arn(account)},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                )
            ),
        )
        aws.iam_role_policy.IamRolePolicy(
            self,
            "publisher-policy",
            name="publish-artifacts",
            role=self.publisher.id,
            policy=policy.render(policy.document(publisher_statements(name, self.key.arn))),
        )
