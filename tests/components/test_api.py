"""Api: every route authorised, throttled, access-logged; WebSocket behind a feature flag."""

from __future__ import annotations

import json

import pytest

from components.api import ApiArgs
from preflight.errors import ProgramError
from tests.components.conftest import REPO_ROOT, RunProgram, only, policy_of

PROGRAM = f"""
from components.kms import StackKey
from components.function import Function, FunctionArgs
from components.api import Api, ApiArgs
from components.platform import CONNECTIONS_TABLE
from components.storage import Storage
key = StackKey("key", settings)
fn_args = FunctionArgs(handler="functions.ingest.handler.lambda_handler", code_root={str(REPO_ROOT)!r})
fn = Function("ingest", settings, fn_args, key=key)
storage = Storage("storage", settings, key=key, tables=(CONNECTIONS_TABLE,))
connections = storage.tables["connections"]
Api("api", settings, ApiArgs(code_root={str(REPO_ROOT)!r}), key=key, ingest=fn, connections=connections)
"""


def test_http_api_routes_are_jwt_authorised(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    (authorizer,) = [a for a in graph.of_type("aws:apigatewayv2/authorizer:Authorizer") if a.name == "api-jwt"]
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["jwtConfiguration"]["issuer"].startswith("https://cognito-idp.us-east-1.amazonaws.com/")
    routes = {r.inputs["routeKey"]: r for r in graph.of_type("aws:apigatewayv2/route:Route")}
    assert routes["POST /requests"].inputs["authorizationType"] == "JWT"
    assert routes["$connect"].inputs["authorizationType"] == "CUSTOM"
    for key, route in routes.items():
        if key in ("$default", "$disconnect"):
            continue  # WebSocket APIs authorise on $connect only
        assert route.inputs["authorizationType"] != "NONE", key
    (permission,) = [p for p in graph.of_type("aws:lambda/permission:Permission") if p.name == "api-ingest-invoke"]
    assert permission.inputs["sourceArn"].endswith("/*/POST/requests")


def test_websocket_connect_verifies_the_same_jwt_and_records_the_caller(run_program: RunProgram) -> None:
    """Issue 12 §2: $connect is behind a Lambda REQUEST authorizer configured with the HTTP API's issuer and
    audience; $connect and $disconnect invoke the connections handler, which may only put and delete items."""
    graph = run_program(PROGRAM)
    (jwt_authorizer,) = [a for a in graph.of_type("aws:apigatewayv2/authorizer:Authorizer") if a.name == "api-jwt"]
    (ws_authorizer,) = [a for a in graph.of_type("aws:apigatewayv2/authorizer:Authorizer") if a.name == "api-ws-jwt"]
    assert ws_authorizer.inputs["authorizerType"] == "REQUEST"
    assert ws_authorizer.inputs["identitySources"] == ["route.request.querystring.token"]
    functions = {f.inputs["handler"]: f for f in graph.of_type("aws:lambda/function:Function")}
    verifier = functions["functions.connections.authorizer.lambda_handler"]
    env = verifier.inputs["environment"]["variables"]
    assert env["JWT_ISSUER"] == jwt_authorizer.inputs["jwtConfiguration"]["issuer"]
    assert json.loads(env["JWT_AUDIENCE"]) == jwt_authorizer.inputs["jwtConfiguration"]["audiences"]
    routes = {r.inputs["routeKey"]: r for r in graph.of_type("aws:apigatewayv2/route:Route")}
    assert routes["$connect"].inputs["authorizerId"] == ws_authorizer.id
    assert routes["$connect"].inputs["target"] == routes["$disconnect"].inputs["target"]
    handler = functions["functions.connections.handler.lambda_handler"]
    assert handler.inputs["environment"]["variables"]["CONNECTIONS_TABLE_NAME"] == "agentic-platform-dev-connections"
    sources = {p.name: p.inputs["sourceArn"] for p in graph.of_type("aws:lambda/permission:Permission")}
    assert sources["api-ws-connections-invoke-connect"].endswith("/*/$connect")
    assert sources["api-ws-connections-invoke-disconnect"].endswith("/*/$disconnect")
    assert "/authorizers/" in sources["api-ws-authorizer-invoke"]
    (bind,) = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if "-bind-" in p.name]
    table_statement, key_statement = policy_of(bind, "policy")["Statement"]
    assert table_statement["Action"] == ["dynamodb:DeleteItem", "dynamodb:PutItem"]
    assert table_statement["Resource"] == [only(graph, "aws:dynamodb/table:Table").outputs["arn"]]
    assert key_statement["Resource"] == [only(graph, "aws:kms/key:Key").outputs["arn"]]


def test_websocket_without_the_connections_table_is_refused(run_program: RunProgram) -> None:
    program = PROGRAM.replace(", connections=connections)", ")")
    with pytest.raises(ProgramError, match="connections table"):
        run_program(program)


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
