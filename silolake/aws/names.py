"""Every AWS resource name silolake derives, in one place.

Names are computed from the catalog only (never from Terraform tokens) so that the
validator can check AWS length limits before synth, and so that policies in one
account can refer to resources in another by name (for example the silo pipeline
role pattern the central artifacts bucket trusts). Constructs never format a name
themselves: they call a builder here, and :mod:`silolake.aws.name_registry` lists each
builder's output with its AWS rule for validation, so a change here moves both the
Terraform and the validation.
"""

from __future__ import annotations

import hashlib

from . import arns
from . import name_rules as rules

# AWS length limits (the whole rules, with their sources, are in silolake.aws.name_rules).
S3_BUCKET_MAX = rules.S3_BUCKET.max_len
IAM_ROLE_MAX = rules.IAM_ROLE.max_len
FIREHOSE_STREAM_MAX = rules.FIREHOSE_STREAM.max_len
GLUE_NAME_MAX = rules.GLUE_TABLE.max_len

#: Where the master pipeline's CodeBuild project reads its buildspec, relative to the catalog
#: repository's root (the framework's own and every `silolake init` repository).
MASTER_BUILDSPEC = "delivery/buildspec/master.yml"

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


#: Role purpose of the GuardDuty malware scan of a silo's dropzone (``silolake-<silo>-malware-scan``).
MALWARE_SCAN_PURPOSE = "malware-scan"


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


#: Purposes of the datalake account's own roles: the publisher writing bundles, and the role
#: EventBridge forwards each silo account's bundle events with.
PUBLISHER_PURPOSE = "publisher"
BUNDLE_EVENTS_PURPOSE = "bundle-events"


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


def analytics_key_alias(consumer: str) -> str:
    """KMS alias (without ``alias/``) of an analytics consumer's query-results key."""
    return f"silolake-{consumer}-athena"


#: KMS alias (without ``alias/``) of the central artifacts bucket's key (datalake account).
ARTIFACTS_KEY_ALIAS = "silolake-artifacts"


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


def api_execution_log_group(api_id: str, stage: str) -> str:
    """The execution log group API Gateway writes a REST API stage's logs to; AWS fixes this name
    from the API's id (a Terraform reference at synth), so only creating it ourselves sets KMS and
    retention. Not in the registry: no catalog value reaches it."""
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def lambda_log_group(function: str) -> str:
    """Lambda writes to this fixed name; creating it ourselves sets KMS and retention."""
    return f"/aws/lambda/{function}"


def partner_function(org: str, silo: str, kind: str) -> str:
    """Partner access Lambda function (``kind``: admin, session, idp, sweeper)."""
    return f"{org}-{silo}-partner-{kind}"


#: Kinds of partner access Lambda function (:func:`partner_function`).
PARTNER_FUNCTION_KINDS = ("admin", "session", "idp", "sweeper")


def partner_sweeper_rule(org: str, silo: str) -> str:
    """EventBridge rule running the partner sweeper on its schedule."""
    return f"{partner_function(org, silo, 'sweeper')}-schedule"


def partner_pages_headers_policy(org: str, silo: str) -> str:
    """CloudFront response headers policy of a silo's partner pages."""
    return f"{org}-{silo}-partner-pages"


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


#: Guardrail policies (SCPs and RCPs) by the OU they guard (:mod:`silolake.policy.scp`,
#: :mod:`silolake.policy.pipelines`): ``silolake-<ou>-<kind>``.
GUARDRAIL_KINDS = {"silos": ("baseline", "regions", "trust"), "datalake": ("chain", "pipelines")}


def scp_name(kind: str, ou: str = "silos") -> str:
    """Service control policy attached to an OU (``silolake-silos-regions``, ``silolake-datalake-chain``)."""
    return f"silolake-{ou}-{kind}"


def silo_account_name(org: str, silo: str) -> str:
    """Display name of a silo account the organization creates (AWS allows 50 characters)."""
    return f"{org}-silo-{silo}"


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
    machine's name (:data:`silolake.aws.name_rules.STEP_FUNCTIONS`; StartExecution's ``name``:
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html); unique
    for 90 days, so the same redrive started twice in one second is refused, not run twice."""
    first, last = min(days).replace("-", ""), max(days).replace("-", "")
    return f"redrive-{first}-{last}-{started}"


def etl_silo_name(silo: str, purpose: str) -> str:
    """Silo-wide ETL resource (``silolake-<silo>-etl-alerts``, ``-landing``, ``-athena``, ...)."""
    return f"silolake-{silo}-{purpose}"


def state_machine_log_group(machine: str) -> str:
    return f"/aws/vendedlogs/states/{machine}"


def warehouse_flow_log_group(silo: str) -> str:
    """Log group of the warehouse VPC's flow logs (``/silolake/vpc/silolake-<silo>-warehouse-flow-logs``)."""
    return f"/silolake/vpc/{etl_silo_name(silo, 'warehouse-flow-logs')}"


def quicksight_data_source_name(silo: str) -> str:
    """Display name of a silo's QuickSight Athena data source (its id is ``etl_silo_name(silo, "athena")``)."""
    return f"silolake {silo} (Athena)"


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


def pipeline_schedule_group(silo: str) -> str:
    """The EventBridge Scheduler group holding a silo's pipeline schedules (one per flow), so that
    Scheduler's invocation failures of the silo's pipelines have a ``ScheduleGroup`` to alarm on."""
    return f"silolake-{silo}-pipelines"


def health_dead_letter_queue(silo: str) -> str:
    """The SQS queue receiving the freshness checks Scheduler could not invoke (80 characters at most)."""
    return f"silolake-{silo}-health-dlq"


def freshness_schedule(flow: str, partner: str | None = None) -> str:
    """A freshness check's schedule name inside its group: ``<flow>`` or ``<flow>.<partner>``.

    Scheduler allows 64 characters; a longer flow + partner pair keeps the flow's first
    characters and a hash of the pair, so each pair keeps its own, stable name."""
    name = flow if partner is None else f"{flow}.{partner}"
    if len(name) <= SCHEDULE_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: SCHEDULE_MAX - 11]}-{digest}"


#: What each flow alarm watches (``silolake-<silo>-<flow>-<what>``, :mod:`silolake.policy.health_metrics`);
#: a partner's freshness alarm is ``late-<partner>``, a function's ``silolake-<silo>-lambda-<function>``.
FLOW_ALARMS = (
    "late",
    "quarantine",
    "reject-ratio",
    "files-rejected",
    "quality",
    "firehose-delivery",
    "firehose-freshness",
    "firehose-conversion",
    "pipeline-failed",
)
#: Silo-wide alarms (subject ``silo``).
#: Silo-wide alarms beside the per-function ones: SFTP sign-in failures, and the freshness checks
#: Scheduler dead-lettered or could not invoke (policy/check_delivery.py).
SILO_ALARMS = ("sftp-auth-failures", "checks-dead-lettered", "checks-not-invoked")


def partner_late_alarm(silo: str, flow: str, partner: str) -> str:
    """The freshness alarm of one partner's deliveries to a flow."""
    return health_alarm(silo, flow, f"late-{partner}")


def lambda_alarm(silo: str, function: str) -> str:
    """The errors alarm of one Lambda function of a silo."""
    return health_alarm(silo, "lambda", function)


def silo_dashboard(silo: str) -> str:
    """The CloudWatch dashboard of one silo, in its account."""
    return f"silolake-{silo}"


def organization_dashboard(org: str) -> str:
    """The organization-wide health dashboard, in the datalake account."""
    return f"{org}-silolake-health"
