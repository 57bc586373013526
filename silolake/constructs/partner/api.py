"""The partner HTTP API (API Gateway v2) and the silo staff's Cognito user pool.

Routes (``silolake/runtime/lambda/partner/README.md`` has the request and response shapes)::

    POST   /credentials                     admin function, Cognito JWT
    GET    /credentials                     admin function, Cognito JWT
    POST   /credentials/{username}/rotate   admin function, Cognito JWT
    DELETE /credentials/{username}          admin function, Cognito JWT
    POST   /session                         session function, no authorizer (password check)

Staff sign in through the pool's hosted UI (authorization code flow with PKCE, public
client, MFA required, self sign-up off); the catalog's ``owners`` are created as the
first users and Cognito mails them a temporary password. Every user of the pool
administers this silo's partner credentials.

Throttling is per route for the whole API (API Gateway v2 has no per-client limits):
``POST /session`` is held low because each call costs a deliberate ~0.8 s hash; one
noisy partner is bounded by the lockout table (failures per username and per source IP)
rather than by the gateway.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...aws import names, partner_access_names
from ...catalog.model import DeployedSilo
from ...engine.cdk import Construct, aws, typed
from ..blocks.lambda_function import LambdaFunction
from ..blocks.service_role import encrypted_log_group
from ..context import SiloContext

ADMIN_ROUTES = (
    "POST /credentials",
    "GET /credentials",
    "POST /credentials/{username}/rotate",
    "DELETE /credentials/{username}",
)
SESSION_ROUTE = "POST /session"
#: Requests per second (steady, burst). Admin: a handful of staff clicking. Session: a
#: partner signs in once per hour of uploading; 5/s is ~18,000 sign-ins an hour.
ADMIN_THROTTLE = (5, 10)
SESSION_THROTTLE = (5, 10)
#: What the access log keeps: who called what and the outcome, never a body or header.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "latency": "$context.responseLatency",
        "integrationError": "$context.integrationErrorMessage",
        "authorizerError": "$context.authorizer.error",
        "user": "$context.authorizer.claims.email",
    },
    sort_keys=True,
)
#: Staff passwords (MFA is required on top).
PASSWORD_POLICY = {
    "minimum_length": 14,
    "require_lowercase": True,
    "require_uppercase": True,
    "require_numbers": True,
    "require_symbols": True,
    "temporary_password_validity_days": 3,
}


class PartnerApi(Construct):
    """HTTP API + user pool of one silo. ``web_origin`` (``https://<domain>``) is the only
    origin CORS admits and the only place the hosted UI returns to. Attributes: ``api``,
    ``stage``, ``user_pool``, ``client``, ``domain``, ``endpoint``, ``issuer``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        admin: LambdaFunction,
        session: LambdaFunction,
        web_origin: str,
    ) -> None:
        super().__init__(scope, id)
        org, silo, key_arn = ctx.org, ctx.silo, ctx.key.arn
        # API Gateway's principal in the silo's partition, for the functions' invoke permissions.
        self.principal = ctx.service_principal("apigateway")
        self._cognito(org, silo, web_origin)
        name = partner_access_names.partner_api(org, silo.name)
        self.api = aws.apigatewayv2_api.Apigatewayv2Api(
            self,
            "api",
            name=name,
            protocol_type="HTTP",
            description=f"Partner credentials and sessions of silo {silo.name}",
            cors_configuration={
                "allow_origins": [web_origin],
                "allow_methods": ["DELETE", "GET", "POST"],
                "allow_headers": ["authorization", "content-type"],
                "max_age": 600,
            },
        )
        self.issuer = f"https://cognito-idp.{silo.region}.amazonaws.com/{self.user_pool.id}"
        authorizer = aws.apigatewayv2_authorizer.Apigatewayv2Authorizer(
            self,
            "authorizer",
            api_id=self.api.id,
            name="silo-staff",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"audience": [self.client.id], "issuer": self.issuer},
        )
        admin_integration = self._integration("admin", admin)
        session_integration = self._integration("session", session)
        # Read once, not per route: each read is an engine round trip (the same reference every time).
        api_id, admin_target, authorizer_id = self.api.id, f"integrations/{admin_integration.id}", authorizer.id
        for i, route in enumerate(ADMIN_ROUTES):
            aws.apigatewayv2_route.Apigatewayv2Route(
                self,
                f"admin-route-{i}",
                api_id=api_id,
                route_key=route,
                target=admin_target,
                authorization_type="JWT",
                authorizer_id=authorizer_id,
            )
        aws.apigatewayv2_route.Apigatewayv2Route(
            self,
            "session-route",
            api_id=api_id,
            route_key=SESSION_ROUTE,
            target=f"integrations/{session_integration.id}",
            authorization_type="NONE",
        )
        self._permission("admin", admin, "*/credentials*")
        self._permission("session", session, "POST/session")
        logs = encrypted_log_group(self, "access-logs", name=names.api_access_log_group(name), kms_key_arn=key_arn)
        self.stage = aws.apigatewayv2_stage.Apigatewayv2Stage(
            self,
            "stage",
            api_id=api_id,
            name="$default",
            auto_deploy=True,
            access_log_settings={"destination_arn": logs.arn, "format": ACCESS_LOG_FORMAT},
            default_route_settings={
                "throttling_rate_limit": ADMIN_THROTTLE[0],
                "throttling_burst_limit": ADMIN_THROTTLE[1],
            },
            route_settings=[
                *(self._throttle(r, ADMIN_THROTTLE) for r in ADMIN_ROUTES),
                self._throttle(SESSION_ROUTE, SESSION_THROTTLE),
            ],
        )
        self.endpoint = self.api.api_endpoint

    def _cognito(self, org: str, silo: DeployedSilo, web_origin: str) -> None:
        pool_name = partner_access_names.partner_user_pool(org, silo.name)
        self.user_pool = typed(aws.cognito_user_pool.CognitoUserPool)(
            self,
            "user-pool",
            name=pool_name,
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            mfa_configuration="ON",
            software_token_mfa_configuration={"enabled": True},
            admin_create_user_config={"allow_admin_create_user_only": True},
            password_policy=PASSWORD_POLICY,
            account_recovery_setting={"recovery_mechanism": [{"name": "verified_email", "priority": 1}]},
            deletion_protection="ACTIVE",
            lifecycle={"prevent_destroy": True},
        )
        self.domain = aws.cognito_user_pool_domain.CognitoUserPoolDomain(
            self, "domain", domain=pool_name, user_pool_id=self.user_pool.id
        )
        admin_page = f"{web_origin}/admin.html"
        self.client = typed(aws.cognito_user_pool_client.CognitoUserPoolClient)(
            self,
            "client",
            name="admin-page",
            user_pool_id=self.user_pool.id,
            generate_secret=False,  # a browser page cannot keep a secret: PKCE instead
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=["email", "openid"],
            supported_identity_providers=["COGNITO"],
            callback_urls=[admin_page],
            logout_urls=[admin_page],
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            id_token_validity=60,
            access_token_validity=60,
            refresh_token_validity=12,
            token_validity_units=[{"idToken": "minutes", "accessToken": "minutes", "refreshToken": "hours"}],
        )
        for owner in silo.owners:
            aws.cognito_user.CognitoUser(
                self,
                names.owner_construct_id("owner", owner),
                user_pool_id=self.user_pool.id,
                username=owner,
                attributes={"email": owner, "email_verified": "true"},
                desired_delivery_mediums=["EMAIL"],
                lifecycle={"prevent_destroy": True},
            )

    def _integration(self, kind: str, function: LambdaFunction):
        return aws.apigatewayv2_integration.Apigatewayv2Integration(
            self,
            f"{kind}-integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=function.function.invoke_arn,
            payload_format_version="2.0",
            timeout_milliseconds=29000,
        )

    def _permission(self, kind: str, function: LambdaFunction, route: str) -> None:
        aws.lambda_permission.LambdaPermission(
            self,
            f"{kind}-permission",
            statement_id="PartnerHttpApi",
            action="lambda:InvokeFunction",
            function_name=function.function.function_name,
            principal=self.principal,
            source_arn=f"{self.api.execution_arn}/*/{route}",
        )

    @staticmethod
    def _throttle(route: str, limits: Sequence[int]) -> dict:
        rate, burst = limits
        return {"routeKey": route, "throttlingRateLimit": rate, "throttlingBurstLimit": burst}
