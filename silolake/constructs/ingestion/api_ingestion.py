"""Streaming ingestion of a silo: a REST API in front of one Firehose stream per api flow.

API Gateway calls Firehose directly (AWS service integration): there is no Lambda in
the path to patch, scale or pay for. Callers authenticate with SigV4 (``AWS_IAM``), so
the temporary credentials partners receive for the silo are all they need, and the
gateway's own role may only put records into this silo's streams.

Per api flow::

    POST /flows/<flow>/records   {"record": {...}}          -> Firehose PutRecord
    POST /flows/<flow>/batch     {"records": [{...}, ...]}  -> Firehose PutRecordBatch
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from ... import policy
from ...aws import arns, names
from ...catalog.flow import Flow
from ...channels import API
from ...engine.cdk import Construct, TerraformOutput, TerraformStack, aws
from ...policy.ingestion import api_role_statements, closed_api_statements
from ..blocks.service_role import encrypted_log_group, service_role, source_account_condition
from ..context import SiloContext
from ..storage import GlueCatalog
from . import templates as tpl
from .firehose_delivery import ParquetDeliveryStream
from .templates import resource_path
from .throttles import flow_throttles, method_settings

STAGE = "v1"
_MODELS = {tpl.SINGLE_PATH: ("Record", tpl.record_model()), tpl.BATCH_PATH: ("RecordBatch", tpl.batch_model())}
_TEMPLATES = {tpl.SINGLE_PATH: tpl.put_record_template, tpl.BATCH_PATH: tpl.put_record_batch_template}


def closed_api_policy() -> dict:
    """Resource policy of a decommissioned silo's API (:func:`silolake.policy.ingestion.closed_api_statements`)."""
    return policy.document(closed_api_statements())


def api_config_hash(streams: Mapping[str, str], *, accepting: bool = True) -> str:
    """Hash of everything a deployment snapshots; a change triggers a new deployment.

    ``streams`` maps flow name -> stream name. Templates and models are included by
    their text, so editing ``ingestion_templates`` redeploys every silo's API. A resource
    policy only takes effect with a new deployment, hence ``accepting``.
    """
    config = {
        "accepting": accepting,
        "flows": {
            flow: {
                kind: {
                    "path": resource_path(flow, kind),
                    "action": tpl.ACTIONS[kind],
                    "template": _TEMPLATES[kind](stream),
                    "model": _MODELS[kind],
                }
                for kind in tpl.ACTIONS
            }
            for flow, stream in sorted(streams.items())
        },
        "success": tpl.SUCCESS_TEMPLATES,
        "errors": tpl.ERROR_RESPONSES,
        "bad_request_body": tpl.BAD_REQUEST_BODY_TEMPLATE,
    }
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


class ApiIngestion(Construct):
    """The silo's ingestion API and, per api flow, its Firehose stream and outputs."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        glue: GlueCatalog,
        xray: bool = False,
        throttle_rate: float = 50,
        throttle_burst: int = 100,
        account_settings=None,
    ) -> None:
        """One stream and one pair of routes per api flow of the context's silo (at least one),
        writing into its raw bucket against ``glue``'s raw tables. ``xray``: trace the stage
        (off: no Lambda in the path, so a trace adds only the integration latency the access
        log already has). A decommissioned silo's API refuses every call, see
        :func:`closed_api_policy`. ``account_settings``: the account's ``aws_api_gateway_account``
        (:class:`~silolake.constructs.account.AccountBaseline`), which the stage waits for so
        its logging role is in place. Raises ``ValueError`` for a silo without api flows."""
        super().__init__(scope, id)
        silo = ctx.silo
        flows = silo.flows_from(API.name)
        if not flows:
            raise ValueError(f"silo '{silo.name}' has no api flows; it gets no ingestion API")
        accepting = not silo.decommission
        account, region = ctx.account_id, ctx.region
        key_arn = ctx.key.arn
        api_name = names.ingest_api(ctx.org, silo.name)

        self.streams = {
            f.name: ParquetDeliveryStream(
                self,
                f"firehose-{f.name}",
                ctx=ctx,
                flow=f,
                database_name=glue.database.name,
                raw_table_name=glue.raw_tables[f.name].name,
            )
            for f in flows
        }
        api_role = service_role(
            self,
            "api-role",
            name=names.silo_role(silo.name, "api"),
            service=ctx.service_principal("apigateway"),
            description=f"API Gateway {api_name}: put records into the silo's Firehose streams",
            trust_condition=source_account_condition(account),
            statements=api_role_statements([s.arn for s in self.streams.values()]),
        )

        self.api = aws.api_gateway_rest_api.ApiGatewayRestApi(
            self,
            "api",
            name=api_name,
            description=f"Streaming ingestion into silo {silo.name} (SigV4)",
            endpoint_configuration={"types": ["REGIONAL"]},
            policy=None if accepting else policy.render(closed_api_policy()),
            # A replacement (rare: endpoint type change) must exist before the old API goes,
            # so the stage URL partners use is never without an API behind it.
            lifecycle={"create_before_destroy": True},
        )
        api_id = self.api.id
        validator = aws.api_gateway_request_validator.ApiGatewayRequestValidator(
            self,
            "validator",
            rest_api_id=api_id,
            name="envelope",
            validate_request_body=True,
            validate_request_parameters=False,
        )
        models = {
            kind: aws.api_gateway_model.ApiGatewayModel(
                self,
                f"model-{kind}",
                rest_api_id=api_id,
                name=name,
                content_type="application/json",
                schema=tpl.render_model(schema),
            )
            for kind, (name, schema) in _MODELS.items()
        }
        bad_request_body = aws.api_gateway_gateway_response.ApiGatewayGatewayResponse(
            self,
            "bad-request-body",
            rest_api_id=api_id,
            response_type="BAD_REQUEST_BODY",
            status_code="400",
            response_templates={"application/json": tpl.BAD_REQUEST_BODY_TEMPLATE},
        )

        flows_root = aws.api_gateway_resource.ApiGatewayResource(
            self, "flows", rest_api_id=api_id, parent_id=self.api.root_resource_id, path_part="flows"
        )
        deployed: list = [bad_request_body]
        for f in flows:
            flow_res = aws.api_gateway_resource.ApiGatewayResource(
                self, f"flow-{f.name}", rest_api_id=api_id, parent_id=flows_root.id, path_part=f.storage_name
            )
            for kind, action in tpl.ACTIONS.items():
                deployed += self._post(
                    f"flow-{f.name}-{kind}",
                    flow_res.id,
                    kind,
                    action,
                    validator,
                    models[kind],
                    self.streams[f.name].stream_name,
                    api_role.arn,
                    region,
                )

        self._stage(
            silo.name,
            api_name,
            api_id,
            region,
            account,
            key_arn,
            xray,
            throttle_rate,
            throttle_burst,
            {f.name: self.streams[f.name].stream_name for f in flows},
            deployed,
            accepting,
            account_settings,
        )
        flow_throttles(
            self,
            self.api.id,
            self.stage.stage_name,
            flows,
            depends_on=[self._account_settings] if self._account_settings is not None else [],
        )
        self._outputs(flows)

    def _post(
        self, id: str, parent_id: str, kind: str, action: str, validator, model, stream: str, role_arn: str, region: str
    ) -> list:
        api_id = self.api.id
        resource = aws.api_gateway_resource.ApiGatewayResource(
            self, id, rest_api_id=api_id, parent_id=parent_id, path_part=kind
        )
        # Attributes read once: each read is an engine round trip (the same reference every time).
        resource_id = resource.id
        method = aws.api_gateway_method.ApiGatewayMethod(
            self,
            f"{id}-post",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method="POST",
            authorization="AWS_IAM",
            request_validator_id=validator.id,
            request_models={"application/json": model.name},
        )
        http_method = method.http_method
        integration = aws.api_gateway_integration.ApiGatewayIntegration(
            self,
            f"{id}-integration",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method=http_method,
            type="AWS",
            integration_http_method="POST",
            uri=arns.apigateway_integration(region, "firehose", action),
            credentials=role_arn,
            passthrough_behavior="NEVER",
            request_parameters={"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
            request_templates={"application/json": _TEMPLATES[kind](stream)},
        )
        created = [method, integration]
        responses = [("200", None, tpl.SUCCESS_TEMPLATES[kind])] + list(
            (status, pattern, body) for pattern, status, body in tpl.ERROR_RESPONSES
        )
        for status, pattern, body in responses:
            method_response = aws.api_gateway_method_response.ApiGatewayMethodResponse(
                self,
                f"{id}-response-{status}",
                rest_api_id=api_id,
                resource_id=resource_id,
                http_method=http_method,
                status_code=status,
            )
            created.append(
                aws.api_gateway_integration_response.ApiGatewayIntegrationResponse(
                    self,
                    f"{id}-integration-response-{status}",
                    rest_api_id=api_id,
                    resource_id=resource_id,
                    http_method=http_method,
                    status_code=method_response.status_code,
                    selection_pattern=pattern,
                    response_templates={"application/json": body},
                    depends_on=[integration],
                )
            )
        return created

    def _stage(
        self,
        silo: str,
        api_name: str,
        api_id: str,
        region: str,
        account: str,
        key_arn: str,
        xray: bool,
        throttle_rate: float,
        throttle_burst: int,
        streams: Mapping[str, str],
        deployed: list,
        accepting: bool,
        account_settings,
    ) -> None:
        access_group = names.api_access_log_group(api_name)
        access_logs = encrypted_log_group(self, "access-logs", name=access_group, kms_key_arn=key_arn)
        execution_logs = encrypted_log_group(
            self, "execution-logs", name=names.api_execution_log_group(api_id, STAGE), kms_key_arn=key_arn
        )
        deployment = aws.api_gateway_deployment.ApiGatewayDeployment(
            self,
            "deployment",
            rest_api_id=api_id,
            triggers={"redeployment": api_config_hash(streams, accepting=accepting)},
            lifecycle={"create_before_destroy": True},
            depends_on=deployed,
        )
        self.stage = aws.api_gateway_stage.ApiGatewayStage(
            self,
            "stage",
            rest_api_id=api_id,
            deployment_id=deployment.id,
            stage_name=STAGE,
            xray_tracing_enabled=xray,
            cache_cluster_enabled=False,
            access_log_settings={"destination_arn": access_logs.arn, "format": tpl.ACCESS_LOG_FORMAT},
            depends_on=[d for d in (account_settings, execution_logs) if d is not None],
        )
        aws.api_gateway_method_settings.ApiGatewayMethodSettings(
            self,
            "method-settings",
            rest_api_id=api_id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=method_settings(throttle_rate, throttle_burst),
            depends_on=[account_settings] if account_settings is not None else None,
        )
        self._account_settings = account_settings

    def _outputs(self, flows: Sequence[Flow]) -> None:
        # Outputs are created on the stack so their names stay readable (ingest_<flow>_...).
        stack = TerraformStack.of(self)
        for f in flows:
            for kind in tpl.ACTIONS:
                TerraformOutput(
                    stack,
                    f"ingest_{f.name}_{kind}_url",
                    value=f"{self.stage.invoke_url}{resource_path(f.storage_name, kind)}",
                    description=f"POST {kind} of flow {f.name} here (SigV4, service execute-api)",
                )
                TerraformOutput(
                    stack,
                    f"ingest_{f.name}_{kind}_path",
                    value=resource_path(f.storage_name, kind),
                    description=f"Resource path of flow {f.name} {kind} in the ingestion API",
                )
