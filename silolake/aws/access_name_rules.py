"""AWS naming rules of accounts, identities, delivery and partner access, one per kind of name
silolake derives; each cites the AWS page it follows (IAM, Organizations, CodeBuild,
CodePipeline, CodeConnections, Cognito, DynamoDB, Transfer Family, CloudFront).

Validation checks each built name against its rule exactly as those of
:mod:`silolake.aws.name_rules` (the lake's data and compute); every rule of both, by
attribute name, is :data:`silolake.aws.name_registry.RULES`.
"""

from __future__ import annotations

from .name_rule import NameRule, cited, pattern, plain


@cited
def IAM_ROLE() -> NameRule:
    """IAM role names: 1-64 of ``[\\w+=,.@-]`` (ASCII letters, digits and ``_+=,.@-``);
    unique case-insensitively within the account.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
    """
    return NameRule(
        "IAM role name",
        1,
        64,
        pattern(r"[A-Za-z0-9_+=,.@-]+"),
        "ASCII letters, digits and _+=,.@-",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    )


@cited
def IAM_PATH() -> NameRule:
    """IAM paths: ``/`` alone, or ``/`` + printable ASCII (``!`` to ``~``) + ``/``; 1-512.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
    """
    return NameRule(
        "IAM path",
        1,
        512,
        pattern(r"/|/[\x21-\x7e]+/"),
        "'/' alone or printable ASCII between a leading and a trailing '/'",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    )


@cited
def IAM_POLICY() -> NameRule:
    """IAM managed policy names: 1-128 of ``[\\w+=,.@-]``.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
    """
    return NameRule(
        "IAM policy name",
        1,
        128,
        pattern(r"[A-Za-z0-9_+=,.@-]+"),
        "ASCII letters, digits and _+=,.@-",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html",
    )


@cited
def TRANSFER_USER() -> NameRule:
    """Transfer Family user names: 3-100 characters, ``^[\\w][\\w@.-]{2,99}$``.
    https://docs.aws.amazon.com/transfer/latest/APIReference/API_CreateUser.html
    """
    return NameRule(
        "Transfer Family user name",
        3,
        100,
        pattern(r"[A-Za-z0-9_][A-Za-z0-9_@.-]{2,99}"),
        "ASCII letters, digits and _@.- (not starting with @.-)",
        "https://docs.aws.amazon.com/transfer/latest/APIReference/API_CreateUser.html",
    )


@cited
def ORG_ACCOUNT_NAME() -> NameRule:
    """Organizations account names: 1-50 printable ASCII characters.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
    """
    return NameRule(
        "AWS account name",
        1,
        50,
        pattern(r"[\x20-\x7e]+"),
        "printable ASCII",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html",
    )


@cited
def ORG_ACCOUNT_EMAIL() -> NameRule:
    """Organizations account root e-mail: 6-64 characters, ``[^\\s@]*@[^\\s@]*``.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
    """
    return NameRule(
        "AWS account e-mail",
        6,
        64,
        pattern(r"[^\s@]*@[^\s@]*"),
        "one '@' and no whitespace",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html",
    )


@cited
def ORG_UNIT_NAME() -> NameRule:
    """Organizational unit names: 1-128 characters of any kind.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html
    """
    return NameRule(
        "organizational unit name",
        1,
        128,
        pattern(r"[\s\S]+"),
        "any characters",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html",
    )


@cited
def SCP_NAME() -> NameRule:
    """Organizations policy (SCP) names: 1-128 characters of any kind.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html
    """
    return NameRule(
        "service control policy name",
        1,
        128,
        pattern(r"[\s\S]+"),
        "any characters",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html",
    )


@cited
def CODEBUILD_PROJECT() -> NameRule:
    """CodeBuild project names: 2-255 characters, ``[A-Za-z0-9][A-Za-z0-9\\-_]{1,254}``.
    https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html
    """
    doc = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html"
    return plain(
        "CodeBuild project name",
        2,
        255,
        r"[A-Za-z0-9][A-Za-z0-9_-]{1,254}",
        "ASCII letters, digits, '_' and '-', starting with a letter or digit",
        doc,
    )


@cited
def CODEPIPELINE() -> NameRule:
    """CodePipeline pipeline names: 1-100 of ``[A-Za-z0-9.@\\-_]``.
    https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html
    """
    doc = "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html"
    return plain("CodePipeline pipeline name", 1, 100, r"[A-Za-z0-9.@_-]+", "ASCII letters, digits and .@_-", doc)


@cited
def CODECONNECTIONS_CONNECTION() -> NameRule:
    """CodeConnections connection names: 1-32 characters.
    https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateConnection.html
    """
    doc = "https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateConnection.html"
    return plain("CodeConnections connection name", 1, 32, r"[\s\S]+", "any characters", doc)


@cited
def COGNITO_USER_POOL() -> NameRule:
    """Cognito user pool names: 1-128 of ``[\\w\\s+=,.@-]``.
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
    """
    doc = "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html"
    return plain(
        "Cognito user pool name", 1, 128, r"[A-Za-z0-9_\s+=,.@-]+", "ASCII letters, digits, spaces and _+=,.@-", doc
    )


@cited
def COGNITO_DOMAIN() -> NameRule:
    """Cognito prefix domains: 1-63 of ``^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$``; the prefix
    may not contain the reserved words ``aws``, ``amazon`` or ``cognito``.
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html
    https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
    """
    doc = "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html"
    reason = "a Cognito domain prefix may not contain 'aws', 'amazon' or 'cognito'"
    reserved = ((pattern(r"aws|amazon|cognito"), reason),)
    return plain(
        "Cognito domain prefix",
        1,
        63,
        r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
        "lowercase letters, digits and '-', beginning and ending with a letter or digit",
        doc,
        forbidden=reserved,
    )


@cited
def DYNAMODB_TABLE() -> NameRule:
    """DynamoDB table names: 3-255 of ``[a-zA-Z0-9_.-]``.
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
    """
    doc = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html"
    return plain("DynamoDB table name", 3, 255, r"[A-Za-z0-9_.-]+", "ASCII letters, digits and _.-", doc)


@cited
def CLOUDFRONT_OAC() -> NameRule:
    """CloudFront origin access control names: 1-64 characters.
    https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html
    """
    doc = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html"
    return plain("CloudFront origin access control name", 1, 64, r"[\x20-\x7e]+", "printable ASCII", doc)


@cited
def CLOUDFRONT_RESPONSE_HEADERS_POLICY() -> NameRule:
    """CloudFront response headers policy names: at most 128 letters, digits, ``-`` and ``_``
    (CloudFront quotas, "Response headers policies").
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
    """
    doc = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"
    return plain(
        "CloudFront response headers policy name", 1, 128, r"[A-Za-z0-9_-]+", "ASCII letters, digits, '-' and '_'", doc
    )
