"""The pipelines' guardrail: a second SCP on the DataLake OU, and the Silos-OU RCP on role trust.

**SCP ``silolake-datalake-pipelines``** keeps what each pipeline runs and reads to the principals
that must do it. A silo's own administrator (``Action: *`` in the silo account) could otherwise
run the apply project with a buildspec or environment override (``codebuild:StartBuild``),
change either project, write a forged plan or bundle into the pipeline's artifact store, pass
the pipeline's roles to a compute service of their own, override a stage condition or roll a
stage back to an older execution (an older saved plan: the rollback refusal of the plan stage
never sees it), or delete the plan log; a datalake administrator could re-policy the artifacts
bucket (the bucket policy is what reserves bundle writes to the publisher) or write into the
release pipeline's artifact store. Each statement exempts principals by ``aws:PrincipalArn``
(``ArnNotLike``, full role ARN: a look-alike on another IAM path is not exempt):

========================================  =========================================================
what                                      who may, besides the deploy role
========================================  =========================================================
start or retry a silo plan/apply build    ``silolake-<silo>-release-pipeline`` (CodePipeline)
change a silo build project                nobody
update, delete, override a condition of,  nobody (approving stays IAM's: the reviewer approves)
or roll back a stage of a silo pipeline
pass a ``silolake-<silo>-*pipeline`` role  nobody (Terraform passes them when it creates the project)
write a silo pipeline's artifact store     the two ``-pipeline`` roles (source and build outputs)
write the release pipeline's store         ``silolake-datalake-release``, ``-release-build``
re-policy, re-ACL, unversion or delete     nobody
the artifacts bucket or either store
delete or shorten a pipeline's build log   nobody
========================================  =========================================================

Why a second DataLake-OU SCP rather than statements in ``chain`` or ``baseline``: ``chain`` has
110 characters left in its worst case and ``baseline`` is the silos OU's, whose five-slot budget
the organization shares; the DataLake OU holds two silolake SCPs after this one
(``FullAWSAccess``, ``chain``, ``pipelines``: two slots left) and its SCPs hold in the datalake
account and in every silo account below it, which is where these resources live.

**RCP ``silolake-silos-trust``** (a resource control policy: it limits who may act on the silo
accounts' resources, whoever the caller is, which an SCP cannot): a role a silo pipeline creates
(its path ``/silolake/pipeline/<silo>/``, :func:`silolake.aws.delivery_names.silo_pipeline_role_path`) can be
assumed only by principals of its own account or by AWS services, however its trust reads. The
boundary cannot say this (``iam:CreateRole`` and ``iam:UpdateAssumeRolePolicy`` have no condition
key for the trust's principals), and the SCP cannot either (it governs the organization's callers,
not an external account's). RCPs support ``sts`` (AWS Organizations User Guide, "Resource control
policies", the supported-services list); their grammar is a resource policy's with
``Principal: "*"`` and no ``NotAction`` ("RCP syntax").
"""

from __future__ import annotations

from ..aws import arns, delivery_names, names
from ..catalog.model import Catalog
from . import documents as policy
from .chain import AUDIT_LOG_CHANGES, RELEASE_BUILD_RUNS, RELEASE_PROJECT_CHANGES, chain_scp, deny_except
from .delivery import STATE_BUCKET_SETTINGS
from .scp import organization_partition, role_arn_pattern

#: A build project's definition and who may read or share it (``UpdateProjectVisibility`` makes
#: its build logs public).
PROJECT_CHANGES = (*RELEASE_PROJECT_CHANGES, "codebuild:PutResourcePolicy", "codebuild:UpdateProjectVisibility")
#: A silo pipeline's definition, the conditions that gate a stage, and the stage rollback (which
#: re-runs a stage with an older execution's artifacts). ``PutApprovalResult`` is not here: the
#: silo's reviewer approves (``silos[].pipeline.approval``), which is IAM's to grant.
SILO_PIPELINE_CHANGES = (
    "codepipeline:DeletePipeline",
    "codepipeline:OverrideStageCondition",
    "codepipeline:RetryStageExecution",
    "codepipeline:RollbackStage",
    "codepipeline:UpdatePipeline",
)
#: Re-running a stage of the release pipeline: a retry runs the build again on whatever the
#: stage's input artifact holds now (the chain's ``RELEASE_PIPELINE_CHANGES`` has no room left).
RELEASE_PIPELINE_RETRY = "codepipeline:RetryStageExecution"
#: Bucket settings that could admit another writer (policy, ACL, ownership, public access block)
#: or drop what a store holds (versioning, encryption, lifecycle, the bucket).
STORE_BUCKET_SETTINGS = tuple(sorted({*STATE_BUCKET_SETTINGS, "s3:PutBucketAcl", "s3:PutBucketOwnershipControls"}))
#: Writing an artifact: a bundle or a saved plan the next stage runs (multipart uploads and
#: copies authorize as ``s3:PutObject``; a replication rule of a bucket elsewhere writes
#: through ``s3:Replicate*`` instead, S3 User Guide, "Setting up permissions for live replication").
ARTIFACT_WRITES = ("s3:PutObject", "s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags")
#: State bucket settings the chain's ``StateBucketUnchanged`` leaves out (it has no room left):
#: who else may read it (ACL, ownership, a replica elsewhere) and a retention lock on its objects.
STATE_BUCKET_SHARING = (
    "s3:PutBucketAcl",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutReplicationConfiguration",
)
#: Assuming a role, by any of the three ways STS offers.
ROLE_ASSUMPTION = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")


def silo_pipeline_statements(partition: str, org: str, deploy_role: str) -> list[dict]:
    """Silo pipelines (every silo account): builds, projects, pipeline, passed roles, store, log."""
    projects = [
        arns.any_region(partition, "codebuild", f"project/{delivery_names.silo_build_project('*', s)}")
        for s in ("plan", "apply")
    ]
    pipeline = arns.any_region(partition, "codepipeline", delivery_names.silo_pipeline("*"))
    release_pipeline = names.silo_role("*", "release-pipeline")
    pipeline_roles = names.silo_role_pattern("pipeline")  # the build role and the release-pipeline role
    store = arns.s3(partition, names.silo_bucket_pattern(org, names.PIPELINE_BUCKET), "*")
    return [
        deny_except(
            "SiloBuildsOnlyFromTheirPipeline",
            RELEASE_BUILD_RUNS,
            projects,
            deploy_role,
            release_pipeline,
            partition=partition,
        ),
        deny_except("SiloProjectsUnchanged", PROJECT_CHANGES, projects, deploy_role, partition=partition),
        # One pattern for the pipeline and its stages (``<pipeline>/<stage>``), as the chain's.
        deny_except("SiloPipelinesUnchanged", SILO_PIPELINE_CHANGES, f"{pipeline}*", deploy_role, partition=partition),
        deny_except(
            "SiloPipelineRolesNotPassed",
            "iam:PassRole",
            role_arn_pattern(partition, pipeline_roles),
            deploy_role,
            partition=partition,
        ),
        deny_except(
            "SiloStoreOnlyFromItsPipeline", ARTIFACT_WRITES, store, deploy_role, pipeline_roles, partition=partition
        ),
    ]


def state_statements(partition: str, org: str, state_bucket_prefix: str, deploy_role: str) -> list[dict]:
    """Only the deploy role shares the state bucket (every account's, ``silolake bootstrap`` made it)
    or retries a stage of the release pipeline."""
    state = arns.s3(partition, names.state_bucket_pattern(state_bucket_prefix))
    release = arns.any_region(partition, "codepipeline", f"{delivery_names.release_name(org)}*")  # and its stages
    return [
        deny_except("StateBucketNotShared", STATE_BUCKET_SHARING, state, deploy_role, partition=partition),
        deny_except("ReleaseStagesNotRetried", RELEASE_PIPELINE_RETRY, release, deploy_role, partition=partition),
    ]


def datalake_store_statements(partition: str, org: str, deploy_role: str) -> list[dict]:
    """The release pipeline's store, every store's and the artifacts bucket's settings, the build logs."""
    roles = delivery_names.RELEASE_ROLE_PURPOSES
    buckets = [
        arns.s3(partition, names.account_bucket_pattern(org, "artifacts")),
        arns.s3(partition, names.account_bucket_pattern(org, "release")),
        arns.s3(partition, names.silo_bucket_pattern(org, names.PIPELINE_BUCKET)),
    ]
    logs = [
        arns.any_region(partition, "logs", f"log-group:{delivery_names.codebuild_log_group(p)}")
        for p in (delivery_names.silo_pipeline("*"), delivery_names.release_name(org))
    ]
    return [
        deny_except(
            "ReleaseStoreOnlyFromItsPipeline",
            ARTIFACT_WRITES,
            f"{buckets[1]}/*",
            deploy_role,
            names.datalake_role(roles["pipeline"]),
            names.datalake_role(roles["build"]),
            partition=partition,
        ),
        deny_except("ArtifactBucketsKept", STORE_BUCKET_SETTINGS, buckets, deploy_role, partition=partition),
        deny_except(
            "PipelineLogsKept", AUDIT_LOG_CHANGES, [*logs, *(f"{g}:*" for g in logs)], deploy_role, partition=partition
        ),
    ]


def pipelines_scp(catalog: Catalog) -> dict:
    """The DataLake-OU ``pipelines`` SCP (bounded size: it grows only with the deploy role name, the
    organization name and the state bucket prefix: 3,944 characters for the example, 4,370 of the
    5,120 allowed in the worst case of a 64-character deploy role, a 12-character organization and
    a 24-character prefix, which ``tests/iam/test_pipeline_guardrails.py`` renders)."""
    org, partition = catalog.organization, organization_partition(catalog)
    return policy.document(
        [
            *silo_pipeline_statements(partition, org.name, org.deploy_role_name),
            *datalake_store_statements(partition, org.name, org.deploy_role_name),
            *state_statements(partition, org.name, org.state_bucket_prefix, org.deploy_role_name),
        ]
    )


def trust_rcp(partition: str) -> dict:
    """The Silos-OU RCP: roles on a silo pipeline's path are assumed only from their own account
    or by an AWS service. ``aws:PrincipalAccount`` is absent for SAML and web-identity callers
    (``IfExists``: denied), and ``aws:PrincipalIsAWSService`` is true only for a service principal
    (IAM User Guide, "AWS global condition context keys")."""
    return policy.document(
        [
            {
                "Sid": "PipelineRolesTrustOnlyTheirAccount",
                "Effect": "Deny",
                "Principal": "*",
                "Action": list(ROLE_ASSUMPTION),
                "Resource": arns.role(partition, "*", "*", delivery_names.silo_pipeline_role_path("*")),
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalAccount": "${aws:ResourceAccount}"},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            }
        ]
    )


def silos_rcps(catalog: Catalog) -> dict[str, dict]:
    """Every RCP attached to the Silos OU, by kind (named ``names.scp_name(kind)``)."""
    return {"trust": trust_rcp(organization_partition(catalog))}


def datalake_scps(catalog: Catalog) -> dict[str, dict]:
    """Every SCP attached to the DataLake OU, by kind (named ``names.scp_name(kind, "datalake")``):
    the publishing chain (:func:`silolake.policy.chain.chain_scp`) and :func:`pipelines_scp`."""
    return {"chain": chain_scp(catalog), "pipelines": pipelines_scp(catalog)}
