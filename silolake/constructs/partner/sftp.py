"""The silo's SFTP endpoint: a Transfer Family server whose sign-in is the partner
identity provider function (``IdentityProviderType: AWS_LAMBDA``).

Partners see one folder per flow their credential may send over SFTP, ``/<flow>`` mapped to
``<dropzone>/<username>/<flow>/``, and ``/status`` (``_status/<username>/``), as the role
the identity provider returns (``HomeDirectoryType: LOGICAL``, :mod:`silolake.policy.dropzone`);
the server itself holds no users and no keys.
"""

from __future__ import annotations

from ...aws import partner_access_names
from ...engine.cdk import Construct, aws
from ..blocks.service_role import encrypted_log_group
from ..context import SiloContext

#: The newest general-purpose security policy ("Security policies for AWS Transfer Family
#: servers"): no SHA-1 MACs or key exchange, no CBC ciphers, post-quantum hybrid key
#: exchange offered. Always explicit: the API default (2024-01) and the CloudFormation
#: default (2018-11) are older.
SECURITY_POLICY = "TransferSecurityPolicy-2025-03"


class SftpServer(Construct):
    """SFTP only, public endpoint (partners connect from the internet; ``allowed_cidrs``
    are enforced by the identity provider on every sign-in), structured JSON logs into a
    KMS-encrypted log group (silo key). The identity provider is named by its ARN derived
    from its name (the function's environment names this server, so the server cannot
    refer to the function resource). Attributes: ``server``, ``arn``, ``log_group``."""

    def __init__(self, scope: Construct, id: str, *, ctx: SiloContext) -> None:
        super().__init__(scope, id)
        name = partner_access_names.partner_sftp_server(ctx.org, ctx.silo.name)
        idp_function_arn = ctx.function_arn(partner_access_names.partner_function(ctx.org, ctx.silo.name, "idp"))
        self.log_group = encrypted_log_group(
            self, "logs", name=partner_access_names.transfer_log_group(name), kms_key_arn=ctx.key.arn
        )
        self.server = aws.transfer_server.TransferServer(
            self,
            "server",
            protocols=["SFTP"],
            endpoint_type="PUBLIC",
            domain="S3",
            identity_provider_type="AWS_LAMBDA",
            function=idp_function_arn,
            security_policy_name=SECURITY_POLICY,
            # Structured logging goes straight to the log group: no logging role needed.
            structured_log_destinations=[f"{self.log_group.arn}:*"],
            tags={"Name": name},
            # The host key partners pinned lives in the server: replacing it breaks every client.
            lifecycle={"prevent_destroy": True},
        )

    @property
    def arn(self) -> str:
        return self.server.arn
