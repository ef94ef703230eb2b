"""Api: the Interface layer. An HTTP API for requests and a WebSocket API for streamed answers (P086, P109).

* Every HTTP route is authorised by a JWT authoriser (P062, P140). Issuer and audience come from the
  args; when none are given the component creates a Cognito user pool and app client as the issuer.
  Decision: Cognito user pools bill per monthly active user with a free tier (Lite/Essentials: 10,000
  MAU, https://aws.amazon.com/cognito/pricing/), so an unused pool costs nothing (P014) and the API is
  never left open or pointed at a placeholder issuer that would accept nothing. Set `jwt_issuer` and
  `jwt_audience` to use your own identity provider instead.
* Throttling on the stage's default route settings (burst and rate) bounds cost and abuse (P175).
* Access logs in JSON to an encrypted log group with the stack's retention (P129, P133, P141).
* The WebSocket API (feature `websocket_api`) authorises `$connect` with a Lambda REQUEST authorizer that
  verifies the same JWT as the HTTP API (same issuer and audiences; `functions.connections.authorizer`):
  API Gateway accepts only IAM or Lambda authorizers, and only on `$connect`
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
  The `$connect` and `$disconnect` routes invoke `functions.connections.handler`, which records and deletes
  `connection_id -> sub` in the connections table, so ingest and deliver only accept and push to a connection
  its own caller opened (issue 12 §2, P062, P166). Its `$default` route answers with the caller's connection
  id (a mock integration, no Lambda), which the client sends along with its request. Throttled and logged
  like the HTTP API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.function import BUNDLED_PACKAGES, Function, FunctionArgs
from components.kms import StackKey
from components.logs import EncryptedLogGroup
from components.settings import PlatformSettings
from components.storage import Table
from functions.shared import constants as c

HTTP_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
    '"integrationError":"$context.integrationErrorMessage","sub":"$context.authorizer.claims.sub"}'
)
WS_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"eventType":"$context.eventType","routeKey":"$context.routeKey","status":"$context.status",'
    '"connectionId":"$context.connectionId"}'
)
WS_STAGE = "live"
#: The client passes its JWT as `?token=` (browsers cannot set headers on a WebSocket handshake); the
#: authorizer (functions.connections.authorizer) denies a missing one too.
WS_IDENTITY_SOURCE = "route.request.querystring.token"
#: PyJWT verifies the token (pure Python; RS256 uses `cryptography` from the Powertools layer).
AUTHORIZER_PACKAGES = (*BUNDLED_PACKAGES, "jwt")


#: The AWS managed policy of API Gateway's CloudWatch role (set-up-logging.html; under service-role/,
#: which the deploy roles may attach).
APIGATEWAY_CLOUDWATCH_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"


@dataclass(frozen=True)
class ApiArgs:
    """Interface settings. Leave `jwt_issuer` empty to get a Cognito user pool as the issuer."""

    jwt_issuer: str = ""
    jwt_audience: tuple[str, ...] = ()
    throttling_burst_limit: int = 20
    throttling_rate_limit: float = 10.0
    websocket: bool = True
    request_route: str = "POST /requests"
    cors_origins: tuple[str, ...] = ()
    #: Where the WebSocket handlers' code is (`FunctionArgs.code_root`): the program directory.
    code_root: str = "."

    def __post_init__(self) -> None:
        if self.jwt_issuer and not self.jwt_issuer.startswith("https://"):
            raise ValueError("jwt_issuer must be an https:// URL")
        if self.jwt_issuer and not self.jwt_audience:
            raise ValueError("jwt_audience is required with jwt_issuer")
        if self.throttling_burst_limit <= 0 or self.throttling_rate_limit <= 0:
            raise ValueError("throttling limits must be positive (P175)")


def _throttled_logged_stage(
    name: str,
    api_id: pulumi.Input[str],
    *,
    stage: str,
    args: ApiArgs,
    logs: EncryptedLogGroup,
    log_format: str,
    opts: pulumi.ResourceOptions,
) -> aws.apigatewayv2.Stage:
    """The stage every API gets: throttled by default (policy api-throttling) and logging access (P129)."""
    return aws.apigatewayv2.Stage(
        name,
        api_id=api_id,
        name=stage,
        auto_deploy=True,
        default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
            throttling_burst_limit=args.throttling_burst_limit,
            throttling_rate_limit=args.throttling_rate_limit,
            detailed_metrics_enabled=True,
        ),
        access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(destination_arn=logs.arn, format=log_format),
        opts=opts,
    )


class Api(pulumi.ComponentResource):
    """HTTP API (JWT-authorised) in front of the ingest function, plus an optional WebSocket API.

    Examples
    --------
    >>> api = Api("api", settings, ApiArgs(), key=key, ingest=ingest_function)
    >>> api.http_endpoint
    """

    http_api: aws.apigatewayv2.Api
    http_stage: aws.apigatewayv2.Stage
    authorizer: aws.apigatewayv2.Authorizer
    routes: dict[str, aws.apigatewayv2.Route]
    user_pool: aws.cognito.UserPool | None
    websocket_api: aws.apigatewayv2.Api | None
    websocket_stage: aws.apigatewayv2.Stage | None

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: ApiArgs,
        *,
        key: StackKey,
        ingest: object,
        connections: Table | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:api:Api", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api_name = settings.name(name)
        self.routes = {}

        issuer, audience = self._issuer(name, settings, args, child)

        self.http_api = aws.apigatewayv2.Api(
            name,
            name=api_name,
            protocol_type="HTTP",
            description="Agentic platform requests (JWT-authorised)",
            cors_configuration=(
                aws.apigatewayv2.ApiCorsConfigurationArgs(
                    allow_origins=list(args.cors_origins),
                    allow_methods=["POST"],
                    allow_headers=["authorization", "content-type", "idempotency-key"],
                )
                if args.cors_origins
                else None
            ),
            opts=child,
        )
        self.authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-jwt",
            api_id=self.http_api.id,
            name="jwt",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(issuer=issuer, audiences=audience),
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-ingest",
            api_id=self.http_api.id,
            integration_type="AWS_PROXY",
            integration_uri=ingest.invoke_arn,  # type: ignore[attr-defined]
            payload_format_version="2.0",
            timeout_milliseconds=29_000,
            opts=child,
        )
        method, path = args.request_route.split(" ", 1)
        self.routes[args.request_route] = aws.apigatewayv2.Route(
            f"{name}-requests",
            api_id=self.http_api.id,
            route_key=args.request_route,
            authorization_type="JWT",  # P062: every route authorised
            authorizer_id=self.authorizer.id,
            target=integration.id.apply(lambda i: f"integrations/{i}"),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-ingest-invoke",
            action="lambda:InvokeFunction",
            function=ingest.name,  # type: ignore[attr-defined]
            principal="apigateway.amazonaws.com",
            # Only this route of this API may invoke (P137).
            source_arn=pulumi.Output.concat(self.http_api.execution_arn, "/*/", method, path),
            opts=child,
        )
        self.http_logs = EncryptedLogGroup(f"{name}-access", settings, key=key, opts=child)
        self.http_stage = _throttled_logged_stage(
            f"{name}-stage",
            self.http_api.id,
            stage="$default",
            args=args,
            logs=self.http_logs,
            log_format=HTTP_ACCESS_LOG_FORMAT,
            opts=child,
        )
        self.http_endpoint = self.http_api.api_endpoint

        self.websocket_api = None
        self.websocket_stage = None
        self.websocket_endpoint: pulumi.Output[str] | None = None
        self.websocket_execution_arn: pulumi.Output[str] | None = None
        self.connect_authorizer: Function | None = None
        self.connection_handler: Function | None = None
        if args.websocket and settings.features.websocket_api:
            if connections is None:
                raise ValueError("the WebSocket API needs the connections table (issue 12 §2)")
            self._websocket(name, settings, args, key, child)
            self._bind_connections(
                name=name,
                settings=settings,
                args=args,
                key=key,
                connections=connections,
                issuer=issuer,
                audience=audience,
                child=child,
            )

        outputs: dict[str, pulumi.Input[str]] = {"http_endpoint": self.http_endpoint, "jwt_issuer": issuer}
        if self.websocket_endpoint is not None:
            outputs["websocket_endpoint"] = self.websocket_endpoint
        self.register_outputs(outputs)

    def _issuer(
        self, name: str, settings: PlatformSettings, args: ApiArgs, child: pulumi.ResourceOptions
    ) -> tuple[pulumi.Input[str], list[pulumi.Input[str]]]:
        self.user_pool = None
        self.user_pool_client: aws.cognito.UserPoolClient | None = None
        if args.jwt_issuer:
            return args.jwt_issuer, [*args.jwt_audience]
        self.user_pool = aws.cognito.UserPool(
            f"{name}-users",
            name=settings.name("users"),
            deletion_protection="ACTIVE" if settings.deletion_protection else "INACTIVE",
            mfa_configuration="OPTIONAL",
            software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(enabled=True),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=3,
            ),
            admin_create_user_config=aws.cognito.UserPoolAdminCreateUserConfigArgs(allow_admin_create_user_only=True),
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            opts=child,
        )
        self.user_pool_client = aws.cognito.UserPoolClient(
            f"{name}-client",
            name=settings.name("api-client"),
            user_pool_id=self.user_pool.id,
            generate_secret=False,
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            opts=child,
        )
        issuer = pulumi.Output.concat("https://cognito-idp.", settings.region, ".amazonaws.com/", self.user_pool.id)
        return issuer, [self.user_pool_client.id]

    def _cloudwatch_account(
        self, name: str, settings: PlatformSettings, child: pulumi.ResourceOptions
    ) -> aws.apigateway.Account:
        """The account's API Gateway CloudWatch Logs role, in the documented form.

        https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html: a role that
        apigateway.amazonaws.com assumes (API Gateway sends no aws:SourceAccount for it, policies/rules/iam.py
        CONDITIONED_SERVICES), with the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs.
        """
        role = aws.iam.Role(
            f"{name}-cloudwatch-role",
            name=settings.name(f"{name}-apigateway-logs"),
            description="API Gateway's account-level role for access logging to CloudWatch Logs",
            assume_role_policy=iam.documented_service_trust("apigateway.amazonaws.com"),
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-cloudwatch-role-logs",
            role=role.name,
            policy_arn=APIGATEWAY_CLOUDWATCH_POLICY,
            opts=child,
        )
        return aws.apigateway.Account(
            f"{name}-account",
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[attachment])),
        )

    def _websocket(
        self, name: str, settings: PlatformSettings, args: ApiArgs, key: StackKey, child: pulumi.ResourceOptions
    ) -> None:
        ws = aws.apigatewayv2.Api(
            f"{name}-ws",
            name=settings.name(f"{name}-ws"),
            protocol_type="WEBSOCKET",
            route_selection_expression="$request.body.action",
            description="Streamed answers: results are pushed to the caller's connection",
            opts=child,
        )
        self.websocket_api = ws
        mock_request = {"$default": '{"statusCode": 200}'}
        whoami = aws.apigatewayv2.Integration(
            f"{name}-ws-default",
            api_id=ws.id,
            integration_type="MOCK",
            request_templates=mock_request,
            template_selection_expression="\\$default",
            opts=child,
        )
        aws.apigatewayv2.IntegrationResponse(
            f"{name}-ws-default",
            api_id=ws.id,
            integration_id=whoami.id,
            integration_response_key="$default",
            response_templates={"$default": '{"connectionId": "$context.connectionId"}'},
            opts=child,
        )
        default_route = aws.apigatewayv2.Route(
            f"{name}-ws-default",
            api_id=ws.id,
            route_key="$default",
            route_response_selection_expression="$default",
            target=whoami.id.apply(lambda i: f"integrations/{i}"),
            opts=child,
        )
        self.routes["$default"] = default_route
        aws.apigatewayv2.RouteResponse(
            f"{name}-ws-default",
            api_id=ws.id,
            route_id=default_route.id,
            route_response_key="$default",
            opts=child,
        )
        self.websocket_logs = EncryptedLogGroup(f"{name}-ws-access", settings, key=key, opts=child)
        # WebSocket (and REST) stages log through the account's CloudWatch role; without it UpdateStage
        # with access logging fails. One per account and region: the stack that `owns` it creates it.
        account = self._cloudwatch_account(name, settings, child) if settings.owns.apigateway_account else None
        self.websocket_stage = _throttled_logged_stage(
            f"{name}-ws-stage",
            ws.id,
            stage=WS_STAGE,
            args=args,
            logs=self.websocket_logs,
            log_format=WS_ACCESS_LOG_FORMAT,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[account] if account else [])),
        )
        self.websocket_endpoint = pulumi.Output.concat(
            "https://", ws.id, ".execute-api.", settings.region, ".amazonaws.com/", WS_STAGE
        )
        self.websocket_execution_arn = ws.execution_arn

    def _bind_connections(
        self,
        *,
        name: str,
        settings: PlatformSettings,
        args: ApiArgs,
        key: StackKey,
        connections: Table,
        issuer: pulumi.Input[str],
        audience: list[pulumi.Input[str]],
        child: pulumi.ResourceOptions,
    ) -> None:
        """`$connect` behind the JWT-verifying Lambda authorizer; `$connect`/`$disconnect` record the caller."""
        ws = self.websocket_api
        assert ws is not None  # called right after _websocket
        self.connect_authorizer = Function(
            f"{name}-ws-authorizer",
            settings,
            FunctionArgs(
                handler="functions.connections.authorizer.lambda_handler",
                description="WebSocket $connect: verify the caller's JWT as the HTTP API does (issue 12 §2)",
                environment={
                    c.ENV_JWT_ISSUER: issuer,
                    c.ENV_JWT_AUDIENCE: pulumi.Output.all(*audience).apply(lambda ids: json.dumps(list(ids))),
                },
                code_root=args.code_root,
                packages=AUTHORIZER_PACKAGES,
            ),
            key=key,
            opts=child,
        )
        self.connection_handler = Function(
            f"{name}-ws-connections",
            settings,
            FunctionArgs(
                handler="functions.connections.handler.lambda_handler",
                description="WebSocket $connect/$disconnect: record which caller holds each connection",
                environment={c.ENV_CONNECTIONS_TABLE_NAME: connections.name},
                code_root=args.code_root,
            ),
            key=key,
            opts=child,
        )
        # Exactly the two writes the handler makes (conditional PutItem, DeleteItem): P135, P140.
        connections.grant_actions(
            self.connection_handler.role,
            ["dynamodb:DeleteItem", "dynamodb:PutItem"],
            name=f"{name}-ws-connections-role",
            label="bind",
        )
        authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-ws-jwt",
            api_id=ws.id,
            name="jwt-connect",
            authorizer_type="REQUEST",
            authorizer_uri=self.connect_authorizer.invoke_arn,
            identity_sources=[WS_IDENTITY_SOURCE],
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-ws-authorizer-invoke",
            action="lambda:InvokeFunction",
            function=self.connect_authorizer.name,
            principal="apigateway.amazonaws.com",
            # Only this authorizer of this API may invoke it (P137).
            source_arn=pulumi.Output.concat(ws.execution_arn, "/authorizers/", authorizer.id),
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-ws-connections",
            api_id=ws.id,
            integration_type="AWS_PROXY",
            integration_uri=self.connection_handler.invoke_arn,
            opts=child,
        )
        target = integration.id.apply(lambda i: f"integrations/{i}")
        self.routes["$connect"] = aws.apigatewayv2.Route(
            f"{name}-ws-connect",
            api_id=ws.id,
            route_key="$connect",
            authorization_type="CUSTOM",  # P062: only callers with a valid token of the API's issuer connect
            authorizer_id=authorizer.id,
            target=target,
            opts=child,
        )
        # WebSocket APIs authorise only $connect; $disconnect can only close what $connect admitted.
        self.routes["$disconnect"] = aws.apigatewayv2.Route(
            f"{name}-ws-disconnect", api_id=ws.id, route_key="$disconnect", target=target, opts=child
        )
        for route in ("$connect", "$disconnect"):
            aws.lambda_.Permission(
                f"{name}-ws-connections-invoke-{route.removeprefix('$')}",
                action="lambda:InvokeFunction",
                function=self.connection_handler.name,
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(ws.execution_arn, "/*/", route),  # this route only (P137)
                opts=child,
            )
