"""Master leg of the AWS-native pipeline: the datalake account builds and publishes every stack.

On every change of the source (a push to the branch of a CodeConnections repository, or a
new version of a zip in S3), a CodePipeline V2 pipeline hands the source to one CodeBuild
build. The build runs the steps of ``delivery/buildspec/master.yml``, a file in the
repository the project reads from the source (``BUILDSPEC``): the README's test command,
``silolake synth``, ``silolake bundle`` with the resolved source commit,
``terraform providers mirror`` and, as the publisher role, ``silolake publish
--only-changed`` and ``silolake mirror-provider``. Each silo's own pipeline starts from its
bundle key (docs/delivery.md).

Least privilege: the pipeline role may only use the connection (or read the source object),
read and write its own artifact store and start this one build; the build role may read
the source, write its logs, use the artifact store and *assume the publisher*, which alone
writes to the artifacts bucket (the artifacts bucket policy denies every other writer).
Every service trust is pinned to this account and to the one pipeline, project or rule
(``aws:SourceAccount`` and ``aws:SourceArn``).

Data it holds: the artifact store bucket (sources and build inputs between stages, expired
after ``ARTIFACT_DAYS``) and the build's log group, both encrypted with the artifacts key and
protected from destruction. Removing ``delivery.pipeline`` from the catalog makes the
datalake stack forget them (``removed``, destroy = false:
:func:`silolake.stacks.continuity.datalake_blocks`); the rest (pipeline, project, roles,
connection) is destroyed.
"""

from __future__ import annotations

from typing import Any

from ... import policy
from ...aws import arns, delivery_names, names
from ...aws.versions import AWS_PROVIDER_VERSION, TERRAFORM_VERSION
from ...catalog.delivery import DeliveryPipeline
from ...catalog.model import Account
from ...engine.cdk import Construct, aws, typed
from ...policy.release import build_statements, pipeline_statements, source_events_statements
from ..blocks.secure_bucket import Lifecycle, SecureBucket
from ..blocks.service_role import encrypted_log_group, service_role, source_account_condition

#: The build's instructions, a file in the repository (read from the source at build time).
BUILDSPEC = delivery_names.MASTER_BUILDSPEC
#: CodeBuild image: Ubuntu 22.04 with the Python 3.11, Node.js 20 and Java 17 runtimes the
#: test command needs (selected in the buildspec's runtime-versions).
BUILD_IMAGE = "aws/codebuild/standard:7.0"
#: Pipeline artifacts are scratch: a source zip per execution.
ARTIFACT_DAYS = 30
SOURCE_ARTIFACT = "source"


def _trust(account: Account, source_arn: str) -> dict[str, Any]:
    """Confused-deputy pin: the service acts for this account and for exactly this resource."""
    return {**source_account_condition(account.account_id), "ArnEquals": {"aws:SourceArn": source_arn}}


class MasterPipeline(Construct):
    """Connection (if any), artifact store, log group, roles, CodeBuild project and CodePipeline V2.

    Attributes: ``pipeline`` (``aws_codepipeline``), ``project`` (``aws_codebuild_project``),
    ``store`` (:class:`SecureBucket`), ``logs`` (log group), ``build_role`` and
    ``pipeline_role`` (:class:`~silolake.constructs.blocks.ServiceRole`), ``connection``
    (``aws_codeconnections_connection`` or ``None``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        org: str,
        account: Account,
        spec: DeliveryPipeline,
        key_arn: str,
        artifacts_bucket: str,
        access_log_bucket: str,
        publisher_arn: str,
    ) -> None:
        """``account``: the datalake account; ``key_arn``: the artifacts key (encrypts the
        store, logs and build); ``artifacts_bucket``: where the build publishes (as
        ``publisher_arn``); ``access_log_bucket``: the account's S3 access-log bucket."""
        super().__init__(scope, id)
        name = delivery_names.release_name(org)
        partition = arns.partition_of(account.region)
        self.connection = None
        connection_arn = None
        if spec.uses_connection:
            # Created PENDING: an operator completes the provider handshake once in the console.
            self.connection = aws.codeconnections_connection.CodeconnectionsConnection(
                self,
                "connection",
                name=delivery_names.source_connection_name(org),
                provider_type=spec.connection_provider,
            )
            connection_arn = self.connection.arn
        store = names.account_bucket(org, "release", account.account_id, account.region)
        self.store = SecureBucket(
            self,
            "store",
            name=store,
            kms_key_arn=key_arn,
            access_log_bucket=access_log_bucket,
            lifecycle=Lifecycle(noncurrent_version_days=ARTIFACT_DAYS, expire_days=ARTIFACT_DAYS),
            partition=partition,
        )
        self.logs = encrypted_log_group(
            self, "logs", name=delivery_names.codebuild_log_group(name), kms_key_arn=key_arn
        )
        self.build_role = service_role(
            self,
            "build-role",
            name=names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES["build"]),
            service=arns.service_principal("codebuild", partition),
            description="Master pipeline build: tests, synth, bundles; publishes as the publisher role",
            # An S3 source reaches the build through the artifact store: no source grant here.
            statements=build_statements(
                account=account,
                project=name,
                store=store,
                key_arn=key_arn,
                publisher_arn=publisher_arn,
                connection_arn=connection_arn,
            ),
            trust_condition=_trust(account, arns.codebuild_project(account.region, account.account_id, name)),
        )
        self.project = typed(aws.codebuild_project.CodebuildProject)(
            self,
            "project",
            name=name,
            description="silolake master build (delivery/buildspec/master.yml)",
            service_role=self.build_role.arn,
            build_timeout=spec.build_timeout_minutes,
            queued_timeout=60,
            encryption_key=key_arn,
            artifacts={"type": "CODEPIPELINE"},
            source={"type": "CODEPIPELINE", "buildspec": BUILDSPEC},
            environment={
                "compute_type": spec.compute_type,
                "image": BUILD_IMAGE,
                "type": "LINUX_CONTAINER",
                "image_pull_credentials_type": "CODEBUILD",
                "privileged_mode": False,
                "environment_variable": [
                    {"name": k, "value": v, "type": "PLAINTEXT"}
                    for k, v in (
                        ("ARTIFACTS_BUCKET", artifacts_bucket),
                        ("PUBLISHER_ROLE_ARN", publisher_arn),
                        ("TERRAFORM_VERSION", TERRAFORM_VERSION),
                        ("AWS_PROVIDER_VERSION", AWS_PROVIDER_VERSION),
                    )
                ],
            },
            logs_config={
                "cloudwatch_logs": {"status": "ENABLED", "group_name": self.logs.name},
                "s3_logs": {"status": "DISABLED"},
            },
            depends_on=[self.build_role.policy],
        )
        self.pipeline_role = service_role(
            self,
            "pipeline-role",
            name=names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES["pipeline"]),
            service=arns.service_principal("codepipeline", partition),
            description="Master pipeline: reads the source, starts the build",
            statements=pipeline_statements(
                account=account, name=name, spec=spec, store=store, key_arn=key_arn, connection_arn=connection_arn
            ),
            trust_condition=_trust(account, arns.codepipeline(account.region, account.account_id, name)),
        )
        # Blocks inside lists reach jsii as plain maps: their keys are the camelCase struct names.
        self.pipeline = typed(aws.codepipeline.Codepipeline)(
            self,
            "pipeline",
            name=name,
            pipeline_type="V2",
            execution_mode="QUEUED",  # every change is published, in order
            role_arn=self.pipeline_role.arn,
            artifact_store=[
                {"location": store, "type": "S3", "encryptionKey": {"id": key_arn, "type": "KMS"}},
            ],
            stage=[
                {"name": "Source", "action": [self._source_action(spec, connection_arn)]},
                {
                    "name": "BuildAndPublish",
                    "action": [
                        {
                            "name": "BuildAndPublish",
                            "category": "Build",
                            "owner": "AWS",
                            "provider": "CodeBuild",
                            "version": "1",
                            "inputArtifacts": [SOURCE_ARTIFACT],
                            "configuration": {"ProjectName": name},
                        }
                    ],
                },
            ],
            trigger=self._triggers(spec),
            depends_on=[self.pipeline_role.policy, self.store.policy],
        )
        if not spec.uses_connection:
            self._s3_source_events(account, org, spec)

    @staticmethod
    def _source_action(spec: DeliveryPipeline, connection_arn: str | None) -> dict[str, Any]:
        action: dict[str, Any] = {
            "name": "Source",
            "category": "Source",
            "owner": "AWS",
            "version": "1",
            "outputArtifacts": [SOURCE_ARTIFACT],
        }
        if spec.uses_connection:
            action["provider"] = "CodeStarSourceConnection"
            action["configuration"] = {
                "ConnectionArn": connection_arn,
                "FullRepositoryId": spec.repository,
                "BranchName": spec.branch,
                "OutputArtifactFormat": "CODEBUILD_CLONE_REF",
                "DetectChanges": "true",
            }
        else:
            action["provider"] = "S3"
            # Events, not polling: an EventBridge rule starts the pipeline (_s3_source_events).
            action["configuration"] = {
                "S3Bucket": spec.s3_bucket,
                "S3ObjectKey": spec.s3_key,
                "PollForSourceChanges": "false",
            }
        return action

    @staticmethod
    def _triggers(spec: DeliveryPipeline) -> list[dict[str, Any]]:
        """V2 trigger: pushes to the branch only (no pull requests: the pipeline publishes)."""
        if not spec.uses_connection:
            return []
        return [
            {
                "providerType": "CodeStarSourceConnection",
                "gitConfiguration": {
                    "sourceActionName": "Source",
                    "push": [{"branches": {"includes": [spec.branch]}}],
                },
            }
        ]

    def _s3_source_events(self, account: Account, org: str, spec: DeliveryPipeline) -> None:
        """An EventBridge rule starting the pipeline on a new version of the source object."""
        name, rule_name = delivery_names.release_name(org), delivery_names.source_rule_name(org)
        rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            "source-rule",
            name=rule_name,
            description="New version of the master pipeline's source zip",
            event_pattern=policy.render(
                {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {"bucket": {"name": [spec.s3_bucket]}, "object": {"key": [spec.s3_key]}},
                }
            ),
        )
        role = service_role(
            self,
            "events-role",
            name=names.datalake_role(delivery_names.RELEASE_ROLE_PURPOSES["events"]),
            service=arns.service_principal("events", arns.partition_of(account.region)),
            description="Starts the master pipeline when its source object changes",
            statements=source_events_statements(account, name),
            trust_condition=_trust(account, arns.events_rule(account.region, account.account_id, rule_name)),
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(
            self, "source-target", rule=rule.name, arn=self.pipeline.arn, role_arn=role.arn
        )
