"""The AWS names of partner access: its Lambda functions, API, Cognito user pool, lockout
table, SFTP server, the boundary of partner roles and the CloudFormation stacks of partner
credentials.

Like every builder of :mod:`silolake.aws.names`, these derive from catalog values only and
are listed with their AWS rule in :mod:`silolake.aws.name_registry`
(:mod:`silolake.constructs.partner`, docs/partners.md). Shapes: every builder returns a ``str``.
"""

from __future__ import annotations

from .names import api_access_log_group, lambda_log_group


def partner_function(org: str, silo: str, kind: str) -> str:
    """Partner access Lambda function (``kind``: admin, session, idp, sweeper)."""
    return f"{org}-{silo}-partner-{kind}"


#: Kinds of partner access Lambda function (:func:`partner_function`).
PARTNER_FUNCTION_KINDS = ("admin", "session", "idp", "sweeper")


def partner_sweeper_rule(org: str, silo: str) -> str:
    """EventBridge rule running the partner sweeper on its schedule."""
    return f"{partner_function(org, silo, 'sweeper')}-schedule"


def partner_pages_headers_policy(org: str, silo: str) -> str:
    """CloudFront response headers policy of a silo's partner pages."""
    return f"{org}-{silo}-partner-pages"


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


def transfer_log_group(server: str) -> str:
    """Structured log group of a Transfer Family server."""
    return f"/aws/transfer/{server}"


def partner_audit_log_group_patterns(org: str) -> list[str]:
    """Log groups holding the partner audit trail of every silo (SCP resources): the partner
    functions' (the admin's audit events, sign-ins), the partner API's access log and the
    SFTP server's structured log."""
    return [
        lambda_log_group(partner_function(org, "*", "*")),
        api_access_log_group(partner_api(org, "*")),
        transfer_log_group(partner_sftp_server(org, "*")),
    ]
