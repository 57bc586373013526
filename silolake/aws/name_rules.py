"""AWS naming rules of the lake's data and compute, one per kind of name silolake derives; each
cites the AWS page it follows (S3, Glue, Athena, Firehose, KMS, CloudWatch, Lambda, Step
Functions, EventBridge and its Scheduler, SNS, SQS, API Gateway, Redshift, EC2, QuickSight).

:mod:`silolake.aws.names` builds every name from catalog values; validation checks each built
name against its rule (:meth:`~silolake.aws.name_rule.NameRule.problems`), so a rule broken by
a combination of values (organization name + silo name + region) is reported at the catalog
key that caused it, before synth. The rules of accounts, identities, delivery and partner
access are in :mod:`silolake.aws.access_name_rules`; every rule of both, by attribute name, is
:data:`silolake.aws.name_registry.RULES`.
"""

from __future__ import annotations

from .name_rule import NameRule, cited, pattern, plain


@cited
def S3_BUCKET() -> NameRule:
    """General purpose S3 bucket names: 3-63 lowercase letters, digits, dots, hyphens; begin
    and end with a letter or digit; no two adjacent periods; not an IP address; not the
    reserved prefixes ``xn--``, ``sthree-`` (and ``sthree-configurator``), ``amzn-s3-demo-``
    nor the reserved suffixes ``-s3alias`` (access point aliases), ``--ol-s3`` (Object Lambda
    aliases), ``.mrap`` (Multi-Region Access Points), ``--x-s3`` (directory buckets),
    ``--table-s3`` (table buckets).
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
    """
    return NameRule(
        "S3 bucket name",
        3,
        63,
        pattern(r"[a-z0-9][a-z0-9.-]*[a-z0-9]"),
        "lowercase letters, digits, '.' and '-', beginning and ending with a letter or digit",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        reserved_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        reserved_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
        forbidden=(
            (pattern(r"\.\."), "two adjacent periods are not allowed"),
            (pattern(r"^\d{1,3}(\.\d{1,3}){3}$"), "a bucket name must not be formatted as an IP address"),
        ),
    )


_ATHENA_NAME = pattern(r"[a-z0-9_]+")
_ATHENA_WORDS = "lowercase letters, digits and '_' (Athena reads no other database, table or column names)"


def _athena_rule(label: str) -> NameRule:
    """A Glue catalog name Athena can query: 1-255 characters of ``[a-z0-9_]``."""
    return NameRule(
        label,
        1,
        255,
        _ATHENA_NAME,
        _ATHENA_WORDS,
        "https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html",
    )


@cited
def GLUE_DATABASE() -> NameRule:
    """Glue database names: 1-255 characters; Athena, which queries them, accepts only
    lowercase letters, digits and underscores.
    https://docs.aws.amazon.com/glue/latest/webapi/API_DatabaseInput.html
    https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
    """
    return _athena_rule("Glue database name")


@cited
def GLUE_TABLE() -> NameRule:
    """Glue table names: 1-255 characters; lowercase letters, digits and underscores for Athena.
    https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
    https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
    """
    return _athena_rule("Glue table name")


@cited
def GLUE_COLUMN() -> NameRule:
    """Glue column names: 1-255 characters; lowercase letters, digits and underscores for Athena
    (a name starting with ``_`` needs backticks in Athena DDL, which Glue-created tables avoid).
    https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html
    https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
    """
    return _athena_rule("Glue column name")


@cited
def FIREHOSE_STREAM() -> NameRule:
    """Firehose delivery stream names: 1-64 of ``[a-zA-Z0-9_.-]``.
    https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html
    """
    return NameRule(
        "Firehose stream name",
        1,
        64,
        pattern(r"[A-Za-z0-9_.-]+"),
        "ASCII letters, digits and _.-",
        "https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html",
    )


@cited
def KMS_ALIAS() -> NameRule:
    """KMS alias names, ``alias/`` included: 1-256 of ``[a-zA-Z0-9/_-]`` after ``alias/``;
    ``alias/aws/`` is reserved for AWS managed keys.
    https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
    """
    return NameRule(
        "KMS alias",
        7,
        256,
        pattern(r"alias/[A-Za-z0-9/_-]+"),
        "'alias/' followed by ASCII letters, digits and /_-",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
        reserved_prefixes=("alias/aws/",),
    )


@cited
def LOG_GROUP() -> NameRule:
    """CloudWatch Logs log group names: 1-512 of ``[.\\-_/#A-Za-z0-9]``.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
    """
    return NameRule(
        "CloudWatch log group name",
        1,
        512,
        pattern(r"[A-Za-z0-9._/#-]+"),
        "ASCII letters, digits and ._/#-",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    )


@cited
def API_GATEWAY_REST_API() -> NameRule:
    """API Gateway REST API names. ``CreateRestApi`` documents the name only as a required
    string; silolake holds the names it derives to letters, digits, ``_`` and ``-`` and at
    most 128 characters, which every API Gateway surface (console, CLI, CloudFormation)
    accepts and which reads in a URL-less listing.
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
    """
    return NameRule(
        "API Gateway REST API name",
        1,
        128,
        pattern(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '_' and '-' (silolake's own limit; AWS documents none)",
        "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html",
    )


@cited
def ATHENA_WORKGROUP() -> NameRule:
    """Athena workgroup names: 1-128 of ``[a-zA-Z0-9._-]``.
    https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html
    """
    return NameRule(
        "Athena workgroup name",
        1,
        128,
        pattern(r"[A-Za-z0-9._-]+"),
        "ASCII letters, digits and ._-",
        "https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html",
    )


@cited
def STEP_FUNCTIONS() -> NameRule:
    """Step Functions state machine names: 1-80 characters; with CloudWatch logging enabled
    (silolake always enables it) only ``0-9 A-Z a-z - _``.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
    """
    return NameRule(
        "Step Functions state machine name",
        1,
        80,
        pattern(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '_' and '-' (required when logging is enabled)",
        "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
    )


@cited
def LAMBDA_FUNCTION() -> NameRule:
    """Lambda function names (the name, not an ARN): 1-64 of ``[a-zA-Z0-9-_]``.
    https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
    """
    return NameRule(
        "Lambda function name",
        1,
        64,
        pattern(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '_' and '-'",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    )


@cited
def CLOUDWATCH_ALARM() -> NameRule:
    """CloudWatch alarm names: 1-255 characters, unique per account and region; silolake's are
    ASCII letters, digits and ``._-`` (AWS refuses control characters).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    return NameRule(
        "CloudWatch alarm name",
        1,
        255,
        pattern(r"[A-Za-z0-9._-]+"),
        "ASCII letters, digits, '.', '_' and '-'",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    )


@cited
def CLOUDWATCH_DASHBOARD() -> NameRule:
    """CloudWatch dashboard names: up to 255 of ``A-Z a-z 0-9 - _``.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
    """
    return NameRule(
        "CloudWatch dashboard name",
        1,
        255,
        pattern(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
    )


@cited
def SCHEDULER_GROUP() -> NameRule:
    """EventBridge Scheduler schedule and schedule group names: 1-64 of ``[0-9a-zA-Z-_.]``.
    https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
    """
    return NameRule(
        "EventBridge Scheduler name",
        1,
        64,
        pattern(r"[0-9A-Za-z._-]+"),
        "ASCII letters, digits, '.', '_' and '-'",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    )


@cited
def GLUE_JOB() -> NameRule:
    """Glue job names: 1-255 characters, a single line.
    https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html
    """
    return NameRule(
        "Glue job name",
        1,
        255,
        pattern(r"[^\r\n]+"),
        "any characters on a single line",
        "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html",
    )


@cited
def EVENTBRIDGE_RULE() -> NameRule:
    """EventBridge rule names: 1-64 of ``[\\.\\-_A-Za-z0-9]``.
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
    """
    return NameRule(
        "EventBridge rule name",
        1,
        64,
        pattern(r"[A-Za-z0-9._-]+"),
        "ASCII letters, digits and ._-",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    )


@cited
def API_GATEWAY_HTTP_API() -> NameRule:
    """API Gateway HTTP API names. ``CreateApi`` documents the name only as a required string;
    silolake holds its names to the REST API rule's letters, digits, ``_`` and ``-`` and 128
    characters (:data:`API_GATEWAY_REST_API`).
    https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
    """
    doc = "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html"
    return plain(
        "API Gateway HTTP API name",
        1,
        128,
        r"[A-Za-z0-9_-]+",
        "ASCII letters, digits, '_' and '-' (silolake's own limit; AWS documents none)",
        doc,
    )


@cited
def SNS_TOPIC() -> NameRule:
    """SNS topic names (standard topics): 1-256 ASCII letters, digits, ``_`` and ``-``.
    https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
    """
    doc = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
    return plain("SNS topic name", 1, 256, r"[A-Za-z0-9_-]+", "ASCII letters, digits, '_' and '-'", doc)


@cited
def SQS_QUEUE() -> NameRule:
    """SQS standard queue names: 1-80 ASCII letters, digits, ``-`` and ``_``.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
    """
    doc = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
    return plain("SQS queue name", 1, 80, r"[A-Za-z0-9_-]+", "ASCII letters, digits, '-' and '_'", doc)


@cited
def REDSHIFT_SERVERLESS() -> NameRule:
    """Redshift Serverless namespace and workgroup names: 3-64 of ``[a-z0-9-]``.
    https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html
    https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html
    """
    doc = "https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html"
    return plain("Redshift Serverless name", 3, 64, r"[a-z0-9-]+", "lowercase letters, digits and '-'", doc)


@cited
def EC2_SECURITY_GROUP() -> NameRule:
    """EC2 security group names (in a VPC): up to 255 of ``a-zA-Z0-9``, spaces and
    ``._-:/()#,@[]+=&;{}!$*``; not starting with ``sg-``.
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
    """
    doc = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
    return plain(
        "EC2 security group name",
        1,
        255,
        r"[A-Za-z0-9 ._:/()#,@\[\]+=&;{}!$*-]+",
        "ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
        doc,
        reserved_prefixes=("sg-",),
    )


@cited
def GLUE_SECURITY_CONFIGURATION() -> NameRule:
    """Glue security configuration names: 1-255 characters, a single line.
    https://docs.aws.amazon.com/glue/latest/webapi/API_CreateSecurityConfiguration.html
    """
    doc = "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateSecurityConfiguration.html"
    return plain("Glue security configuration name", 1, 255, r"[^\r\n]+", "any characters on a single line", doc)


@cited
def ATHENA_DATA_CATALOG() -> NameRule:
    """Athena data catalog names: at most 127 alphanumeric, ``_``, ``@`` or ``-`` characters.
    https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateDataCatalog.html
    """
    doc = "https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateDataCatalog.html"
    return plain("Athena data catalog name", 1, 127, r"[A-Za-z0-9_@-]+", "ASCII letters, digits and _@-", doc)


@cited
def QUICKSIGHT_DATA_SOURCE() -> NameRule:
    """QuickSight data source ids and display names: 1-128 characters.
    https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CreateDataSource.html
    """
    doc = "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CreateDataSource.html"
    return plain("QuickSight data source id or name", 1, 128, r"[\x20-\x7e]+", "printable ASCII", doc)
