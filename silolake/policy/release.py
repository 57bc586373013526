"""Policies of the datalake account's release: the artifacts store's publisher and the master
pipeline (``constructs/delivery/artifacts.py``, ``constructs/delivery/master_pipeline.py``).

Plain statements, never imports cdktf; ARNs from :mod:`silolake.aws.arns` in the partition of
the datalake account's region. ``tests/iam/test_chain_guardrails.py`` and
``tests/delivery/test_master_pipeline.py`` evaluate them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..aws import arns, delivery_names
from ..catalog.delivery import DeliveryPipeline
from ..catalog.model import Account
from .documents import Statement

#: CodeConnections authorizes both IAM prefixes (the service was renamed from CodeStar
#: Connections; AWS documents either for CodePipeline and CodeBuild).
USE_CONNECTION = ["codeconnections:UseConnection", "codestar-connections:UseConnection"]


def _objects_and_key(
    partition: str, bucket: str, key_arn: str, sids: tuple[str, str, str], bucket_actions: str | list[str]
) -> list[Statement]:
    """Read and write the objects of ``bucket``, the ``bucket_actions`` on the bucket itself,
    and encrypt with ``key_arn``: the shape of every bucket a release role writes to."""
    objects, listing, encrypt = sids
    return [
        {
            "Sid": objects,
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": arns.s3(partition, bucket, "*"),
        },
        {"Sid": listing, "Effect": "Allow", "Action": bucket_actions, "Resource": arns.s3(partition, bucket)},
        {
            "Sid": encrypt,
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
        },
    ]


def publisher_statements(partition: str, bucket: str, key_arn: str) -> list[Statement]:
    """Identity policy of the publisher: put and read bundles, encrypt them with the key."""
    sids = ("PublishBundles", "ListBundles", "EncryptBundles")
    return _objects_and_key(partition, bucket, key_arn, sids, "s3:ListBucket")


def publisher_trust(deploy_role_arn: str, callers: Sequence[str] = ()) -> list[Statement]:
    """Trust statements of the publisher: the deploy role, and each role ARN in ``callers``
    (the master pipeline's build role), each named exactly as principal."""
    statements: list[Statement] = [
        {"Effect": "Allow", "Principal": {"AWS": deploy_role_arn}, "Action": "sts:AssumeRole"}
    ]
    if callers:
        statements.append(
            {
                "Sid": "PipelineBuildPublishes",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(callers) if len(callers) > 1 else callers[0]},
                "Action": "sts:AssumeRole",
            }
        )
    return statements


def store_statements(partition: str, bucket: str, key_arn: str) -> list[Statement]:
    """Use of the artifact store: objects of ``bucket``, encrypted with ``key_arn``."""
    sids = ("UseArtifactStore", "LocateArtifactStore", "EncryptArtifacts")
    actions = ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"]
    return _objects_and_key(partition, bucket, key_arn, sids, actions)


def source_statements(partition: str, spec: DeliveryPipeline, connection_arn: str | None) -> list[Statement]:
    """Reading the source: the connection, or the source object and its bucket's versioning."""
    if spec.uses_connection:
        return [{"Sid": "UseSourceConnection", "Effect": "Allow", "Action": USE_CONNECTION, "Resource": connection_arn}]
    assert spec.s3_bucket is not None and spec.s3_key is not None
    return [
        {
            "Sid": "ReadSourceObject",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": arns.s3(partition, spec.s3_bucket, spec.s3_key),
        },
        {
            "Sid": "CheckSourceBucket",
            "Effect": "Allow",
            "Action": ["s3:GetBucketVersioning"],
            "Resource": arns.s3(partition, spec.s3_bucket),
        },
    ]


def build_statements(
    *, account: Account, project: str, store: str, key_arn: str, publisher_arn: str, connection_arn: str | None
) -> list[Statement]:
    """Identity policy of the CodeBuild role: logs, artifact store, assume the publisher.

    A connection source is cloned by CodeBuild itself (``CODEBUILD_CLONE_REF``, so the build
    has the git checkout whose commit the bundles record), hence the connection use."""
    group = arns.log_group(account.region, account.account_id, delivery_names.codebuild_log_group(project))
    statements: list[Statement] = [
        {
            "Sid": "WriteBuildLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [group, f"{group}:*"],
        },
        *store_statements(arns.partition_of(account.region), store, key_arn),
        {"Sid": "PublishAsPublisher", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": publisher_arn},
    ]
    if connection_arn:
        statements.append(
            {"Sid": "CloneThroughConnection", "Effect": "Allow", "Action": USE_CONNECTION, "Resource": connection_arn}
        )
    return statements


def pipeline_statements(
    *, account: Account, name: str, spec: DeliveryPipeline, store: str, key_arn: str, connection_arn: str | None
) -> list[Statement]:
    """The CodePipeline role: its artifact store, the source, and starting build project ``name`` only."""
    partition = arns.partition_of(account.region)
    return [
        *store_statements(partition, store, key_arn),
        *source_statements(partition, spec, connection_arn),
        {
            "Sid": "RunTheBuild",
            "Effect": "Allow",
            "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            "Resource": arns.codebuild_project(account.region, account.account_id, name),
        },
    ]


def source_events_statements(account: Account, pipeline: str) -> list[Statement]:
    """The EventBridge role of an S3 source: start pipeline ``pipeline`` only."""
    return [
        {
            "Sid": "StartPipeline",
            "Effect": "Allow",
            "Action": "codepipeline:StartPipelineExecution",
            "Resource": arns.codepipeline(account.region, account.account_id, pipeline),
        }
    ]
