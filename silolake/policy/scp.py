"""Service control policy documents for the silos OU, as plain dicts.

Pure functions of the catalog (no cdktf import) so tests can check their size and
evaluate them with the offline IAM simulator; ``silolake.constructs.org.guardrails``
only turns them into ``aws_organizations_policy`` resources.

Statements are grouped into two policies rather than one per concern: AWS allows at
most five SCPs attached to one OU *including* the default ``FullAWSAccess``, so single-
purpose policies would leave no room for the organization's own SCPs. The budget:
``FullAWSAccess`` + ``baseline`` + ``regions`` = three, two left for the organization.
``baseline`` (leave-org, CloudTrail, roles, managed policies under ``/silolake/``, data
keys and buckets) has a bounded size (3,138 characters for the example, 3,495 in the
worst case of a 64-character deploy
role and a 12-character organization name, under the 5,120 limit); ``regions`` grows
only with ``allowed_regions``.

Deliberately absent: a statement denying ``s3:PutObject`` without the
``x-amz-server-side-encryption`` header. Silo buckets have default encryption with
their KMS key; Firehose, Transfer Family and Glue write *without* that header and rely
on the bucket default, so such an SCP would break ingestion while adding nothing.
"""

from __future__ import annotations

from ..aws import arns, names
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


#: Key operations that make data unreadable or the key unmanageable: deletion (crypto-
#: shredding every zone at once), disabling, replacing the key policy (which could drop
#: the deploy role or the account delegation) and turning rotation off.
KEY_DESTRUCTION = (
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
)

#: The key statement matches keys by alias (key ARNs carry only a random id), so the
#: alias itself must not be movable, deletable or creatable by others.
ALIAS_CHANGES = ("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias")

#: Bucket-level changes that open a silent path to loss: a bucket policy (could admit
#: anyone or deny the deploy role), lifecycle (one rule expires everything), versioning
#: (suspend, then overwrite), Object Lock configuration (shorten the recovery floor),
#: default encryption (switch away from the silo key) and deleting the bucket.
BUCKET_CHANGES = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
)

#: Object-level deletion that versioning cannot undo: removing a version (plain
#: DeleteObject only adds a delete marker) and bypassing Object Lock governance retention.
OBJECT_DESTRUCTION = ("s3:BypassGovernanceRetention", "s3:DeleteObjectVersion")


def role_arn_pattern(partition: str, role_name: str) -> str:
    """Any account's role of that name in ``partition`` (SCPs are attached to many accounts at once)."""
    return arns.role(partition, "*", role_name)


def deny_leave_organization() -> dict:
    return {
        "Sid": "DenyLeaveOrganization",
        "Effect": "Deny",
        "Action": "organizations:LeaveOrganization",
        "Resource": "*",
    }


def deny_cloudtrail_tampering() -> dict:
    return {"Sid": "DenyCloudTrailTampering", "Effect": "Deny", "Action": list(CLOUDTRAIL_TAMPERING), "Resource": "*"}


def protect_silolake_roles(partition: str, deploy_role_name: str) -> dict:
    """Only the deploy role (Terraform) may create or change the deploy role and silo roles.

    The pipeline roles are not exempt themselves: a pipeline role able to edit its own
    policies could grant itself anything, so the one principal allowed is the one that
    already manages every role through Terraform. ``silolake-*-*`` covers the pipeline
    roles (``names.silo_role_pattern("pipeline")``) and every other silo role.
    """
    deploy = role_arn_pattern(partition, deploy_role_name)
    return {
        "Sid": "ProtectSilolakeRoles",
        "Effect": "Deny",
        "Action": list(ROLE_MUTATIONS),
        "Resource": [deploy, role_arn_pattern(partition, names.silo_role_pattern("*"))],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": deploy}},
    }


def _except_deploy_role(partition: str, deploy_role_name: str) -> dict:
    return {"ArnNotLike": {"aws:PrincipalArn": role_arn_pattern(partition, deploy_role_name)}}


def protect_silo_keys(partition: str, deploy_role_name: str) -> list[dict]:
    """Only the deploy role may delete, disable or re-policy a silo data key, or move its alias.

    Matched by alias (``kms:ResourceAliases``, ``alias/silolake-*-data``), the one stable
    name a key has; the second statement keeps that alias from being deleted or repointed
    so the first cannot be sidestepped. Keys of other workloads carry other aliases and
    are untouched.
    """
    alias = names.silo_key_alias_pattern()
    return [
        {
            "Sid": "ProtectSiloKeys",
            "Effect": "Deny",
            "Action": list(KEY_DESTRUCTION),
            "Resource": "*",
            "Condition": {
                **_except_deploy_role(partition, deploy_role_name),
                "ForAnyValue:StringLike": {"kms:ResourceAliases": f"alias/{alias}"},
            },
        },
        {
            "Sid": "ProtectSiloKeyAliases",
            "Effect": "Deny",
            "Action": list(ALIAS_CHANGES),
            "Resource": arns.any_region(partition, "kms", f"alias/{alias}"),
            "Condition": _except_deploy_role(partition, deploy_role_name),
        },
    ]


def protect_silo_buckets(partition: str, org: str, deploy_role_name: str) -> list[dict]:
    """Only the deploy role may change a silo bucket's policy, lifecycle, versioning, lock or
    encryption, delete the bucket or delete object versions.

    Scoped by bucket name (``names.silo_bucket_pattern``: org, zone and a 12-character
    account id), so buckets of other workloads in a silo account are untouched. S3's own
    lifecycle expiry is not an IAM request and keeps working.
    """
    patterns = [names.silo_bucket_pattern(org, kind) for kind in names.SILO_BUCKET_KINDS]
    return [
        {
            "Sid": "ProtectSiloBuckets",
            "Effect": "Deny",
            "Action": list(BUCKET_CHANGES),
            "Resource": [arns.s3(partition, p) for p in patterns],
            "Condition": _except_deploy_role(partition, deploy_role_name),
        },
        {
            "Sid": "ProtectSiloObjectVersions",
            "Effect": "Deny",
            "Action": list(OBJECT_DESTRUCTION),
            "Resource": [arns.s3(partition, p, "*") for p in patterns],
            "Condition": _except_deploy_role(partition, deploy_role_name),
        },
    ]


#: Every IAM action that changes or deletes a managed policy in place.
POLICY_MUTATIONS = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)


def protect_silolake_policies(partition: str, deploy_role_name: str) -> dict:
    """Only the deploy role may change managed policies under the ``/silolake/`` path.

    The partner permissions boundaries live there (``partner_access_names.partner_boundary``): a boundary
    anyone else could widen would confine no partner. The roles that carry it are created
    by CloudFormation under ``/silolake/partner/`` and are not ``silolake-*-*`` roles, so
    :func:`protect_silolake_roles` leaves them to the partner functions' service role.
    """
    return {
        "Sid": "ProtectSilolakePolicies",
        "Effect": "Deny",
        "Action": list(POLICY_MUTATIONS),
        "Resource": arns.customer_policy(partition, "*", "*", "/silolake/"),
        "Condition": _except_deploy_role(partition, deploy_role_name),
    }


def deny_outside_regions(allowed_regions: tuple[str, ...] | list[str]) -> dict:
    return {
        "Sid": "DenyOutsideAllowedRegions",
        "Effect": "Deny",
        "NotAction": list(GLOBAL_ACTIONS),
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": sorted(set(allowed_regions))}},
    }


def organization_partition(catalog: Catalog) -> str:
    """The partition of the organization: its home region's (an organization spans one
    partition, ``silolake/catalog/semantic.py`` refuses regions of another)."""
    return arns.partition_of(catalog.organization.home_region)


def baseline_scp(catalog: Catalog) -> dict:
    """Leave-org, CloudTrail, role, key and bucket protection.

    Bounded size whatever the catalog: it grows only with the deploy role name (at most
    64 characters, repeated once per statement) and the organization name (at most 12,
    in ten bucket patterns); ``tests/policy/test_data_guardrails.py`` renders the worst case.
    """
    org = catalog.organization
    partition = organization_partition(catalog)
    return policy.document(
        [
            deny_leave_organization(),
            deny_cloudtrail_tampering(),
            protect_silolake_roles(partition, org.deploy_role_name),
            protect_silolake_policies(partition, org.deploy_role_name),
            *protect_silo_keys(partition, org.deploy_role_name),
            *protect_silo_buckets(partition, org.name, org.deploy_role_name),
        ]
    )


def region_scp(catalog: Catalog) -> dict:
    """Region guard: grows with ``organization.allowed_regions``."""
    return policy.document([deny_outside_regions(catalog.organization.allowed_regions)])


def silo_scps(catalog: Catalog) -> dict[str, dict]:
    """Every SCP attached to the silos OU, by kind (the policy is named ``names.scp_name(kind)``)."""
    return {"baseline": baseline_scp(catalog), "regions": region_scp(catalog)}


def render(doc: dict) -> str:
    """``policy.render``, with the document AWS receives (``policy.to_json``) checked
    against the size limit."""
    size = len(policy.to_json(doc))
    if size > SCP_MAX_CHARS:
        raise ValueError(
            f"SCP is {size} characters, over the AWS limit of {SCP_MAX_CHARS}; shorten organization.allowed_regions"
        )
    return policy.render(doc)
