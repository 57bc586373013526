"""Partner access of one silo: everything third parties touch, composed in one place.

For a silo with ``ingestion.sftp.enabled``, ``ingestion.web_upload.enabled`` or an
``api`` flow (whose calls partners sign with the temporary credentials ``POST /session``
vends): :class:`.functions.PartnerFunctions` (boundary, CloudFormation service role,
lockout table, the functions, sweep), :class:`.web.PartnerWeb` (pages behind CloudFront),
:class:`.api.PartnerApi` (HTTP API + Cognito), and by channel:

- SFTP: :class:`.sftp.SftpServer` and the identity provider function;
- web upload: the upload page and the dropzone bucket's CORS rule admitting only the
  pages' origin (``DELETE`` included: the page aborts a failed multipart upload);
- SFTP or web upload: the boundary's dropzone statements. A silo with only ``api``
  flows gets the admin page and ``POST /session``, and a boundary that allows nothing
  but ``execute-api:Invoke`` on its flow API.

The runtime contract is ``silolake/runtime/lambda/partner/README.md``.
"""

from __future__ import annotations

from ...aws import partner_access_names
from ...catalog.model import DeployedSilo
from ...channels import API
from ...engine.cdk import Construct, TerraformOutput, TerraformStack, aws, typed
from ...partner_runtime import CORS_METHODS, build_site, channels, function_environment, runtime_config
from ...policy import partner as partner_policy
from ..context import SiloContext
from ..ingestion.api_ingestion import STAGE, ApiIngestion
from .api import PartnerApi
from .functions import PartnerFunctions
from .sftp import SftpServer
from .web import PartnerWeb

#: Headers the upload page reads from S3 responses: multipart completion needs each part's ETag.
EXPOSED_HEADERS = ["ETag"]


def takes_files(silo: DeployedSilo) -> bool:
    """Whether partners drop files into the silo's dropzone (SFTP or the web upload)."""
    return silo.ingestion.takes_files


def wanted(silo: DeployedSilo) -> bool:
    """Whether ``silo`` gets partner access: it takes partner files, or has flow APIs
    (IAM-authorized: a partner needs vended credentials to sign its calls), or keeps its
    Transfer server while SFTP is off (``sftp.keep_server``)."""
    return takes_files(silo) or bool(silo.flows_from(API.name)) or silo.ingestion.sftp_server


class PartnerAccess(Construct):
    """Partner access of the context's silo; ``flow_api`` (the silo's ingestion API, if any) adds the
    ``api`` channel. Raises ``ValueError`` for a silo with no channel (see :func:`wanted`).
    Attributes: ``functions``, ``web``, ``api``, ``sftp`` (or ``None``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        flow_api: ApiIngestion | None,
    ) -> None:
        super().__init__(scope, id)
        org, silo = ctx.org, ctx.silo
        if not wanted(silo):
            raise ValueError(f"silo '{silo.name}' enables neither sftp nor web_upload and has no api flow")
        if not takes_files(silo) and flow_api is None:
            raise ValueError(f"silo '{silo.name}': partner access for api flows needs the flow API")
        region, key_arn = ctx.region, ctx.key.arn
        dropzone = ctx.buckets["dropzone"]
        flow_api_arns = [ctx.arn("execute-api", flow_api.api.id, f"{STAGE}/POST/flows/*", sep="/")] if flow_api else []
        self.sftp = None
        # SFTP turned off with keep_server: the server (endpoint, host key) and its logs stay,
        # but without the identity provider function and its invoke permission below, every
        # sign-in fails and partner roles lose the channel (docs/day-2.md).
        if silo.ingestion.sftp_server:
            self.sftp = SftpServer(self, "sftp", ctx=ctx)
        environment = function_environment(
            org=org, silo=silo, dropzone_bucket=dropzone.name, key_arn=key_arn, flow_api_arns=flow_api_arns
        )
        self.functions = PartnerFunctions(
            self,
            "functions",
            ctx=ctx,
            boundary=partner_policy.boundary_document(
                region=region, bucket=dropzone.name, key_arn=key_arn, api_arns=flow_api_arns, uploads=takes_files(silo)
            ),
            environment=environment,
            transfer_server_arn=self.sftp.arn if self.sftp and silo.ingestion.sftp_enabled else None,
        )
        upload_page = silo.ingestion.web_upload_enabled
        self.web = PartnerWeb(
            self,
            "web",
            ctx=ctx,
            site=build_site(),
            upload_page=upload_page,
        )
        self.api = PartnerApi(
            self,
            "api",
            ctx=ctx,
            admin=self.functions.functions["admin"],
            session=self.functions.functions["session"],
            web_origin=self.web.origin,
        )
        auth_domain = f"{partner_access_names.partner_user_pool(org, silo.name)}.auth.{region}.amazoncognito.com"
        self.web.write_config(
            runtime_config(
                region=region,
                api_url=self.api.endpoint,
                bucket=dropzone.name,
                bucket_url=f"https://{dropzone.name}.s3.{region}.amazonaws.com",
                user_pool_id=self.api.user_pool.id,
                client_id=self.api.client.id,
                auth_url=f"https://{auth_domain}",
                channels=channels(silo, bool(flow_api_arns)),
            )
        )
        if upload_page:
            # Browsers upload straight to the dropzone, from the pages' origin only.
            typed(aws.s3_bucket_cors_configuration.S3BucketCorsConfiguration)(
                self,
                "dropzone-cors",
                bucket=dropzone.bucket.id,
                cors_rule=[
                    {
                        "allowedOrigins": [self.web.origin],
                        "allowedMethods": CORS_METHODS,
                        "allowedHeaders": ["*"],
                        "exposeHeaders": EXPOSED_HEADERS,
                        "maxAgeSeconds": 600,
                    }
                ],
            )
        self._outputs(upload_page)

    def _outputs(self, upload_page: bool) -> None:
        stack = TerraformStack.of(self)
        outputs = {
            "partner_admin_page_url": (f"{self.web.origin}/admin.html", "Admin page of partner credentials"),
            "partner_api_url": (self.api.endpoint, "Partner HTTP API (POST /session, /credentials)"),
        }
        if upload_page:
            outputs["partner_upload_page_url"] = (f"{self.web.origin}/", "Partner upload page")
        if self.sftp:
            outputs["partner_sftp_server_id"] = (self.sftp.server.id, "Transfer Family server id (SFTP)")
            outputs["partner_sftp_endpoint"] = (self.sftp.server.endpoint, "SFTP host name for partners")
        for name, (value, description) in outputs.items():
            TerraformOutput(stack, name, value=value, description=description)
