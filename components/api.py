"""Api: the Interface layer. An HTTP API for requests and a WebSocket API for streamed answers (P086, P109).

* Every HTTP route is authorised by a JWT authoriser (P062, P140). Issuer and audience come from the
  args; when none are given the component creates a Cognito user pool and app client as the issuer.
  Decision: Cognito user pools bill per monthly active user with a free tier (Lite/Essentials: 10,000
  MAU, https://aws.amazon.com/cognito/pricing/), so an unused pool costs nothing (P014) and the API is
  never left open or pointed at a placeholder issuer that would accept nothing. Set `jwt_issuer` and
  `jwt_audience` to use your own identity provider instead.
* Throttling on the stage's default route settings (burst and rate) bounds cost and abuse (P175).
* Access logs in JSON to an encrypted log group with the stack's retention (P129, P133, P141).
* The WebSocket API (feature `websocket_api`) authorises `$connect` with IAM (SigV4-signed
  connections; API Gateway authorises WebSocket APIs only on `$connect`), throttles and logs the same
  way. Its `$default` route answers with the caller's connection id (a mock integration, no Lambda),
  which the client sends along with its request so `deliver` can push the result (P166).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.kms import StackKey
from components.logs import EncryptedLogGroup
from components.settings import PlatformSettings

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
        if args.websocket and settings.features.websocket_api:
            self._websocket(name, settings, args, key, child)

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
        connect = aws.apigatewayv2.Integration(
            f"{name}-ws-connect",
            api_id=ws.id,
            integration_type="MOCK",
            request_templates=mock_request,
            template_selection_expression="\\$default",
            opts=child,
        )
        self.routes["$connect"] = aws.apigatewayv2.Route(
            f"{name}-ws-connect",
            api_id=ws.id,
            route_key="$connect",
            authorization_type="AWS_IAM",  # P062: SigV4-signed connections only
            target=connect.id.apply(lambda i: f"integrations/{i}"),
            opts=child,
        )
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
