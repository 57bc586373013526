"""Every AWS resource name silolake derives, in one place.

Names are computed from the catalog only (never from Terraform tokens) so that the
validator can check AWS length limits before synth, and so that policies in one
account can refer to resources in another by name (for example the silo pipeline
role pattern the central artifacts bucket trusts). Change a rule here and both the
Terraform and the validation follow.
"""

from __future__ import annotations

import hashlib

from . import name_rules as rules
from .aws import arns
from .name_rules import NameRule

# AWS length limits (the whole rules, with their sources, are in silolake.name_rules).
S3_BUCKET_MAX = rules.S3_BUCKET.max_len
IAM_ROLE_MAX = rules.IAM_ROLE.max_len
FIREHOSE_STREAM_MAX = rules.FIREHOSE_STREAM.max_len
GLUE_NAME_MAX = rules.GLUE_TABLE.max_len

#: Where the master pipeline's CodeBuild project reads its buildspec, relative to the catalog
#: repository's root (the framework's own and every `silolake init` repository).
MASTER_BUILDSPEC = "delivery/buildspec/master.yml"

#: A derived name and the AWS rule it must meet, by what it names ("raw bucket").
Derived = dict[str, tuple[str, NameRule]]
LAMBDA_FUNCTION_MAX = rules.LAMBDA_FUNCTION.max_len
SCHEDULE_MAX = 64  # EventBridge Scheduler schedule names
STATE_MACHINE_MAX = rules.STEP_FUNCTIONS.max_len

# Regions are compacted in bucket names to leave room for silo names:
# eu-west-1 -> euw1, ap-southeast-2 -> apse2 (distinct for every real region).
_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "southeast": "se",
    "northwest": "nw",
    "southwest": "sw",
}

# Data zones of a silo, with what each holds. Analytics reads only "processed".
ZONES = ("dropzone", "raw", "processed", "athena", "logs")
#: Buckets of a silo that are not data zones: the partner pages and their CloudFront logs.
PARTNER_BUCKETS = ("web", "cdnlogs")
#: Every kind of bucket holding silo data or pages (the silos-OU SCP protects all of them).
SILO_BUCKET_KINDS = ZONES + PARTNER_BUCKETS
#: Bucket kind of a silo pipeline's artifact store (``<org>-<silo>-pipeline-<account>-<region>``):
#: scratch copies of bundles and saved plans. Not in :data:`SILO_BUCKET_KINDS`: another SCP
#: pattern would pass the SCP's worst-case size budget; the pipeline's boundary denies its
#: build role changes to the store's settings instead.
PIPELINE_BUCKET = "pipeline"

#: Top-level S3 prefixes silolake itself writes in a silo's buckets, beside the flows'
#: ``<flow>/`` prefixes. Each starts with "_", which no flow name can (flow names start
#: with a letter), so no flow's data, table location or IAM prefix reaches into them:
#: ``_errors/`` records Firehose could not convert, ``_rejects/`` rows ETL refused,
#: ``_quarantine/`` files held back from a partner, ``_silolake/`` silolake's own state.
SYSTEM_PREFIXES = {
    "errors": "_errors/",
    "rejects": "_rejects/",
    "quarantine": "_quarantine/",
    "silolake": "_silolake/",
}


def region_code(region: str) -> str:
    """Short, collision-free code for a region (``eu-central-1`` -> ``euc1``)."""
    parts = region.split("-")
    return parts[0] + "".join(_DIRECTIONS.get(p, p) for p in parts[1:-1]) + parts[-1]


def state_bucket(prefix: str, account_id: str, region: str) -> str:
    """Terraform state bucket: one per account, living in that account."""
    return f"{prefix}-{account_id}-{region}"


def state_bucket_pattern(prefix: str) -> str:
    """Wildcard matching every account's state bucket (:func:`state_bucket`; SCP resources):
    twelve ``?`` for the account id, so a bucket merely starting with the prefix does not match."""
    return f"{prefix}-{'?' * 12}-*"


def state_key(stack_name: str) -> str:
    return f"silolake/{stack_name}.tfstate"


def silo_bucket(org: str, silo: str, zone: str, account_id: str, region: str) -> str:
    """Bucket for one data zone of a silo, globally unique through the account id."""
    return f"{org}-{silo}-{zone}-{account_id}-{region_code(region)}"


def silo_bucket_pattern(org: str, zone: str) -> str:
    """ARN-style wildcard matching ``zone`` buckets of every silo of ``org`` (SCP resources).

    ``?`` matches exactly one character: twelve of them stand for the account id, so
    another workload's bucket that merely starts with the organization name does not match.
    """
    return f"{org}-*-{zone}-{'?' * 12}-*"  # silo_bucket's shape; tests match every real name


def account_bucket(org: str, purpose: str, account_id: str, region: str) -> str:
    """Bucket owned by a central account (artifacts, analytics query results, logs)."""
    return f"{org}-{purpose}-{account_id}-{region_code(region)}"


def account_bucket_pattern(org: str, purpose: str) -> str:
    """Wildcard matching :func:`account_bucket` of ``purpose`` in every account (SCP resources):
    twelve ``?`` for the account id, as :func:`silo_bucket_pattern`."""
    return f"{org}-{purpose}-{'?' * 12}-*"


def silo_role(silo: str, purpose: str) -> str:
    """IAM role of a silo. The ``silolake-<silo>-<purpose>`` shape is what central
    resource policies match with ``ArnLike`` (for example ``silolake-*-pipeline``)."""
    return f"silolake-{silo}-{purpose}"


def silo_role_pattern(purpose: str) -> str:
    """Role-name pattern matching ``purpose`` roles of every silo."""
    return f"silolake-*-{purpose}"


def glue_database(silo: str) -> str:
    """Glue database of a silo; hyphens are not valid in Athena identifiers."""
    return "silo_" + silo.replace("-", "_")


def glue_table(flow: str, zone: str) -> str:
    return f"{flow}_{zone}"


#: The silo's table of data-quality results (one row per conform run, raw file and rule): no flow's
#: table can take it, since those end in ``_raw``/``_processed``.
QUALITY_TABLE = "silolake_quality"
#: Where the conform job writes quality results, in the processed bucket: ``_quality/flow=<flow>/``.
QUALITY_PREFIX = "_quality/"


def quality_prefix(flow: str) -> str:
    """Prefix of one flow's quality results (``_quality/flow=<storage name>/``, a Hive partition folder)."""
    return f"{QUALITY_PREFIX}flow={flow}/"


def silo_key_alias(silo: str) -> str:
    """KMS alias (without ``alias/``) of a silo's data key."""
    return f"silolake-{silo}-data"


def silo_key_alias_pattern() -> str:
    """Alias pattern of every silo's data key (``silolake-*-data``)."""
    return silo_key_alias("*")


def datalake_role(purpose: str) -> str:
    """IAM role of the central datalake account (``silolake-datalake-publisher``)."""
    return f"silolake-datalake-{purpose}"


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


# --- master leg of the AWS-native pipeline (silolake.constructs.delivery.master_pipeline) ------
#: Purposes of the master pipeline's roles in the datalake account (``silolake-datalake-<purpose>``).
#: None ends in ``-pipeline``: the artifacts bucket admits roles named ``silolake-*-pipeline``.
RELEASE_ROLE_PURPOSES = {"pipeline": "release", "build": "release-build", "events": "release-events"}


def release_name(org: str) -> str:
    """The master pipeline and its CodeBuild project (``<org>-silolake-release``)."""
    return f"{org}-silolake-release"


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


def athena_catalog(silo: str) -> str:
    """Athena data catalog (in an analytics account) pointing at a silo's Glue catalog.

    Same as the silo's database name, so analysts write ``silo_sales.silo_sales.<table>``."""
    return glue_database(silo)


def athena_workgroup(org: str, consumer: str) -> str:
    """Athena workgroup of an analytics account (enforced results location and encryption)."""
    return f"{org}-{consumer}"


def analytics_reader_policy(consumer: str) -> str:
    """Managed policy reader roles of an analytics consumer attach for cross-account reads."""
    return f"silolake-{consumer}-silo-reader"


def firehose_stream(org: str, silo: str, flow: str) -> str:
    return f"{org}-{silo}-{flow}"


def firehose_log_group(stream: str) -> str:
    """CloudWatch log group for a delivery stream's delivery and conversion errors."""
    return f"/aws/kinesisfirehose/{stream}"


def ingest_api(org: str, silo: str) -> str:
    """REST API that takes a silo's streaming (``source: api``) records."""
    return f"{org}-{silo}-ingest"


def api_access_log_group(api: str) -> str:
    return f"/aws/apigateway/{api}/access"


def lambda_log_group(function: str) -> str:
    """Lambda writes to this fixed name; creating it ourselves sets KMS and retention."""
    return f"/aws/lambda/{function}"


def partner_function(org: str, silo: str, kind: str) -> str:
    """Partner access Lambda function (``kind``: admin, session, idp, sweeper)."""
    return f"{org}-{silo}-partner-{kind}"


def partner_stack_prefix(org: str, silo: str) -> str:
    """Every partner credential's CloudFormation stack name starts with this."""
    return f"{org}-{silo}-partner-"


def partner_boundary(silo: str) -> str:
    """Managed policy (under the ``/silolake/`` path) bounding every partner role of a silo."""
    return f"silolake-{silo}-partner-boundary"


def partner_lockout_table(org: str, silo: str) -> str:
    return f"{org}-{silo}-partner-lockout"


def partner_user_pool(org: str, silo: str) -> str:
    """Cognito user pool of a silo's staff; also the hosted UI domain prefix."""
    return f"{org}-{silo}-partner-admins"


def partner_api(org: str, silo: str) -> str:
    """HTTP API of partner credentials (admin routes) and partner sessions."""
    return f"{org}-{silo}-partner"


def partner_sftp_server(org: str, silo: str) -> str:
    return f"{org}-{silo}-sftp"


def transfer_log_group(server: str) -> str:
    """Structured log group of a Transfer Family server."""
    return f"/aws/transfer/{server}"


def partner_audit_log_group_patterns(org: str) -> list[str]:
    """Log groups holding the partner audit trail of every silo (SCP resources): the partner
    functions' (the admin's audit events, sign-ins), the partner API's access log and the
    SFTP server's structured log."""
    return [
        lambda_log_group(partner_function(org, "*", "*")),
        api_access_log_group(partner_api(org, "*")),
        transfer_log_group(partner_sftp_server(org, "*")),
    ]


def stack_name(kind: str, name: str | None = None) -> str:
    """Terraform stack (and state key) names: ``org``, ``datalake``, ``silo-<n>``, ``analytics-<n>``."""
    return kind if name is None else f"{kind}-{name}"


def scp_name(kind: str, ou: str = "silos") -> str:
    """Service control policy attached to an OU (``silolake-silos-regions``, ``silolake-datalake-chain``)."""
    return f"silolake-{ou}-{kind}"


def silo_account_name(org: str, silo: str) -> str:
    """Display name of a silo account the organization creates (AWS allows 50 characters)."""
    return f"{org}-silo-{silo}"


#: Roles every silo account has: "api" lets API Gateway write to Firehose, "api-logs" is
#: API Gateway's account-level logging role (account baseline).
SILO_ROLE_PURPOSES = ("pipeline", "firehose", "glue", "admin", "api", "api-logs")


def silo_names(
    org: str, silo: str, account_id: str, region: str, flows: list[str], *, created_account: bool = False
) -> Derived:
    """Every name one silo derives (``flows``: only their per-flow names), with its rule.

    Used by validation with a placeholder account id for silos whose account does not
    exist yet (account ids are always 12 digits, so lengths are exact).
    ``created_account``: the organization creates the account (``email`` given), so its
    display name counts too.
    """
    out: Derived = {
        f"{zone} bucket": (silo_bucket(org, silo, zone, account_id, region), rules.S3_BUCKET) for zone in ZONES
    }
    for purpose in SILO_ROLE_PURPOSES:
        out[f"{purpose} role"] = (silo_role(silo, purpose), rules.IAM_ROLE)
    # Partner access (silolake.constructs.partner): the functions' roles and the SFTP logging role.
    for purpose in ("partner-admin", "partner-session", "partner-idp", "partner-sweeper", "partner-cfn", "sftp-logs"):
        out[f"{purpose} role"] = (silo_role(silo, purpose), rules.IAM_ROLE)
    out["Glue database"] = (glue_database(silo), rules.GLUE_DATABASE)
    out["quality results table"] = (QUALITY_TABLE, rules.GLUE_TABLE)
    out["data key alias"] = (f"alias/{silo_key_alias(silo)}", rules.KMS_ALIAS)
    api = ingest_api(org, silo)
    out["ingestion API"] = (api, rules.API_GATEWAY_REST_API)
    out["ingestion API access log group"] = (api_access_log_group(api), rules.LOG_GROUP)
    if created_account:
        out["account name"] = (silo_account_name(org, silo), rules.ORG_ACCOUNT_NAME)
    # ETL (silolake.constructs.etl): the landing function and the roles every silo gets.
    for purpose in ("landing", "etl-scheduler", "warehouse-flow-logs"):
        out[f"{purpose} role"] = (silo_role(silo, purpose), rules.IAM_ROLE)
    out["landing function"] = (etl_silo_name(silo, "landing"), rules.LAMBDA_FUNCTION)
    # Health (silolake.constructs.health): the freshness check, its role and its schedules.
    out["freshness function"] = (etl_silo_name(silo, "freshness"), rules.LAMBDA_FUNCTION)
    out["chat forwarder function"] = (etl_silo_name(silo, "notify"), rules.LAMBDA_FUNCTION)
    for purpose in ("freshness", "health-scheduler", "notify"):
        out[f"{purpose} role"] = (silo_role(silo, purpose), rules.IAM_ROLE)
    out["health schedule group"] = (health_schedule_group(silo), rules.SCHEDULER_GROUP)
    out["health dashboard"] = (silo_dashboard(silo), rules.CLOUDWATCH_DASHBOARD)
    out.update(pipeline_names(org, silo, account_id, region))
    for flow in flows:
        out.update(flow_names(org, silo, flow))
    return out


def flow_names(org: str, silo: str, flow: str) -> Derived:
    """Every name one flow of a silo derives, with its rule."""
    stream = firehose_stream(org, silo, flow)
    out: Derived = {
        f"flow '{flow}' Firehose stream": (stream, rules.FIREHOSE_STREAM),
        f"flow '{flow}' Firehose log group": (firehose_log_group(stream), rules.LOG_GROUP),
        f"flow '{flow}' role": (silo_role(silo, f"{flow}-firehose"), rules.IAM_ROLE),
    }
    for zone in ("raw", "processed"):
        out[f"flow '{flow}' {zone} table"] = (glue_table(flow, zone), rules.GLUE_TABLE)
    for purpose in ("glue", "sfn", "load"):
        out[f"flow '{flow}' {purpose} role"] = (silo_role(silo, f"{flow}-{purpose}"), rules.IAM_ROLE)
    out[f"flow '{flow}' Glue job"] = (etl_name(silo, flow), rules.GLUE_JOB)
    out[f"flow '{flow}' schedule"] = (etl_name(silo, flow), rules.EVENTBRIDGE_RULE)
    out[f"flow '{flow}' state machine"] = (etl_name(silo, flow), rules.STEP_FUNCTIONS)
    return out


def analytics_names(org: str, consumer: str, account_id: str, regions: list[str]) -> Derived:
    """Every name an analytics consumer derives: workgroup, reader policy, per-region buckets."""
    out: Derived = {
        "Athena workgroup": (athena_workgroup(org, consumer), rules.ATHENA_WORKGROUP),
        "reader policy": (analytics_reader_policy(consumer), rules.IAM_POLICY),
    }
    for region in regions:
        for purpose in ("athena", "logs"):
            bucket = account_bucket(org, f"{consumer}-{purpose}", account_id, region)
            out[f"{purpose} bucket in {region}"] = (bucket, rules.S3_BUCKET)
    return out


def organization_names(org: str, account_id: str, region: str) -> Derived:
    """Names the organization name alone decides: the data lake account's buckets and role."""
    out: Derived = {
        f"{purpose} bucket": (account_bucket(org, purpose, account_id, region), rules.S3_BUCKET)
        for purpose in ("artifacts", "artifacts-logs")
    }
    out["publisher role"] = (datalake_role("publisher"), rules.IAM_ROLE)
    out["release bucket"] = (account_bucket(org, "release", account_id, region), rules.S3_BUCKET)
    for what, purpose in RELEASE_ROLE_PURPOSES.items():
        out[f"release {what} role"] = (datalake_role(purpose), rules.IAM_ROLE)
    return out


def state_bucket_names(prefix: str, account_id: str, regions: list[str]) -> Derived:
    """The state bucket of an account in each of ``regions`` (validation: one per distinct region)."""
    return {f"state bucket in {r}": (state_bucket(prefix, account_id, r), rules.S3_BUCKET) for r in regions}


# --- ETL (silolake.constructs.etl) ------------------------------------------------------------
#: Prefix in a silo's raw bucket holding deployed job code (content-addressed keys). Like every
#: system prefix it starts with ``_``, which no flow name can (``^[a-z][a-z0-9_]*$``).
ARTIFACTS_PREFIX = "_silolake/artifacts/"
#: Per-row rejects of the conform job, in the processed bucket: ``_rejects/<flow>/``.
REJECTS_PREFIX = "_rejects/"
#: Files the landing function refused, in the dropzone bucket: ``_quarantine/<partner>/<flow>/...``.
QUARANTINE_PREFIX = "_quarantine/"
#: What landing decided about each dropped file, in the dropzone bucket:
#: ``_status/<partner>/<flow>/<file>.json`` (:mod:`silolake.policy.dropzone`).
STATUS_PREFIX = "_status/"
#: Every system prefix of the dropzone starts with this; no partner username can (``^[a-z]``).
SYSTEM_PREFIX = "_"


def etl_name(silo: str, flow: str) -> str:
    """Glue job, state machine and schedule of one flow (``silolake-<silo>-<flow>``)."""
    return f"silolake-{silo}-{flow}"


def state_machine_arn(region: str, account_id: str, silo: str, flow: str) -> str:
    """ARN of a flow's pipeline state machine (:func:`etl_name`; ``flow`` is its storage name)."""
    return arns.regional("states", region, account_id, f"stateMachine:{etl_name(silo, flow)}")


def redrive_execution(days: list[str], started: str) -> str:
    """Execution name of a redrive: ``redrive-<first day>-<last day>-<started>`` with the days as
    ``YYYYMMDD`` and ``started`` as ``YYYYMMDDTHHMMSSZ`` (at most 43 characters). Same rule as a state
    machine's name (:data:`silolake.name_rules.STEP_FUNCTIONS`; StartExecution's ``name``:
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html); unique
    for 90 days, so the same redrive started twice in one second is refused, not run twice."""
    first, last = min(days).replace("-", ""), max(days).replace("-", "")
    return f"redrive-{first}-{last}-{started}"


def etl_silo_name(silo: str, purpose: str) -> str:
    """Silo-wide ETL resource (``silolake-<silo>-etl-alerts``, ``-landing``, ``-athena``, ...)."""
    return f"silolake-{silo}-{purpose}"


def state_machine_log_group(machine: str) -> str:
    return f"/aws/vendedlogs/states/{machine}"


def redshift_database(silo: str) -> str:
    """Warehouse database of a silo: the same identifier as its Glue database."""
    return glue_database(silo)


#: Where a silo's Athena workgroup writes query results, in the silo's athena zone bucket.
ATHENA_RESULTS_PREFIX = "results/"


# --- Delivery: the silo leg of the AWS-native pipeline and per-account plan access -------------
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


def pipeline_names(org: str, silo: str, account_id: str, region: str) -> Derived:
    """Every name a silo pipeline derives, with its rule."""
    out: Derived = {f"{purpose} role": (silo_role(silo, purpose), rules.IAM_ROLE) for purpose in PIPELINE_ROLE_PURPOSES}
    out["pipeline artifact bucket"] = (silo_bucket(org, silo, PIPELINE_BUCKET, account_id, region), rules.S3_BUCKET)
    out["pipeline boundary policy"] = (silo_pipeline_boundary(silo), rules.IAM_POLICY)
    return out


def owner_construct_id(kind: str, owner: str) -> str:
    """Construct id of a per-owner resource (``owner-<e-mail>``, ``alerts-<e-mail>``): keyed by
    the owner's e-mail, never by list position, so removing or reordering owners leaves the
    other owners' Cognito users and alert subscriptions at their addresses. Formerly
    ``<kind>-<index>``; :func:`silolake.stacks.continuity.owner_moves` moves those addresses."""
    return f"{kind}-{owner}"


# -- health: alarms, freshness checks, dashboards (silolake.policy.health_metrics, docs/operations.md)

#: The role CloudWatch's cross-account console assumes in a source account; AWS fixes this
#: exact name ("Cross-account cross-Region CloudWatch console", CloudWatch User Guide).
CLOUDWATCH_SHARING_ROLE = "CloudWatch-CrossAccountSharingRole"
#: The service-linked role of that feature in the monitoring account (its ARN's path and name are AWS's).
CLOUDWATCH_CROSS_ACCOUNT_SERVICE = "cloudwatch-crossaccount.amazonaws.com"
CLOUDWATCH_CROSS_ACCOUNT_SLR = "AWSServiceRoleForCloudWatchCrossAccount"


def health_alarm(silo: str, subject: str, what: str) -> str:
    """A CloudWatch alarm of a silo: ``silolake-<silo>-<subject>-<what>`` (subject: a flow or ``silo``)."""
    return f"silolake-{silo}-{subject}-{what}"


def health_schedule_group(silo: str) -> str:
    """The EventBridge Scheduler group holding a silo's freshness checks."""
    return f"silolake-{silo}-health"


def freshness_schedule(flow: str, partner: str | None = None) -> str:
    """A freshness check's schedule name inside its group: ``<flow>`` or ``<flow>.<partner>``.

    Scheduler allows 64 characters; a longer flow + partner pair keeps the flow's first
    characters and a hash of the pair, so each pair keeps its own, stable name."""
    name = flow if partner is None else f"{flow}.{partner}"
    if len(name) <= SCHEDULE_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: SCHEDULE_MAX - 11]}-{digest}"


def silo_dashboard(silo: str) -> str:
    """The CloudWatch dashboard of one silo, in its account."""
    return f"silolake-{silo}"


def organization_dashboard(org: str) -> str:
    """The organization-wide health dashboard, in the datalake account."""
    return f"{org}-silolake-health"
