"""The delivery chain's guardrail: one SCP on the DataLake OU, as a plain dict.

Attached to the DataLake OU, so it holds in every account below it: the datalake account
(master pipeline, publisher), every silo and every analytics account. It is one policy, not
one more on the silos OU: the silos OU keeps its budget (:mod:`silolake.policy.scp`), and a
policy inherited from a parent OU does not count against the child's five.

What it keeps to the deploy role (``organization.deploy_role_name``, Terraform of central CI),
each statement exempting principals by ``aws:PrincipalArn`` (``ArnNotLike``: the role's full
ARN, path included, so a look-alike role ``role/x/<deploy role>`` is not exempt):

* **One way to publish** (docs/delivery.md, "Who can publish"). The release project's
  builds start only from the release pipeline's own role; nobody else starts, retries or
  changes that project. The release pipeline starts only from its source (the CodeConnections
  trigger is the service itself, not an IAM principal; the S3 variant's events role) and
  nobody changes, deletes, rolls back or approves in it. ``codepipeline:StartPipelineExecution``
  has no condition key for source-revision or variable overrides (Service Authorization
  Reference, AWS CodePipeline: the action lists no condition keys), so overrides cannot be
  denied alone: starting the pipeline is denied to all but the deploy role and the events
  role, which sends no overrides. The roles of the datalake account (``silolake-datalake-*``:
  the publisher and the release roles) are changed by nobody else, and only the deploy role
  and the release build may assume the publisher (its trust says the same).
* **Read-only reads no identities**: ``transfer:TestIdentityProvider`` takes a source IP of
  the caller's choosing, so it bypasses ``allowed_cidrs`` and feeds the lock-out counter.
* **State, audit and hold**: the Terraform state buckets (``names.state_bucket_pattern``):
  versions, policy, versioning, encryption, lifecycle, public access block, existence; the
  partner audit log groups (``partner_access_names.partner_audit_log_group_patterns``); the malware hold
  (GuardDuty Malware Protection plans of the account); what each silo pipeline last applied
  (its rollback refusal's record, written by the pipeline's build role only).

A bundle whose plan changes one of these fails at apply with an explicit deny; central CI
(the deploy role) applies it.
"""

from __future__ import annotations

from ..aws import arns, delivery_names, names, partner_access_names
from ..catalog.model import Catalog
from . import documents as policy
from .delivery import STATE_BUCKET_SETTINGS
from .scp import OBJECT_DESTRUCTION, ROLE_MUTATIONS, organization_partition, role_arn_pattern
from .sharing import PUBLISHER_PURPOSE

#: Running the release project's build is publishing (the build assumes the publisher).
RELEASE_BUILD_RUNS = (
    "codebuild:RetryBuild",
    "codebuild:RetryBuildBatch",
    "codebuild:StartBuild",
    "codebuild:StartBuildBatch",
)
#: Changing the release project changes what the build runs (buildspec, image, role, source).
RELEASE_PROJECT_CHANGES = (
    "codebuild:CreateWebhook",
    "codebuild:DeleteProject",
    "codebuild:DeleteWebhook",
    "codebuild:UpdateProject",
    "codebuild:UpdateWebhook",
)
#: Changes to the release pipeline: its definition (source branch), a rollback to an older
#: execution's revisions, approvals and overridden conditions.
RELEASE_PIPELINE_CHANGES = (
    "codepipeline:DeletePipeline",
    "codepipeline:OverrideStageCondition",
    "codepipeline:PutApprovalResult",
    "codepipeline:RollbackStage",
    "codepipeline:UpdatePipeline",
)
RELEASE_PIPELINE_START = "codepipeline:StartPipelineExecution"
#: A read that signs in as a partner from any source IP (Service Authorization Reference,
#: AWS Transfer Family: access level Read).
IDENTITY_PROVIDER_TEST = "transfer:TestIdentityProvider"
#: Deleting or shortening the partner audit trail, or taking its key away.
AUDIT_LOG_CHANGES = (
    "logs:DeleteLogGroup",
    "logs:DeleteLogStream",
    "logs:DisassociateKmsKey",
    "logs:PutRetentionPolicy",
)
#: Rewriting what a silo pipeline last applied would let it apply an older bundle again.
APPLIED_RECORD_CHANGES = (
    "ssm:DeleteParameter",
    "ssm:DeleteParameters",
    "ssm:LabelParameterVersion",
    "ssm:PutParameter",
    "ssm:UnlabelParameterVersion",
)
#: Switching the malware hold off: the plan tags objects, and the dropzone's policy waits for the tag.
MALWARE_HOLD_CHANGES = ("guardduty:DeleteMalwareProtectionPlan", "guardduty:UpdateMalwareProtectionPlan")


def _except(partition: str, *role_names: str) -> dict:
    roles = [role_arn_pattern(partition, n) for n in role_names]
    return {"ArnNotLike": {"aws:PrincipalArn": roles[0] if len(roles) == 1 else roles}}


def deny_except(
    sid: str, actions: tuple[str, ...] | str, resources: list[str] | str, *exempt: str, partition: str
) -> dict:
    """A guardrail statement: deny ``actions`` on ``resources`` to every principal whose ARN is
    not the role named (or name-patterned) by one of ``exempt``, in any account of ``partition``."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Action": list(actions) if isinstance(actions, tuple) else actions,
        "Resource": resources,
        "Condition": _except(partition, *exempt),
    }


def publish_statements(partition: str, org: str, deploy_role: str) -> list[dict]:
    """Only the release pipeline starts the release build; only its source starts the pipeline;
    only the deploy role changes either, or the datalake roles; only the release build (and
    the deploy role) assume the publisher."""
    release = delivery_names.release_name(org)
    project = arns.any_region(partition, "codebuild", f"project/{release}")
    pipeline = arns.any_region(partition, "codepipeline", release)
    roles = delivery_names.RELEASE_ROLE_PURPOSES
    return [
        deny_except(
            "ReleaseBuildOnlyFromItsPipeline",
            RELEASE_BUILD_RUNS,
            project,
            deploy_role,
            names.datalake_role(roles["pipeline"]),
            partition=partition,
        ),
        deny_except("ReleaseProjectUnchanged", RELEASE_PROJECT_CHANGES, project, deploy_role, partition=partition),
        deny_except(
            "ReleasePipelineOnlyFromItsSource",
            RELEASE_PIPELINE_START,
            pipeline,
            deploy_role,
            names.datalake_role(roles["events"]),
            partition=partition,
        ),
        deny_except(
            "ReleasePipelineUnchanged", RELEASE_PIPELINE_CHANGES, f"{pipeline}*", deploy_role, partition=partition
        ),
        deny_except(
            "DatalakeRolesUnchanged",
            ROLE_MUTATIONS,
            role_arn_pattern(partition, names.datalake_role("*")),
            deploy_role,
            partition=partition,
        ),
        deny_except(
            "PublisherOnlyFromTheBuild",
            "sts:AssumeRole",
            role_arn_pattern(partition, names.datalake_role(PUBLISHER_PURPOSE)),
            deploy_role,
            names.datalake_role(roles["build"]),
            partition=partition,
        ),
    ]


def protection_statements(partition: str, org: str, state_prefix: str, deploy_role: str) -> list[dict]:
    """State buckets, partner audit log groups, the malware hold, the identity provider test."""
    state = arns.s3(partition, names.state_bucket_pattern(state_prefix))
    logs = [
        arns.any_region(partition, "logs", f"log-group:{g}")
        for g in partner_access_names.partner_audit_log_group_patterns(org)
    ]
    return [
        deny_except("IdentityProviderTestOnlyDeploy", IDENTITY_PROVIDER_TEST, "*", deploy_role, partition=partition),
        deny_except("StateBucketUnchanged", STATE_BUCKET_SETTINGS, state, deploy_role, partition=partition),
        deny_except("StateVersionsKept", OBJECT_DESTRUCTION, f"{state}/*", deploy_role, partition=partition),
        deny_except(
            "PartnerAuditLogsKept",
            AUDIT_LOG_CHANGES,
            [*logs, *(f"{g}:*" for g in logs)],
            deploy_role,
            partition=partition,
        ),
        deny_except(
            "MalwareHoldKept",
            MALWARE_HOLD_CHANGES,
            arns.any_region(partition, "guardduty", "malware-protection-plan/*"),
            deploy_role,
            partition=partition,
        ),
        deny_except(
            "AppliedRecordOnlyFromPipelines",
            APPLIED_RECORD_CHANGES,
            arns.any_region(partition, "ssm", f"parameter{delivery_names.PIPELINE_PARAMETER_PREFIX}*"),
            deploy_role,
            names.silo_role("*", "pipeline"),
            partition=partition,
        ),
    ]


def chain_scp(catalog: Catalog) -> dict:
    """The DataLake-OU guardrail (bounded size: it grows only with the deploy role name, the
    organization name and the state bucket prefix: 4,486 characters for the example, 5,010 of
    the 5,120 allowed in the worst case of a 64-character deploy role, a 12-character
    organization and a 24-character prefix, which ``tests/iam/test_chain_guardrails.py`` renders).
    GovCloud ARNs are 7 characters longer: there the deploy role is bounded to
    :data:`silolake.catalog.partitions.GOVCLOUD_DEPLOY_ROLE_MAX` characters so it still fits."""
    org, partition = catalog.organization, organization_partition(catalog)
    return policy.document(
        [
            *publish_statements(partition, org.name, org.deploy_role_name),
            *protection_statements(partition, org.name, org.state_bucket_prefix, org.deploy_role_name),
        ]
    )
