"""Service control policy documents for the silos OU, as plain dicts.

Pure functions of the catalog (no cdktf import) so tests can check their size and
evaluate them with the offline IAM simulator; ``silolake.constructs.org.guardrails``
only turns them into ``aws_organizations_policy`` resources.

Statements are grouped into two policies rather than one per concern: AWS allows at
most five SCPs attached to one OU *including* the default ``FullAWSAccess``, so four
single-purpose policies would leave no room for the organization's own SCPs.

Deliberately absent: a statement denying ``s3:PutObject`` without the
``x-amz-server-side-encryption`` header. Silo buckets have default encryption with
their KMS key; Firehose, Transfer Family and Glue write *without* that header and rely
on the bucket default, so such an SCP would break ingestion while adding nothing.
"""

from __future__ import annotations

from .. import names
from ..catalog.model import Catalog
from . import documents as policy

#: AWS limit for one SCP document (characters; whitespace counts, hence minified JSON).
SCP_MAX_CHARS = 5120

#: Actions the region guard lets through in any region: global services whose single
#: endpoint lives in us-east-1 (IAM, Organizations, Route 53, CloudFront, ...) and
#: account/billing APIs, after AWS's "Deny access to AWS based on the requested Region"
#: example. Two departures: ``kms:*`` and ``acm:*`` are NOT exempt (the example exempts
#: them only for CloudFront, which silolake does not use; exempting KMS would let keys
#: for data be created outside the allowed regions), and discontinued services are gone.
GLOBAL_ACTIONS = (
    "account:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "cloudfront:*",
    "config:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "networkmanager:*",
    "organizations:*",
    "pricing:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "route53:*",
    "route53domains:*",
    "s3:GetAccountPublic*",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:PutAccountPublic*",
    "shield:*",
    "sts:*",
    "support:*",
    "trustedadvisor:*",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
    "wellarchitected:*",
)

#: Changing these would silence the audit trail. Trails are expected to be organization
#: trails owned by the management account, which SCPs never restrict.
CLOUDTRAIL_TAMPERING = (
    "cloudtrail:DeleteEventDataStore",
    "cloudtrail:DeleteTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:PutInsightSelectors",
    "cloudtrail:StopEventDataStoreIngestion",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateEventDataStore",
    "cloudtrail:UpdateTrail",
)

#: Every IAM action that creates, re-permissions, re-trusts or deletes a role. Creation
#: is included: central resource policies trust role *names* (``silolake-*-pipeline``)
#: inside the silos OU, so a look-alike role created by hand would inherit that trust.
ROLE_MUTATIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)


def role_arn_pattern(role_name: str) -> str:
    """Any account's role of that name (SCPs are attached to many accounts at once)."""
    return f"arn:aws:iam::*:role/{role_name}"


def deny_leave_organization() -> dict:
    return {
        "Sid": "DenyLeaveOrganization",
        "Effect": "Deny",
        "Action": "organizations:LeaveOrganization",
        "Resource": "*",
    }


def deny_cloudtrail_tampering() -> dict:
    return {"Sid": "DenyCloudTrailTampering", "Effect": "Deny", "Action": list(CLOUDTRAIL_TAMPERING), "Resource": "*"}


def protect_silolake_roles(deploy_role_name: str) -> dict:
    """Only the deploy role (Terraform) may create or change the deploy role and silo roles.

    The pipeline roles are not exempt themselves: a pipeline role able to edit its own
    policies could grant itself anything, so the one principal allowed is the one that
    already manages every role through Terraform. ``silolake-*-*`` covers the pipeline
    roles (``names.silo_role_pattern("pipeline")``) and every other silo role.
    """
    deploy = role_arn_pattern(deploy_role_name)
    return {
        "Sid": "ProtectSilolakeRoles",
        "Effect": "Deny",
        "Action": list(ROLE_MUTATIONS),
        "Resource": [deploy, role_arn_pattern(names.silo_role_pattern("*"))],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": deploy}},
    }


#: Every IAM action that changes or deletes a managed policy in place.
POLICY_MUTATIONS = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)


def protect_silolake_policies(deploy_role_name: str) -> dict:
    """Only the deploy role may change managed policies under the ``/silolake/`` path.

    The partner permissions boundaries live there (``names.partner_boundary``): a boundary
    anyone else could widen would confine no partner. The roles that carry it are created
    by CloudFormation under ``/silolake/partner/`` and are not ``silolake-*-*`` roles, so
    :func:`protect_silolake_roles` leaves them to the partner functions' service role.
    """
    deploy = role_arn_pattern(deploy_role_name)
    return {
        "Sid": "ProtectSilolakePolicies",
        "Effect": "Deny",
        "Action": list(POLICY_MUTATIONS),
        "Resource": "arn:aws:iam::*:policy/silolake/*",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": deploy}},
    }


def deny_outside_regions(allowed_regions: tuple[str, ...] | list[str]) -> dict:
    return {
        "Sid": "DenyOutsideAllowedRegions",
        "Effect": "Deny",
        "NotAction": list(GLOBAL_ACTIONS),
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": sorted(set(allowed_regions))}},
    }


def baseline_scp(catalog: Catalog) -> dict:
    """Leave-org, CloudTrail and role protection: fixed size whatever the catalog."""
    return policy.document(
        [
            deny_leave_organization(),
            deny_cloudtrail_tampering(),
            protect_silolake_roles(catalog.organization.deploy_role_name),
            protect_silolake_policies(catalog.organization.deploy_role_name),
        ]
    )


def region_scp(catalog: Catalog) -> dict:
    """Region guard: grows with ``organization.allowed_regions``."""
    return policy.document([deny_outside_regions(catalog.organization.allowed_regions)])


def silo_scps(catalog: Catalog) -> dict[str, dict]:
    """Every SCP attached to the silos OU, by kind (the policy is named ``names.scp_name(kind)``)."""
    return {"baseline": baseline_scp(catalog), "regions": region_scp(catalog)}


def render(doc: dict) -> str:
    """Minified, key-sorted JSON (``policy.render``), checked against the size limit."""
    text = policy.render(doc)
    if len(text) > SCP_MAX_CHARS:
        raise ValueError(
            f"SCP is {len(text)} characters, over the AWS limit of {SCP_MAX_CHARS}; "
            "shorten organization.allowed_regions"
        )
    return text
