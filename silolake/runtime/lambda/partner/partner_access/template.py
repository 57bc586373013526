"""The CloudFormation template of one partner credential (pure).

One resource: the partner's IAM role under ``/silolake/partner/`` with the permissions
boundary, the trust and inline policy from :mod:`policies`, and the username tag the
boundary reads and the flows tag landing reads. The password hash is not in the template (templates are readable with
``cloudformation:GetTemplate``); it lives in the credential's secret, which the admin
function creates beside the stack (see :mod:`store`).
"""

from __future__ import annotations

import json
from typing import Any

from . import policies
from .config import Config
from .model import ROLE_PATH, TAG_FLOWS, TAG_USERNAME, Credential, role_name

#: Name of the role's inline policy.
INLINE_POLICY = "partner-access"
#: IAM's minimum for a role's maximum session duration; sessions ask for less themselves.
MAX_SESSION_DURATION = 3600


def render(cfg: Config, credential: Credential) -> dict[str, Any]:
    """The template as a dict; ``json.dumps`` it for ``CreateStack``."""
    role_tags = [{"Key": TAG_USERNAME, "Value": credential.username}]
    if credential.flows is not None:  # landing reads it from the role
        role_tags.append({"Key": TAG_FLOWS, "Value": credential.tags()[TAG_FLOWS]})
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"silolake partner credential {credential.username} of silo {cfg.silo}",
        "Resources": {
            "PartnerRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": role_name(credential.username),
                    "Path": ROLE_PATH,
                    "Description": f"Partner {credential.username}: uploads to its dropzone prefix only",
                    "PermissionsBoundary": cfg.permissions_boundary_arn,
                    "MaxSessionDuration": MAX_SESSION_DURATION,
                    "AssumeRolePolicyDocument": policies.trust_policy(cfg, credential.channels),
                    "Policies": [
                        {"PolicyName": INLINE_POLICY, "PolicyDocument": policies.role_policy(cfg, credential)}
                    ],
                    "Tags": role_tags,
                },
            },
        },
        "Outputs": {
            "RoleArn": {"Description": "ARN of the partner role", "Value": {"Fn::GetAtt": ["PartnerRole", "Arn"]}}
        },
    }


def render_json(cfg: Config, credential: Credential) -> str:
    return json.dumps(render(cfg, credential), sort_keys=True)
