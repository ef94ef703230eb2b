"""The API Gateway rules called directly: authorised routes, methods, OpenAPI bodies and quick create;
throttling of HTTP/WebSocket stages and REST APIs; access logs; each branch with the exact message."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from policies.rules import apigateway as ag
from tests.policies.rules.calls import Reports, resource, run_stack, urn

HTTP = resource(ag.API_V2, "http", {"protocolType": "HTTP", "id": "h1"})
WS = resource(ag.API_V2, "ws", {"protocolType": "WEBSOCKET", "id": "w1"})


def _route(api: PolicyResource | None, name: str = "route", **props: Any) -> PolicyResource:
    return resource(ag.ROUTE_V2, name, {"apiId": "x", **props}, {"apiId": [api]} if api else None)


def _no_auth(key: str, name: str = "route") -> tuple[str, str]:
    return (f"{name}: route {key} has no authorization.", urn(ag.ROUTE_V2, name))


@pytest.mark.parametrize(
    ("route", "messages"),
    [
        (_route(HTTP, routeKey="GET /items", authorizationType="JWT"), []),
        (_route(HTTP, routeKey="GET /items", authorizationType="AWS_IAM"), []),
        (_route(WS, routeKey="sendMessage"), []),
        (_route(WS, routeKey="$connect", authorizationType="CUSTOM"), []),
        (_route(HTTP, routeKey="GET /items"), [_no_auth("GET /items")]),
        (_route(HTTP, routeKey="GET /items", authorizationType="NONE"), [_no_auth("GET /items")]),
        (_route(HTTP, routeKey="GET /items", authorizationType=""), [_no_auth("GET /items")]),
        (_route(WS, routeKey="$connect"), [_no_auth("$connect")]),
        (_route(None, routeKey="sendMessage"), [_no_auth("sendMessage")]),
        (_route(HTTP), [_no_auth("?")]),
    ],
    ids=["ok_jwt", "ok_iam", "ok_websocket_message_route", "ok_websocket_connect_custom", "bad1_unset", "bad2_none", "bad3_empty",
         "bad4_websocket_connect", "bad5_api_not_in_stack", "bad6_no_route_key"],
)  # fmt: skip
def test_routes(route: PolicyResource, messages: Reports) -> None:
    """Beside an authorised $connect of the WebSocket API (without one the API itself is a finding:
    test_apigateway_websocket.py)."""
    connect = _route(WS, "connect", routeKey="$connect", authorizationType="CUSTOM")
    assert run_stack(ag.ROUTES_AUTHORIZED, [HTTP, WS, connect, route], None) == messages


METHOD_URN = urn(ag.METHOD, "m")


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        ({"httpMethod": "GET", "authorization": "COGNITO_USER_POOLS"}, []),
        ({"httpMethod": "OPTIONS", "authorization": "NONE"}, []),
        ({"httpMethod": "GET", "authorization": "NONE"}, [("m: method GET has authorization NONE.", METHOD_URN)]),
        ({"httpMethod": "POST"}, [("m: method POST has authorization NONE.", METHOD_URN)]),
        (
            {"httpMethod": "options", "authorization": "NONE"},
            [("m: method options has authorization NONE.", METHOD_URN)],
        ),
        ({}, [("m: method ? has authorization NONE.", METHOD_URN)]),
    ],
    ids=["ok_cognito", "ok_cors_preflight", "bad1_none", "bad2_unset", "bad3_options_is_upper_case", "bad4_no_verb"],
)
def test_methods(props: dict[str, Any], messages: Reports) -> None:
    assert run_stack(ag.ROUTES_AUTHORIZED, [resource(ag.METHOD, "m", props)], None) == messages


OPEN_BODY = json.dumps(
    {"paths": {"/a": {"get": {}, "options": {}}, "/b": {"x-amazon-apigateway-any-method": {"security": []}}}}
)


@pytest.mark.parametrize(
    ("type_", "props", "messages"),
    [
        (ag.REST_API, {"body": OPEN_BODY}, ["the OpenAPI body leaves GET /a without authorization.", "the OpenAPI body leaves ANY /b without authorization."]),
        (ag.API_V2, {"body": OPEN_BODY, "protocolType": "HTTP"}, ["the OpenAPI body leaves GET /a without authorization.", "the OpenAPI body leaves ANY /b without authorization."]),
        (ag.API_V2, {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:111122223333:function:f"}, ["quick create makes route $default without authorization."]),
        (ag.API_V2, {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:111122223333:function:f", "routeKey": "POST /run"}, ["quick create makes route POST /run without authorization."]),
        (ag.API_V2, {"protocolType": "HTTP", "target": ""}, []),
        (ag.REST_API, {"body": json.dumps({"security": [{"jwt": []}], "paths": {"/a": {"get": {}}}})}, []),
    ],
    ids=["bad1_rest_body", "bad2_http_body", "bad3_quick_create", "bad4_quick_create_route_key", "ok_no_target", "ok_document_security"],
)  # fmt: skip
def test_definitions_and_quick_create(type_: str, props: dict[str, Any], messages: list[str]) -> None:
    assert run_stack(ag.ROUTES_AUTHORIZED, [resource(type_, "api", props)], None) == [
        (f"api: {m}", urn(type_, "api")) for m in messages
    ]


LIMITS = {"throttlingBurstLimit": 10, "throttlingRateLimit": 5.0}
STAGE_FIX = (
    "http: no stage throttles every route (defaultRouteSettings, or routeSettings for each route).",
    urn(ag.API_V2, "http"),
)


def _stage(api: PolicyResource, name: str = "stage", **props: Any) -> PolicyResource:
    return resource(ag.STAGE_V2, name, {"apiId": "x", **props}, {"apiId": [api]})


@pytest.mark.parametrize(
    ("others", "messages"),
    [
        ([_stage(HTTP, defaultRouteSettings=LIMITS)], []),
        ([_stage(HTTP), _stage(HTTP, "second", defaultRouteSettings=LIMITS)], []),
        ([_route(HTTP, routeKey="GET /a"), _route(HTTP, "r2", routeKey="GET /b"),
          _stage(HTTP, routeSettings=[{"routeKey": "GET /a", **LIMITS}, {"routeKey": "GET /b", **LIMITS}])], []),
        ([], [STAGE_FIX]),
        ([_stage(WS, defaultRouteSettings=LIMITS)], [STAGE_FIX]),
        ([_stage(HTTP, defaultRouteSettings={"throttlingBurstLimit": 10})], [STAGE_FIX]),
        ([_stage(HTTP, defaultRouteSettings={"throttlingBurstLimit": 0, "throttlingRateLimit": 5})], [STAGE_FIX]),
        ([_stage(HTTP, defaultRouteSettings={"throttlingBurstLimit": 10, "throttlingRateLimit": 0})], [STAGE_FIX]),
        ([_stage(HTTP, defaultRouteSettings={"throttlingBurstLimit": "10", "throttlingRateLimit": 5})], [STAGE_FIX]),
        ([_route(HTTP, routeKey="GET /a"), _route(HTTP, "r2", routeKey="GET /b"), _stage(HTTP, routeSettings=[{"routeKey": "GET /a", **LIMITS}])], [STAGE_FIX]),
        ([_route(HTTP, routeKey="GET /a"), _stage(HTTP, routeSettings=[{"routeKey": "GET /a", "throttlingBurstLimit": 10}])], [STAGE_FIX]),
        ([_stage(HTTP, routeSettings=[{"routeKey": "GET /a", **LIMITS}])], [STAGE_FIX]),
    ],
    ids=["ok_defaults", "ok_second_stage", "ok_every_route", "bad1_no_stage", "bad2_stage_of_another_api", "bad3_no_rate", "bad4_zero_burst",
         "bad5_zero_rate", "bad6_text_limit", "bad7_one_route_left", "bad8_route_without_rate", "bad9_no_routes_known"],
)  # fmt: skip
def test_http_throttling(others: list[PolicyResource], messages: Reports) -> None:
    assert run_stack(ag.THROTTLING, [HTTP, *others], None) == messages


def test_quick_create_route_needs_its_own_throttling() -> None:
    api = resource(ag.API_V2, "http", {"target": "arn:aws:lambda:us-east-1:111122223333:function:f"})
    covered = _stage(api, routeSettings=[{"routeKey": "$default", **LIMITS}])
    assert run_stack(ag.THROTTLING, [api, covered], None) == []
    named = resource(
        ag.API_V2, "http", {"target": "arn:aws:lambda:us-east-1:111122223333:function:f", "routeKey": "POST /run"}
    )
    assert run_stack(
        ag.THROTTLING, [named, _stage(named, routeSettings=[{"routeKey": "$default", **LIMITS}])], None
    ) == [STAGE_FIX]
    assert (
        run_stack(ag.THROTTLING, [named, _stage(named, routeSettings=[{"routeKey": "POST /run", **LIMITS}])], None)
        == []
    )


REST = resource(ag.REST_API, "rest", {"id": "r1"})
REST_FIX = ("rest: no method settings or usage plan set throttling (burst and rate).", urn(ag.REST_API, "rest"))
PLAN_LIMITS = {"burstLimit": 10, "rateLimit": 5}


def _settings(api: PolicyResource, settings: dict[str, Any]) -> PolicyResource:
    return resource(ag.METHOD_SETTINGS, "ms", {"restApi": "x", "settings": settings}, {"restApi": [api]})


def _plan(stages: list[dict[str, Any]], throttle: dict[str, Any] | None) -> PolicyResource:
    return resource(ag.USAGE_PLAN, "plan", {"apiStages": stages, "throttleSettings": throttle})


@pytest.mark.parametrize(
    ("others", "messages"),
    [
        ([_settings(REST, LIMITS)], []),
        ([_plan([{"apiId": "r1", "stage": "v1"}], PLAN_LIMITS)], []),
        ([_plan([{"apiId": "other"}, {"stage": "v1"}], PLAN_LIMITS)], []),
        ([], [REST_FIX]),
        ([_settings(REST, {"throttlingBurstLimit": 10})], [REST_FIX]),
        ([_settings(resource(ag.REST_API, "other", {"id": "r2"}), LIMITS)], [REST_FIX]),
        ([_plan([{"apiId": "other"}], PLAN_LIMITS)], [REST_FIX]),
        ([_plan([{"apiId": "r1"}], {"burstLimit": 10})], [REST_FIX]),
        ([_plan([{"apiId": "r1"}], {"burstLimit": 0, "rateLimit": 5})], [REST_FIX]),
        ([_plan([{"apiId": "r1"}], {"burstLimit": 10, "rateLimit": 0})], [REST_FIX]),
        ([_plan([{"apiId": "r1"}], {"burstLimit": 10, "rateLimit": "5"})], [REST_FIX]),
        ([_plan([{"apiId": "r1"}], None)], [REST_FIX]),
        ([_plan([], PLAN_LIMITS)], [REST_FIX]),
    ],
    ids=["ok_method_settings", "ok_usage_plan", "ok_plan_stage_unknown_api", "bad1_nothing", "bad2_settings_without_rate",
         "bad3_settings_of_another_api", "bad4_plan_of_another_api", "bad5_plan_without_rate", "bad6_plan_zero_burst",
         "bad7_plan_zero_rate", "bad8_plan_text_rate", "bad9_plan_without_throttle", "bad10_plan_without_stages"],
)  # fmt: skip
def test_rest_throttling(others: list[PolicyResource], messages: Reports) -> None:
    assert run_stack(ag.THROTTLING, [REST, *others], None) == messages


@pytest.mark.parametrize("type_", [ag.STAGE_V2, ag.STAGE])
@pytest.mark.parametrize(
    ("props", "ok"),
    [({"accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:111122223333:log-group:api"}}, True),
     ({"accessLogSettings": {"format": "$context.requestId"}}, False), ({"accessLogSettings": {"destinationArn": ""}}, False), ({}, False)],
    ids=["ok_destination", "bad1_format_only", "bad2_empty", "bad3_unset"],
)  # fmt: skip
def test_access_logs(type_: str, props: dict[str, Any], ok: bool) -> None:
    expected = [] if ok else [("s: access logging is off (accessLogSettings.destinationArn).", urn(type_, "s"))]
    assert run_stack(ag.ACCESS_LOGS, [resource(type_, "s", props)], None) == expected
