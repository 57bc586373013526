"""The silo leg of the AWS-native pipeline: a silo account deploys its own bundle.

CodePipeline (V2) in the silo account: an S3 source action on the silo stack's bundle key
in the central artifacts bucket (``bundles/<account>/silo-<name>/bundle.zip``), a plan
stage (CodeBuild: verify the exact object version, pinned Terraform, provider from the
mirror, in-account rendering, ``terraform plan -out``), an optional manual approval
(``silos[].pipeline.approval``) and an apply stage (the saved plan). docs/delivery.md
explains each choice; :mod:`silolake.policy.delivery` holds every policy.

* The buildspecs are the package files ``silolake/runtime/buildspec/silo-{plan,apply}.yml``,
  embedded in the projects at synth: what runs with the pipeline's rights is decided by the
  deployed silo stack, never by the bundle being deployed.
* New bundles are *events*: the datalake account forwards ``Object Created`` of this
  account's prefix to this account's default bus (:mod:`.bundle_events`), whose policy
  admits the datalake account; a rule here starts the pipeline. The source action does not
  poll (CodePipeline disables polling after 30 days without a run).
* An S3 source action must be in the pipeline's region, and the source bucket with it, so
  every silo's pipeline lives in the artifacts bucket's region
  (:func:`silolake.policy.delivery.pipeline_region`), in the silo's account, and runs
  Terraform against the silo's region. Outside the silo's region it brings its own key and
  access-log bucket (KMS keys and S3 log targets serve their own region only) and every
  resource of it uses the stack's provider for that region.
* Decommission keeps everything and disables the trigger rule: no new run starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from ... import policy
from ...aws import arns, delivery_names, names, versions
from ...aws.terraform_text import literal
from ...catalog.model import DeployedSilo
from ...engine.cdk import Construct, TerraformProvider, TerraformResource, aws, typed
from ...policy import delivery
from ...runtime import runtime_path
from ..blocks.kms import CustomerKey
from ..blocks.secure_bucket import Lifecycle, SecureBucket, access_log_bucket
from ..blocks.service_role import encrypted_log_group, service_role, trust_policy
from ..context import SiloContext

#: Buildspec files of the silo leg (shipped in the package, ``silolake/runtime/buildspec/``).
BUILDSPEC_DIR = runtime_path("buildspec")
STAGES = ("plan", "apply")
#: CodeBuild's managed Amazon Linux 2023 image (Python 3.11 runtime, AWS CLI, curl, unzip).
BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
#: The AWS-managed policy of the build role, bounded by the pipeline boundary (its ARN is per partition).
ADMINISTRATOR_ACCESS = "AdministratorAccess"
#: Pipeline artifacts (bundles, saved plans: plans hold resource attributes in clear) are scratch.
ARTIFACT_DAYS = 30
SOURCE_NAMESPACE = "SourceVariables"


@cache  # read once per process, not once per silo stack of a large synth
def buildspec(stage: str) -> str:
    """Text of ``silolake/runtime/buildspec/silo-<stage>.yml`` (its shell ``${VARIABLE}`` s are
    not Terraform's: the resource gets it through :func:`silolake.aws.terraform_text.literal`)."""
    return (BUILDSPEC_DIR / f"silo-{stage}.yml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class BundleSource:
    """Where the silo's bundles come from: the artifacts bucket of the datalake account."""

    bucket: str
    account_id: str
    region: str


class SiloPipeline(Construct):
    """Artifact store, log group, roles, two CodeBuild projects, the pipeline and its trigger.

    Attributes: ``pipeline`` (``aws_codepipeline``), ``projects`` (stage -> ``aws_codebuild_project``),
    ``build_role`` (the ``silolake-<silo>-pipeline`` role), ``store`` (:class:`SecureBucket`),
    ``rule`` (the trigger ``aws_cloudwatch_event_rule``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        state_bucket: str,
        source: BundleSource,
        provider: TerraformProvider | None = None,
    ) -> None:
        """``ctx``: the silo's context (its key encrypts the artifact store, logs and builds;
        its logs bucket takes the access logs); ``state_bucket``: this account's Terraform
        state bucket; ``provider``: the stack's provider for the artifacts bucket's region, when
        that is not the silo's (then the key and the logs bucket are the pipeline's own)."""
        super().__init__(scope, id)
        org, silo, key, log_bucket = ctx.org, ctx.silo, ctx.key, ctx.buckets["logs"].name
        account, stack = silo.account_id, silo.stack_name
        region = delivery.pipeline_region(silo, source.region)
        if (region != silo.region) != (provider is not None):
            raise ValueError(
                f"silo {silo.name}: a pipeline in {region} needs a provider there exactly when it is not {silo.region}"
            )
        if provider is not None:
            key = CustomerKey(
                self,
                "key",
                alias=delivery_names.silo_pipeline_key_alias(silo.name),
                description=f"silolake: artifacts of silo {silo.name}'s pipeline in {region}",
                account_id=account,
                region=region,
            )
            log_bucket = names.silo_bucket(org, silo.name, "logs", account, region)
            access_log_bucket(
                self, "access-logs", name=log_bucket, account_id=account, partition=arns.partition_of(region)
            )
        pipeline_name = delivery_names.silo_pipeline(silo.name)
        store_name = names.silo_bucket(org, silo.name, names.PIPELINE_BUCKET, account, region)
        self.store = SecureBucket(
            self,
            "store",
            name=store_name,
            kms_key_arn=key.arn,
            access_log_bucket=log_bucket,
            lifecycle=Lifecycle(noncurrent_version_days=ARTIFACT_DAYS, expire_days=ARTIFACT_DAYS),
            partition=arns.partition_of(region),
        )
        log_group = f"/aws/codebuild/{pipeline_name}"
        logs = encrypted_log_group(self, "logs", name=log_group, kms_key_arn=key.arn)

        project_arns = [delivery.project_arn(account, region, silo.name, s) for s in STAGES]
        boundary_name = delivery_names.silo_pipeline_boundary(silo.name)
        boundary = aws.iam_policy.IamPolicy(
            self,
            "boundary",
            name=boundary_name,
            path="/silolake/",
            description=f"Permissions boundary of silo {silo.name}'s deployment builds",
            policy=policy.render(
                policy.document(
                    delivery.pipeline_boundary(
                        account_id=account,
                        region=region,
                        silo=silo.name,
                        state_bucket=state_bucket,
                        store_bucket=store_name,
                    )
                )
            ),
        )
        self.build_role = aws.iam_role.IamRole(
            self,
            "build-role",
            name=names.silo_role(silo.name, "pipeline"),
            description=f"Runs terraform plan/apply of silo-{silo.name} in its own account (bounded)",
            assume_role_policy=policy.render(
                trust_policy(ctx.service_principal("codebuild"), delivery.source_trust(account, project_arns))
            ),
            permissions_boundary=boundary.arn,
        )
        admin = aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self,
            "build-role-admin",
            role=self.build_role.name,
            policy_arn=arns.aws_managed_policy(ctx.partition, ADMINISTRATOR_ACCESS),
        )
        environment = {
            "SILOLAKE_STACK": stack,
            # The wheel of the commit that made the bundle (its manifest names it): the build
            # verifies and renders with the framework that synthesized it, from no package index.
            "SILOLAKE_WHEEL_PREFIX": delivery_names.SILOLAKE_WHEEL_PREFIX,
            "ARTIFACTS_BUCKET": source.bucket,
            "ARTIFACTS_REGION": source.region,
            "BUNDLE_KEY": delivery_names.stack_bundle_key(account, stack),
            "PROVIDER_MIRROR_KEY": delivery_names.provider_mirror_key(versions.AWS_PROVIDER_VERSION),
            "TERRAFORM_VERSION": versions.TERRAFORM_VERSION,
            # Rollback refusal (silo-plan.yml): what was last applied, and the one older commit
            # the catalog allows (``pipeline.rollback_to``; empty: none).
            "APPLIED_PARAMETER": delivery_names.silo_pipeline_applied_parameter(silo.name),
            "SILOLAKE_ROLLBACK_TO": silo.pipeline_rollback_to or "",
        }
        self.projects = {
            stage: typed(aws.codebuild_project.CodebuildProject)(
                self,
                f"{stage}-project",
                name=delivery_names.silo_build_project(silo.name, stage),
                description=f"terraform {stage} of {stack} (silolake silo pipeline)",
                service_role=self.build_role.arn,
                encryption_key=key.arn,
                build_timeout=60,
                source={"type": "CODEPIPELINE", "buildspec": literal(buildspec(stage))},
                artifacts={"type": "CODEPIPELINE"},
                environment={
                    "compute_type": "BUILD_GENERAL1_SMALL",
                    "image": BUILD_IMAGE,
                    "type": "LINUX_CONTAINER",
                    "image_pull_credentials_type": "CODEBUILD",
                    "privileged_mode": False,
                    "environment_variable": [
                        {"name": k, "value": v, "type": "PLAINTEXT"} for k, v in environment.items()
                    ],
                },
                logs_config={
                    "cloudwatch_logs": {"status": "ENABLED", "group_name": log_group, "stream_name": stage},
                    "s3_logs": {"status": "DISABLED"},
                },
                depends_on=[admin, logs],
            )
            for stage in STAGES
        }

        arn = delivery.pipeline_arn(account, region, silo.name)
        release = service_role(
            self,
            "release-role",
            name=names.silo_role(silo.name, "release-pipeline"),
            service=ctx.service_principal("codepipeline"),
            trust_condition=delivery.source_trust(account, [arn]),
            description=f"CodePipeline of silo-{silo.name}: reads its own bundle, runs its builds",
            statements=delivery.release_statements(
                account_id=account,
                region=region,
                silo=silo.name,
                stack=stack,
                artifacts_bucket=source.bucket,
                artifacts_account=source.account_id,
                store_bucket=store_name,
                key_arn=key.arn,
            ),
        )
        self.pipeline = aws.codepipeline.Codepipeline(
            self,
            "pipeline",
            name=pipeline_name,
            pipeline_type="V2",
            execution_mode="SUPERSEDED",
            role_arn=release.arn,
            artifact_store=[
                aws.codepipeline.CodepipelineArtifactStore(
                    location=store_name,
                    type="S3",
                    encryption_key=aws.codepipeline.CodepipelineArtifactStoreEncryptionKey(id=key.arn, type="KMS"),
                )
            ],
            stage=self._stages(silo, source, stack),
            depends_on=[release.policy, self.store.policy],
        )

        # Event-driven start (the datalake account forwards this account's bundle events here).
        aws.cloudwatch_event_bus_policy.CloudwatchEventBusPolicy(
            self,
            "bus-policy",
            event_bus_name="default",
            policy=policy.render(policy.document(delivery.bus_policy(account, region, source.account_id))),
        )
        self.rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            "trigger",
            name=pipeline_name,
            description=f"Starts {pipeline_name} when a new bundle of {stack} is published",
            event_pattern=json.dumps(
                delivery.bundle_event_pattern(
                    source.bucket, delivery_names.stack_bundle_key(account, stack), source.account_id
                ),
                sort_keys=True,
            ),
            state="DISABLED" if silo.decommission else "ENABLED",
        )
        rule_arn = arns.events_rule(region, account, pipeline_name)
        trigger = service_role(
            self,
            "trigger-role",
            name=names.silo_role(silo.name, "pipeline-trigger"),
            service=ctx.service_principal("events"),
            trust_condition=delivery.source_trust(account, [rule_arn]),
            description=f"Lets EventBridge start {pipeline_name}",
            statements=delivery.trigger_statements(account, region, silo.name),
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(
            self,
            "trigger-target",
            rule=self.rule.name,
            target_id="pipeline",
            arn=self.pipeline.arn,
            role_arn=trigger.arn,
            depends_on=[trigger.policy],
        )
        if provider is not None:
            for node in self.node.find_all():
                if isinstance(node, TerraformResource):
                    node.provider = provider

    def _stages(self, silo: DeployedSilo, source: BundleSource, stack: str) -> list:
        # Typed structs: keys of dicts nested in a list reach the engine unconverted (snake_case
        # keys such as output_artifacts would be dropped).
        cp = aws.codepipeline

        def action(name: str, category: str, provider: str, configuration: dict[str, str], **more):
            return cp.CodepipelineStageAction(
                name=name,
                category=category,
                owner="AWS",
                provider=provider,
                version="1",
                configuration=configuration,
                **more,
            )

        def build(stage: str, inputs: list[str], outputs: list[str], env: list[dict] | None = None):
            config = {"ProjectName": delivery_names.silo_build_project(silo.name, stage)}
            if env:
                config["EnvironmentVariables"] = json.dumps(env)
            return action(
                stage.capitalize(), "Build", "CodeBuild", config, input_artifacts=inputs, output_artifacts=outputs
            )

        source_action = action(
            "Bundle",
            "Source",
            "S3",
            {
                "S3Bucket": source.bucket,
                "S3ObjectKey": delivery_names.stack_bundle_key(silo.account_id, stack),
                "PollForSourceChanges": "false",
            },
            namespace=SOURCE_NAMESPACE,
            output_artifacts=["bundle"],
        )
        version_var = [
            {"name": "BUNDLE_VERSION_ID", "value": f"#{{{SOURCE_NAMESPACE}.VersionId}}", "type": "PLAINTEXT"}
        ]
        stages = [
            cp.CodepipelineStage(name="Source", action=[source_action]),
            cp.CodepipelineStage(name="Plan", action=[build("plan", ["bundle"], ["planned"], version_var)]),
        ]
        if silo.pipeline_approval:
            review = f"Read the plan summary of {stack} in the Plan build's log, then approve."
            stages.append(
                cp.CodepipelineStage(
                    name="Approve", action=[action("Review", "Approval", "Manual", {"CustomData": review})]
                )
            )
        stages.append(cp.CodepipelineStage(name="Apply", action=[build("apply", ["planned"], [])]))
        return stages
