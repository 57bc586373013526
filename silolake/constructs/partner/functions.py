"""The partner functions (one code bundle) and what they stand on.

Built here, in the silo account: the permissions boundary of partner roles (a managed
policy), the CloudFormation service role credentials are created through, the lockout
table, the admin/session/sweeper functions (and idp, for a silo with SFTP) with exactly the actions
``silolake/runtime/lambda/partner/README.md`` lists (:mod:`silolake.policy.partner`), and the
sweeper's hourly schedule.

ARNs the functions' shared environment needs (their own roles, the service role, the
boundary, the table) are derived from names, not Terraform references: the session
role must be known to every function, and the Transfer server must know the identity
provider's ARN before the function (whose environment names the server) exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ... import policy
from ...aws import names, partner_access_names
from ...engine.cdk import Construct, aws, typed
from ...policy import partner as partner_policy
from ..blocks.lambda_function import LAMBDA_SRC, FunctionSpec, LambdaFunction
from ..blocks.service_role import encrypted_log_group, service_role, source_account_condition
from ..context import SiloContext

SOURCE = LAMBDA_SRC / "partner"
#: Powertools for AWS Lambda (Python), the version ``tests/runtime/partner`` runs against.
#: The AWS-managed layer's ARN for it is read from the public SSM parameter AWS publishes
#: per version (``/aws/service/powertools/python/<arch>/<runtime>/<version>``), so the
#: layer is exactly that version in every region without a hand-kept ARN table.
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_PARAMETER = f"/aws/service/powertools/python/x86_64/python3.11/{POWERTOOLS_VERSION}"
#: Hourly: an expired credential is refused at sign-in anyway; the sweep only tidies up.
SWEEP_SCHEDULE = "rate(1 hour)"
#: Reserved for the SFTP identity provider so a burst of web sign-ins or admin calls
#: cannot starve SFTP logins. AWS refuses to reserve concurrency that would leave fewer
#: than 100 unreserved executions: a new account (quota 10) must ask for the default
#: quota of 1,000 first (docs/partners.md).
IDP_RESERVED_CONCURRENCY = 10


@dataclass(frozen=True)
class _Kind:
    handler: str
    memory_size: int  # MB; scrypt verification peaks at 32 MiB and wants a full vCPU
    timeout: int  # seconds
    description: str


KINDS = {
    "admin": _Kind("handler.admin_handler", 1024, 30, "create, list, rotate, revoke partner credentials"),
    "session": _Kind("handler.session_handler", 1769, 15, "partner sign-in: temporary credentials for the dropzone"),
    "idp": _Kind("handler.idp_handler", 1769, 15, "Transfer Family identity provider (SFTP sign-in)"),
    "sweeper": _Kind("handler.sweeper_handler", 256, 300, "deletes expired partner credentials and leftovers"),
}


class PartnerFunctions(Construct):
    """Boundary, CloudFormation service role, lockout table, the functions, schedule.

    ``environment`` is the runtime configuration the caller computed (everything but the
    ARNs derived here); ``transfer_server_arn`` (a Terraform reference) admits that server
    alone to invoke the identity provider; without it (no SFTP) there is no identity
    provider function. Attributes: ``functions`` (kind ->
    :class:`LambdaFunction`), ``boundary``, ``cfn_role``, ``table``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        boundary: dict,
        environment: Mapping[str, str],
        transfer_server_arn: str | None,
    ) -> None:
        super().__init__(scope, id)
        org, silo, key_arn = ctx.org, ctx.silo, ctx.key.arn
        account, region = ctx.account_id, ctx.region
        self.boundary = aws.iam_policy.IamPolicy(
            self,
            "boundary",
            name=partner_access_names.partner_boundary(silo.name),
            path="/silolake/",
            description=f"Permissions boundary of every partner role of silo {silo.name}",
            policy=policy.render(boundary),
        )
        boundary_arn = ctx.policy_arn(partner_access_names.partner_boundary(silo.name), "/silolake/")
        cfn_role_name = names.silo_role(silo.name, "partner-cfn")
        self.cfn_role = service_role(
            self,
            "cfn-role",
            name=cfn_role_name,
            service=ctx.service_principal("cloudformation"),
            description=f"CloudFormation: partner credential stacks of silo {silo.name} (boundary enforced)",
            statements=partner_policy.cfn_role_statements(
                partition=ctx.partition, account_id=account, boundary_arn=boundary_arn
            ),
            trust_condition=source_account_condition(account),
        )
        table_name = partner_access_names.partner_lockout_table(org, silo.name)
        self.table = typed(aws.dynamodb_table.DynamodbTable)(
            self,
            "lockout",
            name=table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk",
            attribute=[{"name": "pk", "type": "S"}],
            ttl={"attribute_name": "expires_at", "enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": key_arn},
            point_in_time_recovery={"enabled": True},
            deletion_protection_enabled=True,
            lifecycle={"prevent_destroy": True},
        )
        table_arn = ctx.arn("dynamodb", "table", table_name, sep="/")
        cfn_role_arn = ctx.role_arn(cfn_role_name)
        stack_prefix = partner_access_names.partner_stack_prefix(org, silo.name)
        env = {
            **environment,
            "PERMISSIONS_BOUNDARY_ARN": boundary_arn,
            "CFN_ROLE_ARN": cfn_role_arn,
            "SESSION_ROLE_ARN": ctx.role_arn(names.silo_role(silo.name, "partner-session")),
            "LOCKOUT_TABLE": table_name,
        }
        if transfer_server_arn:
            env["TRANSFER_SERVER_ARN"] = transfer_server_arn
        verify = {"region": region, "account_id": account, "key_arn": key_arn, "table_arn": table_arn}
        stacks = {
            "region": region,
            "account_id": account,
            "stack_prefix": stack_prefix,
            "cfn_role_arn": cfn_role_arn,
            "key_arn": key_arn,
        }
        statements = {
            "admin": partner_policy.admin_statements(**stacks),
            "session": partner_policy.session_statements(**verify),
            "idp": partner_policy.idp_statements(**verify),
            "sweeper": partner_policy.sweeper_statements(**stacks),
        }
        layer = aws.data_aws_ssm_parameter.DataAwsSsmParameter(self, "powertools", name=POWERTOOLS_PARAMETER)
        self.functions = {
            kind: LambdaFunction(
                self,
                kind,
                FunctionSpec(
                    function_name=partner_access_names.partner_function(org, silo.name, kind),
                    role_name=names.silo_role(silo.name, f"partner-{kind}"),
                    source_dir=SOURCE,
                    handler=spec.handler,
                    kms_key_arn=key_arn,
                    account_id=account,
                    region=region,
                    policy_statements=statements[kind],
                    environment=env,
                    layers=[layer.value],
                    description=f"silolake {silo.name}: {spec.description}",
                    timeout=spec.timeout,
                    memory_size=spec.memory_size,
                    reserved_concurrency=IDP_RESERVED_CONCURRENCY if kind == "idp" else None,
                ),
            )
            for kind, spec in KINDS.items()
            # The identity provider only ever serves the SFTP server.
            if kind != "idp" or transfer_server_arn
        }
        if silo.ingestion.sftp_server and not transfer_server_arn:
            # SFTP off, server kept (keep_server): the identity provider function goes (every
            # sign-in is refused) but its log group stays, at the function's address, like the
            # server's own logs: nothing of SFTP is forgotten before keep_server is dropped.
            kept = Construct(self, "idp")
            group = names.lambda_log_group(partner_access_names.partner_function(org, silo.name, "idp"))
            encrypted_log_group(kept, "logs", name=group, kms_key_arn=key_arn)
        self._schedule(ctx)
        if transfer_server_arn:
            # Confused deputy: only this server, in this account, may call the identity provider.
            aws.lambda_permission.LambdaPermission(
                self,
                "transfer-invokes-idp",
                statement_id="TransferServerSignIn",
                action="lambda:InvokeFunction",
                function_name=self.functions["idp"].function.function_name,
                principal=ctx.service_principal("transfer"),
                source_arn=transfer_server_arn,
                source_account=account,
            )

    def _schedule(self, ctx: SiloContext) -> None:
        sweeper = self.functions["sweeper"].function
        rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            "sweep-schedule",
            name=partner_access_names.partner_sweeper_rule(ctx.org, ctx.silo.name),
            description="Delete expired partner credentials",
            schedule_expression=SWEEP_SCHEDULE,
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(self, "sweep-target", rule=rule.name, arn=sweeper.arn)
        aws.lambda_permission.LambdaPermission(
            self,
            "schedule-invokes-sweeper",
            statement_id="HourlySweep",
            action="lambda:InvokeFunction",
            function_name=sweeper.function_name,
            principal=ctx.service_principal("events"),
            source_arn=rule.arn,
        )

    def arn(self, kind: str) -> str:
        return self.functions[kind].function.arn
