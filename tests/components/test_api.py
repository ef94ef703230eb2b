"""Api: every route authorised, throttled, access-logged; WebSocket behind a feature flag."""

from __future__ import annotations

import pytest

from components.api import ApiArgs
from tests.components.conftest import REPO_ROOT, RunProgram, only, policy_of

PROGRAM = f"""
from components.kms import StackKey
from components.function import Function, FunctionArgs
from components.api import Api, ApiArgs
key = StackKey("key", settings)
fn_args = FunctionArgs(handler="functions.ingest.handler.lambda_handler", code_root={str(REPO_ROOT)!r})
fn = Function("ingest", settings, fn_args, key=key)
Api("api", settings, ApiArgs(), key=key, ingest=fn)
"""


def test_http_api_routes_are_jwt_authorised(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    authorizer = only(graph, "aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["jwtConfiguration"]["issuer"].startswith("https://cognito-idp.us-east-1.amazonaws.com/")
    routes = {r.inputs["routeKey"]: r for r in graph.of_type("aws:apigatewayv2/route:Route")}
    assert routes["POST /requests"].inputs["authorizationType"] == "JWT"
    assert routes["$connect"].inputs["authorizationType"] == "AWS_IAM"
    for key, route in routes.items():
        if key in ("$default", "$disconnect"):
            continue  # WebSocket APIs authorise on $connect only
        assert route.inputs["authorizationType"] != "NONE", key
    permission = only(graph, "aws:lambda/permission:Permission")
    assert permission.inputs["sourceArn"].endswith("/*/POST/requests")


def test_stages_throttle_and_log(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    stages = graph.of_type("aws:apigatewayv2/stage:Stage")
    assert len(stages) == 2
    for stage in stages:
        settings = stage.inputs["defaultRouteSettings"]
        assert settings["throttlingBurstLimit"] == 20
        assert settings["throttlingRateLimit"] == 10
        assert stage.inputs["accessLogSettings"]["destinationArn"].startswith("arn:aws:logs:")
    pool = only(graph, "aws:cognito/userPool:UserPool")
    assert pool.inputs["adminCreateUserConfig"]["allowAdminCreateUserOnly"] is True


def test_websocket_follows_the_feature_flag(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, overrides={"features": {"websocketApi": False}})
    apis = graph.of_type("aws:apigatewayv2/api:Api")
    assert [a.inputs["protocolType"] for a in apis] == ["HTTP"]


def test_external_issuer_needs_audience() -> None:
    with pytest.raises(ValueError, match="jwt_audience"):
        ApiArgs(jwt_issuer="https://issuer.example.com")
    with pytest.raises(ValueError, match="https"):
        ApiArgs(jwt_issuer="http://issuer.example.com", jwt_audience=("a",))


def test_websocket_stage_logs_through_the_accounts_cloudwatch_role(run_program: RunProgram) -> None:
    """A WebSocket stage with access logging needs API Gateway's account-level CloudWatch role: the stack
    that owns it (dev) creates it, in the documented form, before the stage."""
    graph = run_program(PROGRAM)
    account = only(graph, "aws:apigateway/account:Account")
    (role,) = [r for r in graph.of_type("aws:iam/role:Role") if r.inputs["name"].endswith("-apigateway-logs")]
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    (trust,) = policy_of(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    attachments = graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert any(a.inputs["policyArn"].endswith("service-role/AmazonAPIGatewayPushToCloudWatchLogs") for a in attachments)
    (ws_stage,) = [s for s in graph.of_type("aws:apigatewayv2/stage:Stage") if s.name.endswith("ws-stage")]
    assert account.urn in ws_stage.dependencies


def test_only_the_owning_stack_sets_the_account_role(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, overrides={"owns": {"apigatewayAccount": False}})
    assert graph.of_type("aws:apigateway/account:Account") == []
