"""Account-level singletons of a silo account, in the one construct every silo stack has.

Some AWS settings exist once per account (and region), not per resource. If a feature
construct owned one, removing the feature would destroy the account's setting: with
hashicorp/aws 6.x, destroying ``aws_api_gateway_account`` resets API Gateway's
CloudWatch role, silencing the logs of every API in the account. So they live here, in a
construct whose life is the silo account's:

- ``aws_api_gateway_account``: API Gateway's account-wide CloudWatch logging role
  (``silolake-<silo>-api-logs``), scoped to the groups API Gateway writes for the silo.
- ``aws_s3_account_public_access_block``: S3 Block Public Access for the whole account,
  all four settings on, unless the catalog turns it off for the silo
  (``account_settings.s3_block_public_access: false``, for an existing account that must
  keep serving something public). Every silolake bucket blocks public access on its own
  as well; the account setting also covers buckets created outside silolake.

The API Gateway setting used to belong to the ingestion construct; ``moved`` blocks carry
the existing resources to their new addresses so nothing is destroyed or recreated.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
"""

from __future__ import annotations

from ...aws import names
from ...engine.cdk import Construct, aws
from ...policy.ingestion import api_logging_statements
from ..blocks.moved import MovedBlocks
from ..blocks.service_role import service_role, source_account_condition
from ..context import SiloAddress

#: Terraform addresses of the API Gateway account setting and its role while the ingestion
#: construct owned them (construct paths ingestion/account, ingestion/logging-role, ...).
LEGACY_ADDRESSES = {
    "api-gateway-account": "aws_api_gateway_account.ingestion_account_3EC7CB6C",
    "api-logging-role": "aws_iam_role.ingestion_logging-role_0447A189",
    "api-logging-role-policy": "aws_iam_role_policy.ingestion_logging-role-policy_2DB85CD8",
}


class AccountBaseline(Construct):
    """The account-level settings of the silo's account (see the module docstring).

    Attributes: ``api_gateway_account`` (depend on it before a stage logs),
    ``public_access_block`` (None when the catalog turned it off).
    """

    def __init__(self, scope: Construct, id: str, *, ctx: SiloAddress) -> None:
        super().__init__(scope, id)
        silo = ctx.silo
        access_group = names.api_access_log_group(names.ingest_api(ctx.org, silo.name))
        logging_role = service_role(
            self,
            "api-logging-role",
            name=names.silo_role(silo.name, "api-logs"),
            service=ctx.service_principal("apigateway"),
            description="API Gateway account-level CloudWatch logging",
            trust_condition=source_account_condition(silo.account_id),
            statements=api_logging_statements(ctx.region, ctx.account_id, access_group),
        )
        self.api_gateway_account = aws.api_gateway_account.ApiGatewayAccount(
            self, "api-gateway-account", cloudwatch_role_arn=logging_role.arn, depends_on=[logging_role.policy]
        )
        # Not ``move_from_id``: that makes the engine run ``terraform version`` at synth
        # (see blocks/moved.py). Construct order, as move_from_id rendered them.
        MovedBlocks(
            self,
            "moved",
            [
                (logging_role.role, LEGACY_ADDRESSES["api-logging-role"]),
                (logging_role.policy, LEGACY_ADDRESSES["api-logging-role-policy"]),
                (self.api_gateway_account, LEGACY_ADDRESSES["api-gateway-account"]),
            ],
        )
        self.public_access_block = None
        if silo.s3_block_public_access:
            self.public_access_block = aws.s3_account_public_access_block.S3AccountPublicAccessBlock(
                self,
                "s3-public-access-block",
                account_id=silo.account_id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
            )
