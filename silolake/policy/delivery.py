"""Policies of delivery: the silo pipeline's roles and boundary, bundle-event routing, the
GitHub OIDC plan role. Plain dicts (no cdktf), so the IAM engine tests evaluate exactly
what is deployed.

Who may do what:

* ``silolake-<silo>-release-pipeline`` (CodePipeline): reads *its own* bundle key in the
  artifacts bucket (the bucket policy admits ``silolake-*-pipeline`` roles of the silos OU
  to ``bundles/${aws:PrincipalAccount}/`` only), writes its artifact store, starts its two
  CodeBuild projects.
* ``silolake-<silo>-pipeline`` (CodeBuild): runs ``terraform apply`` of the silo stack, so it
  needs what Terraform needs in the account: the AWS managed ``AdministratorAccess``, bounded
  by :func:`pipeline_boundary`. The silos-OU SCP already keeps every principal but the deploy
  role from changing ``silolake-*-*`` roles, ``/silolake/`` policies, silo buckets' guardrail
  settings and silo keys (:mod:`silolake.policy.scp`); the boundary adds what the SCP does
  not cover: the pipeline's own definition, projects, approval and trigger, the state
  bucket's settings, the account's OIDC providers and long-lived IAM credentials.
* ``silolake-<silo>-pipeline-trigger`` (EventBridge): starts that one pipeline.
* ``silolake-github-plan`` (GitHub OIDC, every account): trusted by :func:`github_plan_trust`;
  reads configuration and state and takes the state lock, never data
  (:func:`silolake.policy.read_only.github_plan_statements`).
"""

from __future__ import annotations

from ..aws import arns, delivery_names, names
from ..catalog.model import Silo
from . import bounded, sharing
from .documents import Statement, account_root

#: Changes that would let a bundle widen or bypass its own pipeline. Denied to the CodeBuild
#: role by its boundary; central CI (the deploy role) changes the pipeline.
PIPELINE_SELF_CHANGES = (
    "codepipeline:DeletePipeline",
    "codepipeline:PutApprovalResult",
    "codepipeline:UpdatePipeline",
    "codebuild:DeleteProject",
    "codebuild:UpdateProject",
)
TRIGGER_CHANGES = (
    "events:DeleteRule",
    "events:DisableRule",
    "events:PutPermission",
    "events:PutRule",
    "events:PutTargets",
    "events:RemovePermission",
    "events:RemoveTargets",
)
#: Bucket settings of the state bucket (created by ``silolake bootstrap``, never by Terraform).
STATE_BUCKET_SETTINGS = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketPublicAccessBlock",
)
#: Identity providers, users, credentials: :data:`silolake.policy.bounded.IDENTITY_CHANGES`.
IDENTITY_CHANGES = bounded.IDENTITY_CHANGES

#: GitHub's OIDC token audience for AWS (aws-actions/configure-aws-credentials).
GITHUB_AUDIENCE = "sts.amazonaws.com"


def pipeline_arn(account_id: str, region: str, silo: str) -> str:
    """The pipeline of ``silo`` (:func:`silolake.aws.delivery_names.silo_pipeline`)."""
    return arns.codepipeline(region, account_id, delivery_names.silo_pipeline(silo))


def project_arn(account_id: str, region: str, silo: str, stage: str) -> str:
    """The ``stage`` build project of ``silo`` (:func:`silolake.aws.delivery_names.silo_build_project`)."""
    return arns.codebuild_project(region, account_id, delivery_names.silo_build_project(silo, stage))


def bundle_object_arn(partition: str, bucket: str, account_id: str, stack: str) -> str:
    return arns.s3(partition, bucket, delivery_names.stack_bundle_key(account_id, stack))


def source_trust(account_id: str, source_arns: list[str]) -> dict:
    """Trust condition of a service role: only for ``source_arns`` of ``account_id`` (confused deputy)."""
    return {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": source_arns[0] if len(source_arns) == 1 else sorted(source_arns)},
    }


def release_statements(
    *,
    account_id: str,
    region: str,
    silo: str,
    stack: str,
    artifacts_bucket: str,
    artifacts_account: str,
    store_bucket: str,
    key_arn: str,
) -> list[Statement]:
    """CodePipeline role: its own bundle (object and versions), the artifacts key through S3,
    its artifact store (encrypted with the silo key), its two build projects."""
    partition = arns.partition_of(region)
    return [
        {
            "Sid": "ReadOwnBundle",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": bundle_object_arn(partition, artifacts_bucket, account_id, stack),
        },
        {
            "Sid": "SourceBucketSettings",
            "Effect": "Allow",
            "Action": list(sharing.ARTIFACT_BUCKET_SETTINGS),
            "Resource": arns.s3(partition, artifacts_bucket),
        },
        {
            "Sid": "DecryptBundles",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": arns.regional("kms", region, artifacts_account, "key/*"),
            "Condition": {
                "StringEquals": {"kms:ViaService": arns.service_endpoint("s3", region)},
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/silolake-artifacts"},
            },
        },
        {
            "Sid": "ArtifactStore",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": arns.s3(partition, store_bucket, "*"),
        },
        {
            "Sid": "ArtifactStoreBucket",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"],
            "Resource": arns.s3(partition, store_bucket),
        },
        {
            "Sid": "ArtifactStoreKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"],
            "Resource": key_arn,
        },
        {
            "Sid": "RunOwnBuilds",
            "Effect": "Allow",
            "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            "Resource": [project_arn(account_id, region, silo, s) for s in ("apply", "plan")],
        },
    ]


def pipeline_boundary_arn(partition: str, account_id: str, silo: str) -> str:
    return arns.customer_policy(partition, account_id, delivery_names.silo_pipeline_boundary(silo), "/silolake/")


def pipeline_roles_arn(partition: str, account_id: str, silo: str) -> str:
    """The roles the silo pipeline may create: its path (:func:`silolake.aws.names.silo_pipeline_role_path`)."""
    return arns.role(partition, account_id, "*", delivery_names.silo_pipeline_role_path(silo))


def pipeline_boundary(
    *, account_id: str, region: str, silo: str, state_bucket: str, store_bucket: str
) -> list[Statement]:
    """Permissions boundary of the CodeBuild role (see the module docstring for what the SCP covers).

    Statement 1 allows everything, so ``AdministratorAccess`` keeps the actions Terraform needs
    for any resource a silo stack holds; the denies carve out what no bundle may change, and
    :func:`silolake.policy.bounded.bounded_role_statements` keeps every role it creates inside this same boundary
    (passing silo roles, ``silolake-*``, to services stays allowed: the silo's functions and
    jobs run as them). Only *changes* are denied: ``terraform plan`` still reads (refreshes)
    every one of these resources."""
    partition = arns.partition_of(region)
    trigger_rule = arns.events_rule(region, account_id, delivery_names.silo_pipeline(silo))
    boundary_arn = pipeline_boundary_arn(partition, account_id, silo)
    return [
        {"Sid": "TerraformManagesTheSilo", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "NoPipelineSelfChange",
            "Effect": "Deny",
            "Action": list(PIPELINE_SELF_CHANGES),
            "Resource": "*",
        },
        {
            "Sid": "NoTriggerChange",
            "Effect": "Deny",
            "Action": list(TRIGGER_CHANGES),
            "Resource": [trigger_rule, arns.event_bus(region, account_id)],
        },
        {
            "Sid": "NoStateOrStoreBucketSettings",
            "Effect": "Deny",
            "Action": list(STATE_BUCKET_SETTINGS),
            "Resource": [arns.s3(partition, state_bucket), arns.s3(partition, store_bucket)],
        },
        # Its own roles and boundary: not under its path, so unchangeable (ChangeOnlyRolesItCreated),
        # and NoBoundaryChange.
        *bounded.bounded_role_statements(
            boundary_arn=boundary_arn,
            roles_arn=pipeline_roles_arn(partition, account_id, silo),
            passable=[arns.role(partition, account_id, names.silo_role_pattern("*"))],
        ),
    ]


def trigger_statements(account_id: str, region: str, silo: str) -> list[Statement]:
    return [
        {
            "Sid": "StartOwnPipeline",
            "Effect": "Allow",
            "Action": "codepipeline:StartPipelineExecution",
            "Resource": pipeline_arn(account_id, region, silo),
        }
    ]


def bundle_event_pattern(bucket: str, prefix: str, source_account: str) -> dict:
    """EventBridge pattern: S3 ``Object Created`` of ``bucket`` under ``prefix`` (EventBridge
    notifications of the artifacts bucket, https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html)."""
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "account": [source_account],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": prefix}]}},
    }


def bus_policy(account_id: str, region: str, datalake_account: str) -> list[Statement]:
    """The silo's default bus accepts events from the datalake account (the forwarding rule).
    Only the silo's trigger rule acts on them, and it matches its own bundle key only."""
    return [
        {
            "Sid": "DatalakeForwardsBundleEvents",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(arns.partition_of(region), datalake_account)},
            "Action": "events:PutEvents",
            "Resource": arns.event_bus(region, account_id),
        }
    ]


def forward_statements(targets: list[tuple[str, str]]) -> list[Statement]:
    """Forwarding role of the datalake account: put events on the listed (account, region) default buses."""
    return [
        {
            "Sid": "ForwardToSiloBuses",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": sorted(arns.event_bus(r, a) for a, r in targets),
        }
    ]


# --- GitHub OIDC plan role ---------------------------------------------------------------------


def github_subjects(repository: str) -> list[str]:
    """The ``sub`` claims the plan role admits: pull requests of ``repository`` and its main
    branch (the nightly drift run). https://docs.github.com/en/actions/reference/openid-connect-reference"""
    return [f"repo:{repository}:pull_request", f"repo:{repository}:ref:refs/heads/main"]


#: The one GitHub Environment whose jobs may sign in to the CI role (deploy.yml, apply-stack.yml).
DEPLOY_ENVIRONMENT = "production"


def ci_role_subjects(repository: str) -> list[str]:
    """The ``sub`` claims the CI role (secret ``SILOLAKE_CI_ROLE_ARN``, which assumes the deploy
    role of every account) may admit: jobs of the ``production`` environment and the main
    branch. Never ``pull_request``: a pull request runs any workflow code it likes."""
    return [f"repo:{repository}:environment:{DEPLOY_ENVIRONMENT}", f"repo:{repository}:ref:refs/heads/main"]


def ci_role_trust(management_account_id: str, repository: str, *, partition: str) -> dict:
    """Trust policy of the CI role in the management account (the operator creates the role;
    ``silolake init`` prints this in the repository's README, docs/delivery.md explains it);
    ``partition``: the organization's (its home region's)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": github_oidc_provider(partition, management_account_id)},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{delivery_names.GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE,
                        f"{delivery_names.GITHUB_OIDC_HOST}:sub": ci_role_subjects(repository),
                    }
                },
            }
        ],
    }


def github_oidc_provider(partition: str, account_id: str) -> str:
    """The account's IAM OIDC identity provider for GitHub Actions."""
    return arns.iam(partition, account_id, f"oidc-provider/{delivery_names.GITHUB_OIDC_HOST}")


def github_plan_trust(account_id: str, repository: str, *, partition: str) -> dict:
    provider = github_oidc_provider(partition, account_id)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{delivery_names.GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE,
                        f"{delivery_names.GITHUB_OIDC_HOST}:sub": github_subjects(repository),
                    }
                },
            }
        ],
    }


# --- where a silo's pipeline runs ------------------------------------------------------------------


def pipeline_region(silo: Silo, artifacts_region: str) -> str:
    """Region of a silo's pipeline: the artifacts bucket's, whatever the silo's.

    An S3 source action reads only a bucket of the pipeline's own region, and source actions
    cannot be cross-Region (https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-cross-region.html),
    so the pipeline, its builds, artifact store and trigger live in the artifacts bucket's
    region, in the silo's account; the builds run Terraform against the silo's region (the
    stack's provider and backend name it). A regional copy of the artifacts bucket per silo
    region was the other answer: more buckets, replication and keys to guard, for no gain."""
    del silo  # every silo, in any region (docs/delivery.md, "Region")
    return artifacts_region
