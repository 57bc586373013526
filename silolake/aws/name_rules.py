"""AWS naming rules, one per kind of name silolake derives; each cites the AWS page it follows.

:mod:`silolake.aws.names` builds every name from catalog values; validation checks each built
name against its rule here (:meth:`NameRule.problems`), so a rule broken by a combination
of values (organization name + silo name + region) is reported at the catalog key that
caused it, before synth. A rule holds only what AWS documents (or, where AWS documents
nothing, says so): length, character set, reserved prefixes and suffixes, forbidden forms.

Lengths are counted in characters; every silolake-derived name is ASCII, so characters and
bytes agree.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts as one kind of name.

    ``pattern`` must match the whole name; ``charset`` says it in words for messages.
    ``forbidden`` holds (regex searched in the name, reason) pairs for forms AWS refuses
    although every character is allowed (two adjacent periods, an IP address, ...).
    """

    kind: str
    min_len: int
    max_len: int
    pattern: re.Pattern[str]
    charset: str
    doc: str
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()
    forbidden: tuple[tuple[re.Pattern[str], str], ...] = field(default=())
    #: The rule in words with its source: the docstring of the function that defines it.
    notes: str = field(default="", compare=False)

    def problems(self, name: str) -> list[tuple[str, str]]:
        """Every way ``name`` breaks this rule as ``(aspect, reason)``; empty when valid.

        ``aspect`` is one of ``length``, ``charset``, ``prefix``, ``suffix``, ``form``:
        validation uses it to report a fault once at the key that caused it.
        """
        if self._plain and self.min_len <= len(name) <= self.max_len and self.pattern.fullmatch(name):
            return []  # the common case, checked once
        out: list[tuple[str, str]] = []
        if not self.min_len <= len(name) <= self.max_len:
            out.append(("length", f"{len(name)} characters, AWS allows {self.min_len} to {self.max_len}"))
        if not self.pattern.fullmatch(name):
            out.append(("charset", f"AWS allows {self.charset}"))
        for prefix in self.reserved_prefixes:
            if name.lower().startswith(prefix):
                out.append(("prefix", f"names starting with '{prefix}' are reserved by AWS"))
        for suffix in self.reserved_suffixes:
            if name.lower().endswith(suffix):
                out.append(("suffix", f"names ending with '{suffix}' are reserved by AWS"))
        for regex, reason in self.forbidden:
            if regex.search(name):
                out.append(("form", reason))
        return out

    @property
    def _plain(self) -> bool:
        return not (self.reserved_prefixes or self.reserved_suffixes or self.forbidden)

    def accepts(self, name: str) -> bool:
        return not self.problems(name)


def _rule(fn: Callable[[], NameRule]) -> NameRule:
    """Build a rule from a function whose docstring cites the AWS documentation."""
    assert fn.__doc__ and "https://" in fn.__doc__, f"{fn.__name__}: cite the AWS doc"
    return replace(fn(), notes=inspect.cleandoc(fn.__doc__))


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@_rule
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
        _p(r"[a-z0-9][a-z0-9.-]*[a-z0-9]"),
        "lowercase letters, digits, '.' and '-', beginning and ending with a letter or digit",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        reserved_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        reserved_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
        forbidden=(
            (_p(r"\.\."), "two adjacent periods are not allowed"),
            (_p(r"^\d{1,3}(\.\d{1,3}){3}$"), "a bucket name must not be formatted as an IP address"),
        ),
    )


@_rule
def IAM_ROLE() -> NameRule:
    """IAM role names: 1-64 of ``[\\w+=,.@-]`` (ASCII letters, digits and ``_+=,.@-``);
    unique case-insensitively within the account.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
    """
    return NameRule(
        "IAM role name",
        1,
        64,
        _p(r"[A-Za-z0-9_+=,.@-]+"),
        "ASCII letters, digits and _+=,.@-",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    )


@_rule
def IAM_PATH() -> NameRule:
    """IAM paths: ``/`` alone, or ``/`` + printable ASCII (``!`` to ``~``) + ``/``; 1-512.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
    """
    return NameRule(
        "IAM path",
        1,
        512,
        _p(r"/|/[\x21-\x7e]+/"),
        "'/' alone or printable ASCII between a leading and a trailing '/'",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    )


@_rule
def IAM_POLICY() -> NameRule:
    """IAM managed policy names: 1-128 of ``[\\w+=,.@-]``.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
    """
    return NameRule(
        "IAM policy name",
        1,
        128,
        _p(r"[A-Za-z0-9_+=,.@-]+"),
        "ASCII letters, digits and _+=,.@-",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html",
    )


_ATHENA_NAME = _p(r"[a-z0-9_]+")
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


@_rule
def GLUE_DATABASE() -> NameRule:
    """Glue database names: 1-255 characters; Athena, which queries them, accepts only
    lowercase letters, digits and underscores.
    https://docs.aws.amazon.com/glue/latest/webapi/API_DatabaseInput.html
    https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
    """
    return _athena_rule("Glue database name")


@_rule
def GLUE_TABLE() -> NameRule:
    """Glue table names: 1-255 characters; lowercase letters, digits and underscores for Athena.
    https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
    https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
    """
    return _athena_rule("Glue table name")


@_rule
def GLUE_COLUMN() -> NameRule:
    """Glue column names: 1-255 characters; lowercase letters, digits and underscores for Athena
    (a name starting with ``_`` needs backticks in Athena DDL, which Glue-created tables avoid).
    https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html
    https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
    """
    return _athena_rule("Glue column name")


@_rule
def FIREHOSE_STREAM() -> NameRule:
    """Firehose delivery stream names: 1-64 of ``[a-zA-Z0-9_.-]``.
    https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html
    """
    return NameRule(
        "Firehose stream name",
        1,
        64,
        _p(r"[A-Za-z0-9_.-]+"),
        "ASCII letters, digits and _.-",
        "https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html",
    )


@_rule
def KMS_ALIAS() -> NameRule:
    """KMS alias names, ``alias/`` included: 1-256 of ``[a-zA-Z0-9/_-]`` after ``alias/``;
    ``alias/aws/`` is reserved for AWS managed keys.
    https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
    """
    return NameRule(
        "KMS alias",
        7,
        256,
        _p(r"alias/[A-Za-z0-9/_-]+"),
        "'alias/' followed by ASCII letters, digits and /_-",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
        reserved_prefixes=("alias/aws/",),
    )


@_rule
def LOG_GROUP() -> NameRule:
    """CloudWatch Logs log group names: 1-512 of ``[.\\-_/#A-Za-z0-9]``.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
    """
    return NameRule(
        "CloudWatch log group name",
        1,
        512,
        _p(r"[A-Za-z0-9._/#-]+"),
        "ASCII letters, digits and ._/#-",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    )


@_rule
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
        _p(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '_' and '-' (silolake's own limit; AWS documents none)",
        "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html",
    )


@_rule
def ATHENA_WORKGROUP() -> NameRule:
    """Athena workgroup names: 1-128 of ``[a-zA-Z0-9._-]``.
    https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html
    """
    return NameRule(
        "Athena workgroup name",
        1,
        128,
        _p(r"[A-Za-z0-9._-]+"),
        "ASCII letters, digits and ._-",
        "https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html",
    )


@_rule
def STEP_FUNCTIONS() -> NameRule:
    """Step Functions state machine names: 1-80 characters; with CloudWatch logging enabled
    (silolake always enables it) only ``0-9 A-Z a-z - _``.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
    """
    return NameRule(
        "Step Functions state machine name",
        1,
        80,
        _p(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '_' and '-' (required when logging is enabled)",
        "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
    )


@_rule
def TRANSFER_USER() -> NameRule:
    """Transfer Family user names: 3-100 characters, ``^[\\w][\\w@.-]{2,99}$``.
    https://docs.aws.amazon.com/transfer/latest/APIReference/API_CreateUser.html
    """
    return NameRule(
        "Transfer Family user name",
        3,
        100,
        _p(r"[A-Za-z0-9_][A-Za-z0-9_@.-]{2,99}"),
        "ASCII letters, digits and _@.- (not starting with @.-)",
        "https://docs.aws.amazon.com/transfer/latest/APIReference/API_CreateUser.html",
    )


@_rule
def LAMBDA_FUNCTION() -> NameRule:
    """Lambda function names (the name, not an ARN): 1-64 of ``[a-zA-Z0-9-_]``.
    https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
    """
    return NameRule(
        "Lambda function name",
        1,
        64,
        _p(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '_' and '-'",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    )


@_rule
def CLOUDWATCH_ALARM() -> NameRule:
    """CloudWatch alarm names: 1-255 characters, unique per account and region; silolake's are
    ASCII letters, digits and ``._-`` (AWS refuses control characters).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    return NameRule(
        "CloudWatch alarm name",
        1,
        255,
        _p(r"[A-Za-z0-9._-]+"),
        "ASCII letters, digits, '.', '_' and '-'",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    )


@_rule
def CLOUDWATCH_DASHBOARD() -> NameRule:
    """CloudWatch dashboard names: up to 255 of ``A-Z a-z 0-9 - _``.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
    """
    return NameRule(
        "CloudWatch dashboard name",
        1,
        255,
        _p(r"[A-Za-z0-9_-]+"),
        "ASCII letters, digits, '-' and '_'",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
    )


@_rule
def SCHEDULER_GROUP() -> NameRule:
    """EventBridge Scheduler schedule and schedule group names: 1-64 of ``[0-9a-zA-Z-_.]``.
    https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
    """
    return NameRule(
        "EventBridge Scheduler name",
        1,
        64,
        _p(r"[0-9A-Za-z._-]+"),
        "ASCII letters, digits, '.', '_' and '-'",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    )


@_rule
def GLUE_JOB() -> NameRule:
    """Glue job names: 1-255 characters, a single line.
    https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html
    """
    return NameRule(
        "Glue job name",
        1,
        255,
        _p(r"[^\r\n]+"),
        "any characters on a single line",
        "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html",
    )


@_rule
def EVENTBRIDGE_RULE() -> NameRule:
    """EventBridge rule names: 1-64 of ``[\\.\\-_A-Za-z0-9]``.
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
    """
    return NameRule(
        "EventBridge rule name",
        1,
        64,
        _p(r"[A-Za-z0-9._-]+"),
        "ASCII letters, digits and ._-",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    )


@_rule
def ORG_ACCOUNT_NAME() -> NameRule:
    """Organizations account names: 1-50 printable ASCII characters.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
    """
    return NameRule(
        "AWS account name",
        1,
        50,
        _p(r"[\x20-\x7e]+"),
        "printable ASCII",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html",
    )


@_rule
def ORG_ACCOUNT_EMAIL() -> NameRule:
    """Organizations account root e-mail: 6-64 characters, ``[^\\s@]*@[^\\s@]*``.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
    """
    return NameRule(
        "AWS account e-mail",
        6,
        64,
        _p(r"[^\s@]*@[^\s@]*"),
        "one '@' and no whitespace",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html",
    )


@_rule
def ORG_UNIT_NAME() -> NameRule:
    """Organizational unit names: 1-128 characters of any kind.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html
    """
    return NameRule(
        "organizational unit name",
        1,
        128,
        _p(r"[\s\S]+"),
        "any characters",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html",
    )


@_rule
def SCP_NAME() -> NameRule:
    """Organizations policy (SCP) names: 1-128 characters of any kind.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html
    """
    return NameRule(
        "service control policy name",
        1,
        128,
        _p(r"[\s\S]+"),
        "any characters",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html",
    )


def _plain(kind: str, low: int, high: int, regex: str, charset: str, doc: str, **extra: object) -> NameRule:
    """A rule of a length range and a character pattern (the common shape)."""
    return NameRule(kind, low, high, _p(regex), charset, doc, **extra)  # type: ignore[arg-type]


@_rule
def CODEBUILD_PROJECT() -> NameRule:
    """CodeBuild project names: 2-255 characters, ``[A-Za-z0-9][A-Za-z0-9\\-_]{1,254}``.
    https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html
    """
    doc = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html"
    return _plain(
        "CodeBuild project name",
        2,
        255,
        r"[A-Za-z0-9][A-Za-z0-9_-]{1,254}",
        "ASCII letters, digits, '_' and '-', starting with a letter or digit",
        doc,
    )


@_rule
def CODEPIPELINE() -> NameRule:
    """CodePipeline pipeline names: 1-100 of ``[A-Za-z0-9.@\\-_]``.
    https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html
    """
    doc = "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html"
    return _plain("CodePipeline pipeline name", 1, 100, r"[A-Za-z0-9.@_-]+", "ASCII letters, digits and .@_-", doc)


@_rule
def CODECONNECTIONS_CONNECTION() -> NameRule:
    """CodeConnections connection names: 1-32 characters.
    https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateConnection.html
    """
    doc = "https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateConnection.html"
    return _plain("CodeConnections connection name", 1, 32, r"[\s\S]+", "any characters", doc)


@_rule
def COGNITO_USER_POOL() -> NameRule:
    """Cognito user pool names: 1-128 of ``[\\w\\s+=,.@-]``.
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
    """
    doc = "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html"
    return _plain(
        "Cognito user pool name", 1, 128, r"[A-Za-z0-9_\s+=,.@-]+", "ASCII letters, digits, spaces and _+=,.@-", doc
    )


@_rule
def COGNITO_DOMAIN() -> NameRule:
    """Cognito prefix domains: 1-63 of ``^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$``; the prefix
    may not contain the reserved words ``aws``, ``amazon`` or ``cognito``.
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html
    https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
    """
    doc = "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html"
    reserved = ((_p(r"aws|amazon|cognito"), "a Cognito domain prefix may not contain 'aws', 'amazon' or 'cognito'"),)
    return _plain(
        "Cognito domain prefix",
        1,
        63,
        r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
        "lowercase letters, digits and '-', beginning and ending with a letter or digit",
        doc,
        forbidden=reserved,
    )


@_rule
def DYNAMODB_TABLE() -> NameRule:
    """DynamoDB table names: 3-255 of ``[a-zA-Z0-9_.-]``.
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
    """
    doc = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html"
    return _plain("DynamoDB table name", 3, 255, r"[A-Za-z0-9_.-]+", "ASCII letters, digits and _.-", doc)


@_rule
def API_GATEWAY_HTTP_API() -> NameRule:
    """API Gateway HTTP API names. ``CreateApi`` documents the name only as a required string;
    silolake holds its names to the REST API rule's letters, digits, ``_`` and ``-`` and 128
    characters (:data:`API_GATEWAY_REST_API`).
    https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
    """
    doc = "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html"
    return _plain(
        "API Gateway HTTP API name",
        1,
        128,
        r"[A-Za-z0-9_-]+",
        "ASCII letters, digits, '_' and '-' (silolake's own limit; AWS documents none)",
        doc,
    )


@_rule
def SNS_TOPIC() -> NameRule:
    """SNS topic names (standard topics): 1-256 ASCII letters, digits, ``_`` and ``-``.
    https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
    """
    doc = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
    return _plain("SNS topic name", 1, 256, r"[A-Za-z0-9_-]+", "ASCII letters, digits, '_' and '-'", doc)


@_rule
def SQS_QUEUE() -> NameRule:
    """SQS standard queue names: 1-80 ASCII letters, digits, ``-`` and ``_``.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
    """
    doc = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
    return _plain("SQS queue name", 1, 80, r"[A-Za-z0-9_-]+", "ASCII letters, digits, '-' and '_'", doc)


@_rule
def REDSHIFT_SERVERLESS() -> NameRule:
    """Redshift Serverless namespace and workgroup names: 3-64 of ``[a-z0-9-]``.
    https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html
    https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html
    """
    doc = "https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html"
    return _plain("Redshift Serverless name", 3, 64, r"[a-z0-9-]+", "lowercase letters, digits and '-'", doc)


@_rule
def EC2_SECURITY_GROUP() -> NameRule:
    """EC2 security group names (in a VPC): up to 255 of ``a-zA-Z0-9``, spaces and
    ``._-:/()#,@[]+=&;{}!$*``; not starting with ``sg-``.
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
    """
    doc = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
    return _plain(
        "EC2 security group name",
        1,
        255,
        r"[A-Za-z0-9 ._:/()#,@\[\]+=&;{}!$*-]+",
        "ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
        doc,
        reserved_prefixes=("sg-",),
    )


@_rule
def GLUE_SECURITY_CONFIGURATION() -> NameRule:
    """Glue security configuration names: 1-255 characters, a single line.
    https://docs.aws.amazon.com/glue/latest/webapi/API_CreateSecurityConfiguration.html
    """
    doc = "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateSecurityConfiguration.html"
    return _plain("Glue security configuration name", 1, 255, r"[^\r\n]+", "any characters on a single line", doc)


@_rule
def ATHENA_DATA_CATALOG() -> NameRule:
    """Athena data catalog names: at most 127 alphanumeric, ``_``, ``@`` or ``-`` characters.
    https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateDataCatalog.html
    """
    doc = "https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateDataCatalog.html"
    return _plain("Athena data catalog name", 1, 127, r"[A-Za-z0-9_@-]+", "ASCII letters, digits and _@-", doc)


@_rule
def CLOUDFRONT_OAC() -> NameRule:
    """CloudFront origin access control names: 1-64 characters.
    https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html
    """
    doc = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html"
    return _plain("CloudFront origin access control name", 1, 64, r"[\x20-\x7e]+", "printable ASCII", doc)


@_rule
def CLOUDFRONT_RESPONSE_HEADERS_POLICY() -> NameRule:
    """CloudFront response headers policy names: at most 128 letters, digits, ``-`` and ``_``
    (CloudFront quotas, "Response headers policies").
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
    """
    doc = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"
    return _plain(
        "CloudFront response headers policy name", 1, 128, r"[A-Za-z0-9_-]+", "ASCII letters, digits, '-' and '_'", doc
    )


@_rule
def QUICKSIGHT_DATA_SOURCE() -> NameRule:
    """QuickSight data source ids and display names: 1-128 characters.
    https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CreateDataSource.html
    """
    doc = "https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CreateDataSource.html"
    return _plain("QuickSight data source id or name", 1, 128, r"[\x20-\x7e]+", "printable ASCII", doc)


# -- tags -----------------------------------------------------------------------------

#: Tags AWS allows on one resource (user tags; ``aws:`` tags AWS adds do not count).
#: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
MAX_TAGS_PER_RESOURCE = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
#: Punctuation IAM accepts in tag keys and values besides letters, separators (spaces) and
#: digits: ``[\p{L}\p{Z}\p{N}_.:/=+\-@]*``. IAM is the strictest service silolake tags
#: (every silo stack creates roles, and default tags reach all of them).
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
TAG_PUNCTUATION = frozenset("_.:/=+-@")
RESERVED_TAG_PREFIX = "aws:"


def _tag_char_ok(ch: str) -> bool:
    return ch in TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def tag_problems(text: str, *, key: bool) -> list[tuple[str, str]]:
    r"""Why ``text`` cannot be a tag key (``key=True``) or value under IAM's tag rules, as
    ``(aspect, reason)`` pairs like :meth:`NameRule.problems`; empty if it can.

    Keys: 1-128 characters, not starting with ``aws:`` (any case); values: 0-256 characters;
    both only ``[\p{L}\p{Z}\p{N}_.:/=+\-@]``.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
    """
    out = []
    low, high = (1, TAG_KEY_MAX) if key else (0, TAG_VALUE_MAX)
    if not low <= len(text) <= high:
        out.append(("length", f"{len(text)} characters, AWS allows {low} to {high}"))
    bad = sorted({ch for ch in text if not _tag_char_ok(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:8])
        out.append(("charset", f"AWS tags allow only letters, digits, spaces and _ . : / = + - @, not {shown}"))
    if key and text.lower().startswith(RESERVED_TAG_PREFIX):
        out.append(("prefix", f"the '{RESERVED_TAG_PREFIX}' prefix is reserved for AWS"))
    return out


#: Every rule, by attribute name (what tests and the docs iterate over).
RULES: dict[str, NameRule] = {
    name: value for name, value in dict(globals()).items() if isinstance(value, NameRule) and name.isupper()
}
