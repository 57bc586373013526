"""Every AWS resource name silolake derives, in one place.

Names are computed from the catalog only (never from Terraform tokens) so that the
validator can check AWS length limits before synth, and so that policies in one
account can refer to resources in another by name (for example the silo pipeline
role pattern the central artifacts bucket trusts). Change a rule here and both the
Terraform and the validation follow.
"""

from __future__ import annotations

# AWS limits the validator checks names against.
S3_BUCKET_MAX = 63
IAM_ROLE_MAX = 64
FIREHOSE_STREAM_MAX = 64
GLUE_NAME_MAX = 255

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
#: Every kind of bucket a silo account gets (the SCP protects all of them).
SILO_BUCKET_KINDS = ZONES + PARTNER_BUCKETS


def region_code(region: str) -> str:
    """Short, collision-free code for a region (``eu-central-1`` -> ``euc1``)."""
    parts = region.split("-")
    return parts[0] + "".join(_DIRECTIONS.get(p, p) for p in parts[1:-1]) + parts[-1]


def state_bucket(prefix: str, account_id: str, region: str) -> str:
    """Terraform state bucket: one per account, living in that account."""
    return f"{prefix}-{account_id}-{region}"


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


def stack_name(kind: str, name: str | None = None) -> str:
    """Terraform stack (and state key) names: ``org``, ``datalake``, ``silo-<n>``, ``analytics-<n>``."""
    return kind if name is None else f"{kind}-{name}"


def scp_name(kind: str) -> str:
    """Service control policy attached to the silos OU (``silolake-silos-regions``)."""
    return f"silolake-silos-{kind}"


def silo_account_name(org: str, silo: str) -> str:
    """Display name of a silo account the organization creates (AWS allows 50 characters)."""
    return f"{org}-silo-{silo}"


def silo_names(org: str, silo: str, account_id: str, region: str, flows: list[str]) -> dict[str, tuple[str, int]]:
    """All length-limited names of one silo, as ``{description: (name, limit)}``.

    Used by validation with a placeholder account id for silos whose account does not
    exist yet (account ids are always 12 digits, so lengths are exact).
    """
    names: dict[str, tuple[str, int]] = {
        f"{zone} bucket": (silo_bucket(org, silo, zone, account_id, region), S3_BUCKET_MAX) for zone in ZONES
    }
    # "api": API Gateway's role for Firehose; "api-logs": API Gateway's account logging role.
    partner = ("partner-admin", "partner-session", "partner-idp", "partner-sweeper", "partner-cfn", "sftp-logs")
    for purpose in ("pipeline", "firehose", "glue", "admin", "api", "api-logs", *partner):
        names[f"{purpose} role"] = (silo_role(silo, purpose), IAM_ROLE_MAX)
    for flow in flows:
        names[f"flow '{flow}' Firehose stream"] = (firehose_stream(org, silo, flow), FIREHOSE_STREAM_MAX)
        names[f"flow '{flow}' role"] = (silo_role(silo, f"{flow}-firehose"), IAM_ROLE_MAX)
    return names
