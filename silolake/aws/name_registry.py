"""The registry of every name silolake gives AWS: each name from its builder in
:mod:`silolake.aws.names`, with the rule of :mod:`silolake.aws.name_rules` it must meet.

Validation (:mod:`silolake.catalog.limits`) walks these tables with a placeholder account
id and reports a broken rule at the catalog key that decides the name; the constructs
call the very same builders, and ``tests/aws/test_name_registry.py`` proves it by finding
every name of every synthesized resource here, with the same rule. So a name that
validates is the name applied ("what validates, applies").

A silo's table holds the names of every capability, enabled or not (SFTP, warehouse,
QuickSight, malware hold, partner access): enabling one later never meets a name AWS
refuses. Shapes: every table is :data:`Derived`, ``{what it names: (name, rule)}``.
"""

from __future__ import annotations

from . import access_name_rules as access_rules
from . import delivery_names, health_names, names, partner_access_names
from . import name_rules as rules
from .name_rule import NameRule

#: Every naming rule, by attribute name (what tests and the docs iterate over): those of the
#: lake's data and compute and those of accounts, identities, delivery and partner access.
RULES: dict[str, NameRule] = {
    name: value
    for module in (rules, access_rules)
    for name, value in vars(module).items()
    if isinstance(value, NameRule) and name.isupper()
}
#: A derived name and the AWS rule it must meet, by what it names ("raw bucket").
Derived = dict[str, tuple[str, NameRule]]

#: Roles every silo account has: "api" lets API Gateway write to Firehose, "api-logs" is
#: API Gateway's account-level logging role (account baseline).
SILO_ROLE_PURPOSES = ("pipeline", "firehose", "glue", "admin", "api", "api-logs")
#: Roles of a silo's capabilities: partner access (its functions, the CloudFormation role
#: issuing credentials, SFTP logging), ETL, health, the malware hold.
CAPABILITY_ROLE_PURPOSES = (
    "partner-admin",
    "partner-session",
    "partner-idp",
    "partner-sweeper",
    "partner-cfn",
    "sftp-logs",
    "landing",
    "etl-scheduler",
    "warehouse-flow-logs",
    "freshness",
    "health-scheduler",
    "notify",
    names.MALWARE_SCAN_PURPOSE,
)
#: Silo-wide Lambda functions of ETL and health (``silolake-<silo>-<purpose>``).
SILO_FUNCTIONS = ("landing", "freshness", "notify")
#: Stages of a silo pipeline that are CodeBuild projects.
PIPELINE_STAGES = ("plan", "apply")


def _function(out: Derived, what: str, silo: str, function: str) -> None:
    """A Lambda function, the log group silolake creates for it and its errors alarm."""
    out[f"{what} function"] = (function, rules.LAMBDA_FUNCTION)
    out[f"{what} function log group"] = (names.lambda_log_group(function), rules.LOG_GROUP)
    out[f"{what} function alarm"] = (health_names.lambda_alarm(silo, function), rules.CLOUDWATCH_ALARM)


def silo_names(
    org: str,
    silo: str,
    account_id: str,
    region: str,
    flows: list[str],
    *,
    created_account: bool = False,
    pipeline_region: str | None = None,
) -> Derived:
    """Every name one silo derives (``flows``: only their per-flow names), with its rule.

    Used by validation with a placeholder account id for silos whose account does not
    exist yet (account ids are always 12 digits, so lengths are exact).
    ``created_account``: the organization creates the account (``email`` given), so its
    display name counts too. ``pipeline_region``: the silo pipeline's region (the artifacts
    bucket's, :func:`silolake.policy.delivery.pipeline_region`); ``region`` when omitted.
    """
    out: Derived = {
        f"{kind} bucket": (names.silo_bucket(org, silo, kind, account_id, region), rules.S3_BUCKET)
        for kind in names.SILO_BUCKET_KINDS
    }
    for purpose in SILO_ROLE_PURPOSES + CAPABILITY_ROLE_PURPOSES:
        out[f"{purpose} role"] = (names.silo_role(silo, purpose), access_rules.IAM_ROLE)
    out["Glue database"] = (names.glue_database(silo), rules.GLUE_DATABASE)
    out["Athena data catalog (in analytics accounts)"] = (names.athena_catalog(silo), rules.ATHENA_DATA_CATALOG)
    out["quality results table"] = (names.QUALITY_TABLE, rules.GLUE_TABLE)
    out["data key alias"] = (f"alias/{names.silo_key_alias(silo)}", rules.KMS_ALIAS)
    api = names.ingest_api(org, silo)
    out["ingestion API"] = (api, rules.API_GATEWAY_REST_API)
    out["ingestion API access log group"] = (names.api_access_log_group(api), rules.LOG_GROUP)
    if created_account:
        out["account name"] = (names.silo_account_name(org, silo), access_rules.ORG_ACCOUNT_NAME)
    out.update(_partner_access_names(org, silo, account_id, region))
    out.update(_etl_names(silo))
    for purpose in SILO_FUNCTIONS:
        _function(out, purpose, silo, names.etl_silo_name(silo, purpose))
    out["health schedule group"] = (health_names.health_schedule_group(silo), rules.SCHEDULER_GROUP)
    out["pipeline schedule group"] = (health_names.pipeline_schedule_group(silo), rules.SCHEDULER_GROUP)
    out["health dashboard"] = (health_names.silo_dashboard(silo), rules.CLOUDWATCH_DASHBOARD)
    out["health dead-letter queue"] = (health_names.health_dead_letter_queue(silo), rules.SQS_QUEUE)
    for what in health_names.SILO_ALARMS:
        out[f"{what} alarm"] = (health_names.health_alarm(silo, "silo", what), rules.CLOUDWATCH_ALARM)
    out.update(pipeline_names(org, silo, account_id, pipeline_region or region))
    if pipeline_region and pipeline_region != region:  # the pipeline brings its own access-log bucket there
        bucket = names.silo_bucket(org, silo, "logs", account_id, pipeline_region)
        out["pipeline access-log bucket"] = (bucket, rules.S3_BUCKET)
    for flow in flows:
        out.update(flow_names(org, silo, flow))
    return out


def _partner_access_names(org: str, silo: str, account_id: str, region: str) -> Derived:
    """Partner access (:mod:`silolake.constructs.partner`): functions, staff sign-in, API, SFTP, pages."""
    out: Derived = {}
    for kind in partner_access_names.PARTNER_FUNCTION_KINDS:
        _function(out, f"partner {kind}", silo, partner_access_names.partner_function(org, silo, kind))
    out["partner sweeper rule"] = (partner_access_names.partner_sweeper_rule(org, silo), rules.EVENTBRIDGE_RULE)
    out["partner boundary policy"] = (partner_access_names.partner_boundary(silo), access_rules.IAM_POLICY)
    out["partner lockout table"] = (partner_access_names.partner_lockout_table(org, silo), access_rules.DYNAMODB_TABLE)
    pool = partner_access_names.partner_user_pool(org, silo)
    out["staff user pool"] = (pool, access_rules.COGNITO_USER_POOL)
    out["staff sign-in domain"] = (pool, access_rules.COGNITO_DOMAIN)
    api = partner_access_names.partner_api(org, silo)
    out["partner API"] = (api, rules.API_GATEWAY_HTTP_API)
    out["partner API access log group"] = (names.api_access_log_group(api), rules.LOG_GROUP)
    out["SFTP log group"] = (
        partner_access_names.transfer_log_group(partner_access_names.partner_sftp_server(org, silo)),
        rules.LOG_GROUP,
    )
    web = names.silo_bucket(org, silo, "web", account_id, region)
    out["partner pages origin access control"] = (web, access_rules.CLOUDFRONT_OAC)
    out["partner pages headers policy"] = (
        partner_access_names.partner_pages_headers_policy(org, silo),
        access_rules.CLOUDFRONT_RESPONSE_HEADERS_POLICY,
    )
    return out


def _etl_names(silo: str) -> Derived:
    """Silo-wide ETL (:mod:`silolake.constructs.etl`): Glue, alerts, landing, Athena, QuickSight, warehouse."""
    warehouse = names.etl_silo_name(silo, "warehouse")
    return {
        "Glue security configuration": (names.etl_silo_name(silo, "etl"), rules.GLUE_SECURITY_CONFIGURATION),
        "ETL alerts topic": (names.etl_silo_name(silo, "etl-alerts"), rules.SNS_TOPIC),
        "landing rule": (names.etl_silo_name(silo, "landing"), rules.EVENTBRIDGE_RULE),
        "Athena workgroup": (names.etl_silo_name(silo, "athena"), rules.ATHENA_WORKGROUP),
        "QuickSight data source id": (names.etl_silo_name(silo, "athena"), rules.QUICKSIGHT_DATA_SOURCE),
        "QuickSight data source name": (names.quicksight_data_source_name(silo), rules.QUICKSIGHT_DATA_SOURCE),
        "warehouse namespace and workgroup": (warehouse, rules.REDSHIFT_SERVERLESS),
        "warehouse security group": (warehouse, rules.EC2_SECURITY_GROUP),
        "warehouse flow log group": (names.warehouse_flow_log_group(silo), rules.LOG_GROUP),
    }


def flow_names(org: str, silo: str, flow: str, storage: str | None = None, data: str | None = None) -> Derived:
    """Every name one flow of a silo derives, with its rule. ``storage``: the flow's storage
    name (``renamed_from`` of a renamed flow, :attr:`silolake.catalog.flow.Flow.storage_name`),
    which names its AWS resources; alarms and freshness schedules follow ``flow``. ``data``:
    its data name (:attr:`~silolake.catalog.flow.Flow.data_name`, ``<storage>_v<N>`` from
    ``schema_version`` 2 on), which names its Glue tables."""
    store = storage or flow
    stream = names.firehose_stream(org, silo, store)
    machine = names.etl_name(silo, store)
    out: Derived = {
        f"flow '{flow}' Firehose stream": (stream, rules.FIREHOSE_STREAM),
        f"flow '{flow}' Firehose log group": (names.firehose_log_group(stream), rules.LOG_GROUP),
        f"flow '{flow}' role": (names.silo_role(silo, f"{store}-firehose"), access_rules.IAM_ROLE),
    }
    for zone in ("raw", "processed"):
        out[f"flow '{flow}' {zone} table"] = (names.glue_table(data or store, zone), rules.GLUE_TABLE)
    for purpose in ("glue", "sfn", "load"):
        out[f"flow '{flow}' {purpose} role"] = (names.silo_role(silo, f"{store}-{purpose}"), access_rules.IAM_ROLE)
    out[f"flow '{flow}' Glue job"] = (machine, rules.GLUE_JOB)
    out[f"flow '{flow}' ETL schedule"] = (machine, rules.SCHEDULER_GROUP)
    out[f"flow '{flow}' state machine"] = (machine, rules.STEP_FUNCTIONS)
    out[f"flow '{flow}' state machine log group"] = (names.state_machine_log_group(machine), rules.LOG_GROUP)
    out[f"flow '{flow}' freshness schedule"] = (health_names.freshness_schedule(flow), rules.SCHEDULER_GROUP)
    for what in health_names.FLOW_ALARMS:
        out[f"flow '{flow}' {what} alarm"] = (health_names.health_alarm(silo, flow, what), rules.CLOUDWATCH_ALARM)
    return out


def partner_names(silo: str, flow: str, partner: str) -> Derived:
    """Names one partner expected on a flow (``expect.partners``) derives: its alarm and schedule."""
    return {
        f"partner '{partner}' freshness alarm": (
            health_names.partner_late_alarm(silo, flow, partner),
            rules.CLOUDWATCH_ALARM,
        ),
        f"partner '{partner}' freshness schedule": (
            health_names.freshness_schedule(flow, partner),
            rules.SCHEDULER_GROUP,
        ),
    }


def pipeline_names(org: str, silo: str, account_id: str, region: str) -> Derived:
    """Every name a silo pipeline derives, with its rule (``region``: the pipeline's)."""
    out: Derived = {
        f"{purpose} role": (names.silo_role(silo, purpose), access_rules.IAM_ROLE)
        for purpose in delivery_names.PIPELINE_ROLE_PURPOSES
    }
    out["pipeline artifact bucket"] = (
        names.silo_bucket(org, silo, names.PIPELINE_BUCKET, account_id, region),
        rules.S3_BUCKET,
    )
    out["pipeline boundary policy"] = (delivery_names.silo_pipeline_boundary(silo), access_rules.IAM_POLICY)
    out["pipeline key alias"] = (f"alias/{delivery_names.silo_pipeline_key_alias(silo)}", rules.KMS_ALIAS)
    pipeline = delivery_names.silo_pipeline(silo)
    out["pipeline"] = (pipeline, access_rules.CODEPIPELINE)
    out["pipeline trigger rule"] = (pipeline, rules.EVENTBRIDGE_RULE)
    out["pipeline build log group"] = (delivery_names.codebuild_log_group(pipeline), rules.LOG_GROUP)
    for stage in PIPELINE_STAGES:
        out[f"pipeline {stage} project"] = (
            delivery_names.silo_build_project(silo, stage),
            access_rules.CODEBUILD_PROJECT,
        )
    out["bundle forwarding rule (datalake account)"] = (
        delivery_names.bundle_forward_rule(account_id),
        rules.EVENTBRIDGE_RULE,
    )
    return out


def analytics_names(org: str, consumer: str, account_id: str, regions: list[str]) -> Derived:
    """Every name an analytics consumer derives: workgroup, reader policy, key, per-region buckets."""
    out: Derived = {
        "Athena workgroup": (names.athena_workgroup(org, consumer), rules.ATHENA_WORKGROUP),
        "reader policy": (names.analytics_reader_policy(consumer), access_rules.IAM_POLICY),
        "query results key alias": (f"alias/{names.analytics_key_alias(consumer)}", rules.KMS_ALIAS),
    }
    for region in regions:
        for purpose in names.WORKSPACE_BUCKET_PURPOSES:
            bucket = names.workspace_bucket(org, consumer, purpose, account_id, region)
            out[f"{purpose} bucket in {region}"] = (bucket, rules.S3_BUCKET)
    return out


def organization_names(org: str, account_id: str, region: str) -> Derived:
    """Names the organization name decides, in the data lake account: buckets, the master
    pipeline (release), its connection and the organization's health dashboard."""
    out: Derived = {
        f"{purpose} bucket": (names.account_bucket(org, purpose, account_id, region), rules.S3_BUCKET)
        for purpose in ("artifacts", "artifacts-logs", "release")
    }
    release = delivery_names.release_name(org)
    out["release pipeline"] = (release, access_rules.CODEPIPELINE)
    out["release build project"] = (release, access_rules.CODEBUILD_PROJECT)
    out["release build log group"] = (delivery_names.codebuild_log_group(release), rules.LOG_GROUP)
    out["source connection"] = (delivery_names.source_connection_name(org), access_rules.CODECONNECTIONS_CONNECTION)
    out["S3 source rule"] = (delivery_names.source_rule_name(org), rules.EVENTBRIDGE_RULE)
    out["organization health dashboard"] = (health_names.organization_dashboard(org), rules.CLOUDWATCH_DASHBOARD)
    # Every silo's staff sign-in domain starts with the organization name: a word Cognito
    # reserves there is the organization's to change, said once here (a silo named "silo").
    out["staff sign-in domain of every silo"] = (
        partner_access_names.partner_user_pool(org, "silo"),
        access_rules.COGNITO_DOMAIN,
    )
    return out


def fixed_names() -> Derived:
    """Names no catalog value reaches (the same in every lake), listed with their rules so the
    registry holds every name silolake gives AWS: guardrail policies, central roles, keys."""
    out: Derived = {}
    for ou, kinds in names.GUARDRAIL_KINDS.items():
        for kind in kinds:
            out[f"{ou} {kind} guardrail policy"] = (names.scp_name(kind, ou), access_rules.SCP_NAME)
    out["publisher role"] = (names.datalake_role(delivery_names.PUBLISHER_PURPOSE), access_rules.IAM_ROLE)
    out["bundle events role"] = (names.datalake_role(delivery_names.BUNDLE_EVENTS_PURPOSE), access_rules.IAM_ROLE)
    for what, purpose in delivery_names.RELEASE_ROLE_PURPOSES.items():
        out[f"release {what} role"] = (names.datalake_role(purpose), access_rules.IAM_ROLE)
    out["GitHub plan role"] = (delivery_names.GITHUB_PLAN_ROLE, access_rules.IAM_ROLE)
    out["CloudWatch sharing role"] = (health_names.CLOUDWATCH_SHARING_ROLE, access_rules.IAM_ROLE)
    out["artifacts key alias"] = (f"alias/{delivery_names.ARTIFACTS_KEY_ALIAS}", rules.KMS_ALIAS)
    return out


def organization_value_names(ous: dict[str, str], deploy_role: str | None) -> Derived:
    """Names taken verbatim from ``organization``: the OU names and the deploy role the
    organization creates in each new account (``deploy_role_name``)."""
    out: Derived = {f"{key} OU": (name, access_rules.ORG_UNIT_NAME) for key, name in ous.items()}
    if deploy_role:
        out["deploy role"] = (deploy_role, access_rules.IAM_ROLE)
    return out


def state_bucket_names(prefix: str, account_id: str, regions: list[str]) -> Derived:
    """The state bucket of an account in each of ``regions`` (validation: one per distinct region)."""
    return {f"state bucket in {r}": (names.state_bucket(prefix, account_id, r), rules.S3_BUCKET) for r in regions}
