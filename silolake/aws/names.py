"""The AWS resource names of the lake itself: buckets and zones, silo and central roles, Glue
and Athena, keys, ingestion, ETL, stacks and guardrails.

Names are computed from the catalog only (never from Terraform tokens) so that the
validator can check AWS length limits before synth, and so that policies in one
account can refer to resources in another by name (for example the silo pipeline
role pattern the central artifacts bucket trusts). Constructs never format a name
themselves: they call a builder here or in one of the naming modules of a subject that
builds on these (:mod:`silolake.aws.delivery_names`, :mod:`silolake.aws.health_names`,
:mod:`silolake.aws.partner_access_names`), and :mod:`silolake.aws.name_registry` lists each
builder's output with its AWS rule for validation, so a change here moves both the
Terraform and the validation.
"""

from __future__ import annotations

from . import access_name_rules as access_rules
from . import arns
from . import name_rules as rules

# AWS length limits (the whole rules, with their sources, are in silolake.aws.name_rules and
# silolake.aws.access_name_rules).
S3_BUCKET_MAX = rules.S3_BUCKET.max_len
IAM_ROLE_MAX = access_rules.IAM_ROLE.max_len
FIREHOSE_STREAM_MAX = rules.FIREHOSE_STREAM.max_len
GLUE_NAME_MAX = rules.GLUE_TABLE.max_len
LAMBDA_FUNCTION_MAX = rules.LAMBDA_FUNCTION.max_len
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


def datalake_role(purpose: str) -> str:
    """IAM role of the central datalake account (``silolake-datalake-publisher``)."""
    return f"silolake-datalake-{purpose}"


def athena_catalog(silo: str) -> str:
    """Athena data catalog (in an analytics account) pointing at a silo's Glue catalog.

    Same as the silo's database name, so analysts write ``silo_sales.silo_sales.<table>``."""
    return glue_database(silo)


def athena_workgroup(org: str, consumer: str) -> str:
    """Athena workgroup of an analytics account (enforced results location and encryption)."""
    return f"{org}-{consumer}"


#: Purposes of an analytics consumer's workspace buckets: Athena query results, their access logs.
WORKSPACE_BUCKET_PURPOSES = ("athena", "logs")


def workspace_bucket(org: str, consumer: str, purpose: str, account_id: str, region: str) -> str:
    """A bucket of an analytics consumer's workspace in ``region``: ``purpose`` ``athena``
    (query results) or ``logs`` (their access logs), ``<org>-<consumer>-<purpose>-<account>-<region code>``."""
    return account_bucket(org, f"{consumer}-{purpose}", account_id, region)


def analytics_key_alias(consumer: str) -> str:
    """KMS alias (without ``alias/``) of an analytics consumer's query-results key."""
    return f"silolake-{consumer}-athena"


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


def owner_construct_id(kind: str, owner: str) -> str:
    """Construct id of a per-owner resource (``owner-<e-mail>``, ``alerts-<e-mail>``): keyed by
    the owner's e-mail, never by list position, so removing or reordering owners leaves the
    other owners' Cognito users and alert subscriptions at their addresses. Formerly
    ``<kind>-<index>``; :func:`silolake.stacks.continuity.owner_moves` moves those addresses."""
    return f"{kind}-{owner}"
