"""The AWS names of delivery: the central artifacts (bundles, the provider mirror, the silolake
wheels), the master and silo legs of the AWS-native pipeline, and GitHub's plan access.

Like every builder of :mod:`silolake.aws.names`, these derive from catalog values only and
are listed with their AWS rule in :mod:`silolake.aws.name_registry`; the constructs of
:mod:`silolake.constructs.delivery` and the policies of :mod:`silolake.policy.delivery` and
:mod:`silolake.policy.release` call them. Shapes: every builder returns a ``str``.
"""

from __future__ import annotations

#: Where the master pipeline's CodeBuild project reads its buildspec, relative to the catalog
#: repository's root (the framework's own and every `silolake init` repository).
MASTER_BUILDSPEC = "delivery/buildspec/master.yml"


#: Purposes of the datalake account's own roles: the publisher writing bundles, and the role
#: EventBridge forwards each silo account's bundle events with.
PUBLISHER_PURPOSE = "publisher"


BUNDLE_EVENTS_PURPOSE = "bundle-events"


def bundle_prefix(account_id: str) -> str:
    """Key prefix of a silo account's deployment bundles in the central artifacts bucket.

    Keyed by account id, not silo name: the bucket policy grants
    ``bundles/${aws:PrincipalAccount}/*``, so a pipeline reads exactly its own account's
    prefix and the policy lists no account. ``account_id`` may be that policy variable.
    """
    return f"bundles/{account_id}/"


def stack_bundle_key(account_id: str, stack: str) -> str:
    """Object key of a stack's deployment bundle in the central artifacts bucket:
    ``bundles/<account id>/<stack>/bundle.zip`` (one zip, so a CodePipeline S3 source action
    can watch it; inside its own account's prefix, so the bucket policy admits the pipeline)."""
    return f"{bundle_prefix(account_id)}{stack}/bundle.zip"


#: Prefix of the Terraform provider mirror in the artifacts bucket (readable by every silo
#: pipeline role of the organization, written by the publisher only): pipelines install the
#: pinned provider from there, never from the public registry.
PROVIDER_MIRROR_PREFIX = "providers/"


def provider_mirror_key(provider_version: str, platform: str = "linux_amd64") -> str:
    """Object key of the zipped filesystem mirror (``terraform providers mirror`` layout) of
    ``hashicorp/aws`` ``provider_version`` for ``platform``."""
    return f"{PROVIDER_MIRROR_PREFIX}hashicorp/aws/{provider_version}/{platform}.zip"


#: Purposes of the master pipeline's roles in the datalake account (``silolake-datalake-<purpose>``).
#: None ends in ``-pipeline``: the artifacts bucket admits roles named ``silolake-*-pipeline``.
RELEASE_ROLE_PURPOSES = {"pipeline": "release", "build": "release-build", "events": "release-events"}


def release_name(org: str) -> str:
    """The master pipeline and its CodeBuild project (``<org>-silolake-release``)."""
    return f"{org}-silolake-release"


def source_rule_name(org: str) -> str:
    """EventBridge rule starting the master pipeline on a new version of its S3 source zip
    (``delivery.pipeline.source.s3``): ``<release name>-source``."""
    return f"{release_name(org)}-source"


def source_connection_name(org: str) -> str:
    """CodeConnections connection of the master pipeline (at most 32 characters)."""
    return f"{org}-silolake"


def codebuild_log_group(project: str) -> str:
    return f"/aws/codebuild/{project}"


#: Prefix of the silolake wheels silo pipelines install (``verify-bundle``, ``render``,
#: ``plan-summary``): readable like the provider mirror, written by the publisher only.
SILOLAKE_WHEEL_PREFIX = "tools/silolake/"


def silolake_wheel_key(commit: str) -> str:
    """Object key of the silolake wheel built from ``commit`` (the commit a bundle's manifest names):
    a silo pipeline installs the very framework that synthesized the bundle it deploys."""
    return f"{SILOLAKE_WHEEL_PREFIX}{commit}.whl"


#: KMS alias (without ``alias/``) of the central artifacts bucket's key (datalake account).
ARTIFACTS_KEY_ALIAS = "silolake-artifacts"


#: Purposes of the silo pipeline's roles. ``pipeline`` (CodeBuild) and ``release-pipeline``
#: (CodePipeline, which runs the S3 source action) both end in ``-pipeline``: the pattern the
#: artifacts bucket admits. ``pipeline-trigger`` (EventBridge starting the pipeline) reads
#: nothing there and deliberately does not match it.
PIPELINE_ROLE_PURPOSES = ("pipeline", "release-pipeline", "pipeline-trigger")


#: Read-only role GitHub Actions assumes (OIDC) in every account to plan that account's stack.
GITHUB_PLAN_ROLE = "silolake-github-plan"


#: Host of GitHub Actions' OIDC issuer (the provider URL is ``https://`` + this).
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"


def silo_pipeline(silo: str) -> str:
    """CodePipeline of a silo's own deployments (``silolake-<silo>-deploy``)."""
    return f"silolake-{silo}-deploy"


def silo_pipeline_key_alias(silo: str) -> str:
    """KMS alias (without ``alias/``) of the key a silo's pipeline encrypts its artifacts with
    when it runs outside the silo's region (a key serves its own region only)."""
    return f"silolake-{silo}-pipeline"


#: Prefix of the SSM parameters the silo pipelines record what they applied under.
PIPELINE_PARAMETER_PREFIX = "/silolake/pipeline/"


def silo_pipeline_applied_parameter(silo: str) -> str:
    """SSM parameter holding ``<sequence>:<commit>`` of the last bundle the silo pipeline applied."""
    return f"{PIPELINE_PARAMETER_PREFIX}{silo}/applied"


def silo_build_project(silo: str, stage: str) -> str:
    """CodeBuild project of one pipeline stage (``silolake-<silo>-plan``, ``silolake-<silo>-apply``)."""
    return f"silolake-{silo}-{stage}"


def silo_pipeline_boundary(silo: str) -> str:
    """Permissions boundary of the silo pipeline's CodeBuild role (an IAM policy under ``/silolake/``)."""
    return f"silolake-{silo}-pipeline-boundary"


def silo_pipeline_role_path(silo: str) -> str:
    """IAM path of the roles a silo pipeline may create (``/silolake/pipeline/<silo>/``).

    A role's path is fixed at creation, so "under this path" is how the pipeline's boundary
    recognizes the roles *it* created (each with its boundary): never a ``silolake-*-*`` role
    (the ARN reads ``role/silolake/pipeline/...``), nor a partner role (``/silolake/partner/``)."""
    return f"/silolake/pipeline/{silo}/"


def bundle_forward_rule(account_id: str) -> str:
    """EventBridge rule in the datalake account forwarding one account's bundle events."""
    return f"silolake-bundles-{account_id}"
