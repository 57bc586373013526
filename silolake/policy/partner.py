"""IAM documents of partner access (``silolake/runtime/lambda/partner``), as plain dicts.

The runtime's README (``silolake/runtime/lambda/partner/README.md``) lists, per function, exactly the
actions built here; ``tests/iam/test_partner_boundary.py`` proves the boundary and the
CloudFormation service role with the offline IAM engine, and checks the boundary is the
one the runtime documents.

Who can create a partner role, and with what:

- the admin function may only ``CreateStack``/``DeleteStack`` stacks named
  ``<org>-<silo>-partner-*`` *through* the CloudFormation service role
  (``cloudformation:RoleArn``) and pass only that role;
- the service role may only touch roles under ``ROLE_PATH`` and only create or
  re-permission them when the request carries the boundary (``iam:PermissionsBoundary``);
  removing or replacing a boundary is denied to it explicitly, and so is everything
  :func:`silolake.policy.bounded.bounded_role_statements` denies (the invariant every
  role creator holds: users, credentials, identity providers, the boundary policy);
- the boundary itself is a managed policy that Terraform deploys. The role-protection SCP
  (:func:`silolake.policy.scp.protect_partner_boundaries`) denies changing it to everyone
  but the deploy role.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..aws import arns
from . import dropzone
from .bounded import bounded_role_statements
from .documents import Statement, document

__all__ = [
    "ROLE_PATH",
    "ROLE_PREFIX",
    "TAG_FLOWS",
    "TAG_USERNAME",
    "admin_statements",
    "boundary_document",
    "cfn_role_statements",
    "idp_statements",
    "partner_roles_arn",
    "session_statements",
    "site_read_statements",
    "sweeper_statements",
]

#: IAM path of every partner role (``/silolake/partner/partner-<username>``): never of the
#: ``silolake-*-*`` name shape the role-protection SCP reserves for Terraform.
ROLE_PATH = "/silolake/partner/"
#: The role tag naming the partner; the boundary resolves the prefix from it.
TAG_USERNAME = "silolake:partner-username"
#: The role tag listing the flows a credential may send (space-separated); landing reads it.
TAG_FLOWS = "silolake:partner-flows"
#: Every partner role is named ``partner-<username>`` (under :data:`ROLE_PATH`).
ROLE_PREFIX = "partner-"
UPLOAD_ACTIONS = ("s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject")
#: Actions the CloudFormation service role never needs and must never have (explicit deny).
BOUNDARY_ESCAPES = (
    "iam:AttachRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:UpdateAssumeRolePolicy",
)


def partner_roles_arn(partition: str, account_id: str) -> str:
    """Every partner role of ``account_id`` (the roles under :data:`ROLE_PATH`)."""
    return arns.role(partition, account_id, "*", ROLE_PATH)


def _stacks_arn(region: str, account_id: str, stack_prefix: str) -> str:
    return arns.regional("cloudformation", region, account_id, f"stack/{stack_prefix}*/*")


def _secrets_arn(region: str, account_id: str) -> str:
    return arns.regional("secretsmanager", region, account_id, "secret:silolake/partner/*")


def boundary_document(
    *, region: str, bucket: str, key_arn: str, api_arns: Sequence[str] = (), uploads: bool = True
) -> dict:
    """The permissions boundary of every partner role of a silo (the README's block).

    Uploads under ``<bucket>/<tag>/`` (multipart abort included), reading landing's status
    records under ``_status/<tag>/``, listing those two prefixes, the silo key through S3
    only, and ``execute-api:Invoke`` on ``api_arns`` (left out when empty). ``uploads=False``
    (a silo without SFTP and web upload, whose partners only call its flow APIs) leaves out
    the four dropzone statements: the boundary is then the flow APIs alone. ``<tag>`` is the IAM policy variable
    ``${aws:PrincipalTag/silolake:partner-username}``; :func:`silolake.policy.render`
    escapes it for Terraform (once).
    """
    if not uploads and not api_arns:
        raise ValueError("a partner boundary without uploads needs flow API ARNs: it would allow nothing")
    own = "${aws:PrincipalTag/" + TAG_USERNAME + "}"
    bucket_arn = arns.s3(arns.partition_of(region), bucket)
    writes, status = dropzone.partner_prefix(own), dropzone.status_prefix(own)
    # Partner-scoped on purpose: one managed policy serves every partner, and IAM cannot match
    # a key against a list held in a tag. The per-flow narrowing is the session policy's
    # (partner_access.policies.session_policy / sftp_policy) and landing's (docs/partners.md).
    statements_of_dropzone: list[Statement] = [
        {
            "Sid": "UploadOwnPrefix",
            "Effect": "Allow",
            "Action": list(UPLOAD_ACTIONS),
            "Resource": f"{bucket_arn}/{writes}*",
        },
        {"Sid": "ReadOwnStatus", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/{status}*"},
        {
            "Sid": "ListOwnPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{writes}*", f"{status}*"]}},
        },
        {
            "Sid": "KeyThroughS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": arns.service_endpoint("s3", region)}},
        },
    ]
    statements = statements_of_dropzone if uploads else []
    if api_arns:
        statements.append(
            {"Sid": "InvokeFlowApis", "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": list(api_arns)}
        )
    return document(statements)


def site_read_statements(partition: str, site_bucket: str, distribution_arn: str) -> list[Statement]:
    """The partner pages' bucket: CloudFront (through origin access control) reads its objects,
    for ``distribution_arn`` only (confused deputy)."""
    return [
        {
            "Sid": "CloudFrontReadsPages",
            "Effect": "Allow",
            "Principal": {"Service": arns.service_principal("cloudfront", partition)},
            "Action": "s3:GetObject",
            "Resource": arns.s3(partition, site_bucket, "*"),
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }
    ]


def cfn_role_statements(*, partition: str, account_id: str, boundary_arn: str) -> list[Statement]:
    """The CloudFormation service role: partner roles only, and only with the boundary."""
    roles = partner_roles_arn(partition, account_id)
    with_boundary = {"StringEquals": {"iam:PermissionsBoundary": boundary_arn}}
    return [
        {
            "Sid": "CreatePartnerRolesWithBoundary",
            "Effect": "Allow",
            "Action": ["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy"],
            "Resource": roles,
            "Condition": with_boundary,
        },
        {
            "Sid": "ManagePartnerRoles",
            "Effect": "Allow",
            "Action": ["iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:TagRole", "iam:UntagRole"],
            "Resource": roles,
        },
        {"Sid": "NeverEscapeTheBoundary", "Effect": "Deny", "Action": list(BOUNDARY_ESCAPES), "Resource": "*"},
        # The invariant of every role creator (silolake.policy.bounded), explicit here too.
        *bounded_role_statements(boundary_arn=boundary_arn, roles_arn=roles),
    ]


def _pass_cfn_role(cfn_role_arn: str, region: str) -> Statement:
    return {
        "Sid": "PassCloudFormationRole",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": cfn_role_arn,
        "Condition": {
            "StringEquals": {"iam:PassedToService": arns.service_principal("cloudformation", arns.partition_of(region))}
        },
    }


def _key_via(sid: str, actions: Sequence[str], key_arn: str, service: str, region: str) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": arns.service_endpoint(service, region)}},
    }


def admin_statements(
    *, region: str, account_id: str, stack_prefix: str, cfn_role_arn: str, key_arn: str
) -> list[Statement]:
    stacks = _stacks_arn(region, account_id, stack_prefix)
    return [
        {
            "Sid": "CredentialStacksThroughServiceRole",
            "Effect": "Allow",
            "Action": ["cloudformation:CreateStack", "cloudformation:DeleteStack"],
            "Resource": stacks,
            "Condition": {"StringEquals": {"cloudformation:RoleArn": cfn_role_arn}},
        },
        {"Sid": "TagCredentialStacks", "Effect": "Allow", "Action": "cloudformation:TagResource", "Resource": stacks},
        # DescribeStacks (listing) has no resource-level permission.
        {"Sid": "ListStacks", "Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": "*"},
        _pass_cfn_role(cfn_role_arn, region),
        {
            "Sid": "CredentialSecrets",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:CreateSecret",
                "secretsmanager:DeleteSecret",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:TagResource",
            ],
            "Resource": _secrets_arn(region, account_id),
        },
        _key_via("KeyThroughSecretsManager", ("kms:Decrypt", "kms:GenerateDataKey"), key_arn, "secretsmanager", region),
    ]


def idp_statements(*, region: str, account_id: str, key_arn: str, table_arn: str) -> list[Statement]:
    """Verification: read the secret, count failures (the table is encrypted with the silo key)."""
    return [
        {
            "Sid": "ReadCredentialSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": _secrets_arn(region, account_id),
        },
        _key_via("KeyThroughSecretsManager", ("kms:Decrypt",), key_arn, "secretsmanager", region),
        {
            "Sid": "LockoutCounters",
            "Effect": "Allow",
            "Action": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Resource": table_arn,
        },
        _key_via("KeyThroughDynamoDb", ("kms:Decrypt", "kms:GenerateDataKey"), key_arn, "dynamodb", region),
    ]


def session_statements(*, region: str, account_id: str, key_arn: str, table_arn: str) -> list[Statement]:
    """``idp_statements`` plus assuming partner roles with the partner as source identity."""
    return [
        *idp_statements(region=region, account_id=account_id, key_arn=key_arn, table_arn=table_arn),
        {
            "Sid": "AssumePartnerRoles",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Resource": partner_roles_arn(arns.partition_of(region), account_id),
        },
    ]


def sweeper_statements(
    *, region: str, account_id: str, stack_prefix: str, cfn_role_arn: str, key_arn: str
) -> list[Statement]:
    return [
        {"Sid": "ListStacks", "Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": "*"},
        {
            "Sid": "DeleteCredentialStacks",
            "Effect": "Allow",
            "Action": "cloudformation:DeleteStack",
            "Resource": _stacks_arn(region, account_id, stack_prefix),
            "Condition": {"StringEquals": {"cloudformation:RoleArn": cfn_role_arn}},
        },
        _pass_cfn_role(cfn_role_arn, region),
        # ListSecrets has no resource-level permission.
        {"Sid": "ListSecrets", "Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"},
        {
            "Sid": "CredentialSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            "Resource": _secrets_arn(region, account_id),
        },
        _key_via("KeyThroughSecretsManager", ("kms:Decrypt",), key_arn, "secretsmanager", region),
    ]
