"""The one rule of every principal silolake gives the right to create IAM roles.

**Invariant** (docs/security.md, "No bounded principal escapes its boundary"): a principal
that a bundle, a partner or a partner-portal admin controls, and that may create roles,
creates them only with the permissions boundary it is given (``iam:PermissionsBoundary``)
and only under its own IAM path; it never removes a boundary, never changes the boundary
policy, never re-trusts, widens or assumes a role outside its path, and never creates an
IAM user, credential or identity provider. Each such boundary holds these statements
itself, so whatever a bounded principal creates is bounded the same way.

Holders: the silo pipeline's build role (boundary ``silolake-<silo>-pipeline-boundary``,
path ``/silolake/pipeline/<silo>/``, :func:`silolake.policy.delivery.pipeline_boundary`) and
the partner CloudFormation service role (boundary ``silolake-<silo>-partner-boundary``, path
``/silolake/partner/``, :func:`silolake.policy.partner.cfn_role_statements`).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import scp
from .documents import Statement

#: Identity providers (the OIDC provider decides who may sign in as the plan role), IAM
#: users and every long-lived credential, and grants to existing users and groups: a
#: principal signing in through any of them would carry no boundary. No silo stack creates
#: one. Denied to every principal that can create roles.
IDENTITY_CHANGES = (
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateOpenIDConnectProvider",
    "iam:CreateSAMLProvider",
    "iam:CreateServiceSpecificCredential",
    "iam:CreateUser",
    "iam:DeleteOpenIDConnectProvider",
    "iam:DeleteSAMLProvider",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutGroupPolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "iam:UpdateLoginProfile",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:UpdateSAMLProvider",
    "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate",
)
#: Role sessions a boundary admits only on roles the principal created itself.
ROLE_SESSIONS = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")


def bounded_role_statements(*, boundary_arn: str, roles_arn: str, passable: Sequence[str] = ()) -> list[Statement]:
    """The invariant of every principal that can create roles (docs/security.md, "No principal
    a bundle, a partner or a portal admin controls escapes its boundary"), as denies:

    * roles are created, or re-bounded, only with ``boundary_arn`` (``iam:PermissionsBoundary``;
      a request without the key is denied too: ``StringNotEquals`` of a missing key is true);
    * no boundary is ever removed;
    * roles are created or changed (policies, trust, tags, boundary) only under ``roles_arn``,
      a path: a role's path is fixed at creation, so these are the roles it created itself,
      each with ``boundary_arn``, and no role it did not create can be re-trusted or widened;
    * it assumes only those roles, and passes to a service only those and ``passable``;
    * no IAM user, credential or identity provider (:data:`IDENTITY_CHANGES`).

    A role created under these rules carries ``boundary_arn``, which holds these very
    statements: what it creates is bounded the same way (the invariant is closed)."""
    return [
        {
            "Sid": "RolesOnlyWithThisBoundary",
            "Effect": "Deny",
            "Action": ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary_arn}},
        },
        {"Sid": "NoBoundaryRemoval", "Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary", "Resource": "*"},
        {
            "Sid": "ChangeOnlyRolesItCreated",
            "Effect": "Deny",
            "Action": list(scp.ROLE_MUTATIONS),
            "NotResource": roles_arn,
        },
        {"Sid": "AssumeOnlyRolesItCreated", "Effect": "Deny", "Action": list(ROLE_SESSIONS), "NotResource": roles_arn},
        {
            "Sid": "PassOnlyKnownRoles",
            "Effect": "Deny",
            "Action": "iam:PassRole",
            "NotResource": [roles_arn, *passable],
        },
        {"Sid": "NoBoundaryChange", "Effect": "Deny", "Action": list(scp.POLICY_MUTATIONS), "Resource": boundary_arn},
        {
            "Sid": "NoIdentityProvidersUsersOrCredentials",
            "Effect": "Deny",
            "Action": list(IDENTITY_CHANGES),
            "Resource": "*",
        },
    ]
