"""API Gateway (HTTP, WebSocket and REST): authorised routes, throttling and access logs (P186, P129, P185).

Routes come from three places, and each is checked: Route/Method resources, the OpenAPI document of an
API imported with `body` (REST and HTTP APIs), and the `$default` route an HTTP API's quick create
(`target`) makes. A WebSocket API must have a `$connect` route, the one route of it that can authorise.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from policies.lib import as_list, get, refers_to, report_on, resources_of, text, tolerant
from policies.spec import Category, Kind, PolicySpec

API_V2 = "aws:apigatewayv2/api:Api"
ROUTE_V2 = "aws:apigatewayv2/route:Route"
STAGE_V2 = "aws:apigatewayv2/stage:Stage"
REST_API = "aws:apigateway/restApi:RestApi"
METHOD = "aws:apigateway/method:Method"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"


def _api_of(args: StackValidationArgs, route: PolicyResource) -> PolicyResource | None:
    for api in resources_of(args, API_V2):
        if refers_to(route, "apiId", api):
            return api
    return None


#: The route API Gateway runs while a WebSocket connection is being established: the only route of a WebSocket
#: API that authorises ("Because the WebSocket connection is a stateful connection, you can configure
#: authorization on the $connect route only", API Gateway Developer Guide, "Manage connected users and client
#: apps: $connect and $disconnect routes", https://docs.aws.amazon.com/apigateway/latest/developerguide/
#: apigateway-websocket-api-route-keys-connect-disconnect.html). Without one, nothing authorises the connection.
CONNECT_ROUTE = "$connect"


def _check_connect(routes: list[PolicyResource], report_violation: ReportViolation, api: PolicyResource) -> None:
    """A WebSocket API with no $connect route among the stack's routes: the skip of its other routes in
    _check_routes holds only when it has one (whose authorization that check judges). A route key not known yet
    raises, and the API stays undecided (the caller's `tolerant` notes the unknown)."""
    if get(api.props, "protocolType") != "WEBSOCKET":
        return
    if CONNECT_ROUTE not in {text(get(r.props, "routeKey")) for r in routes if refers_to(r, "apiId", api)}:
        report_on(
            report_violation,
            api,
            "the WebSocket API has no $connect route, so no connection is authorised and every other route "
            "(which cannot carry an authorizer) is open to anyone.",
        )


def _check_routes(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    routes = resources_of(args, ROUTE_V2)

    def check_route(route: PolicyResource) -> None:
        api = _api_of(args, route)
        key = text(get(route.props, "routeKey"))
        # A WebSocket API authorises only its $connect route (the connection): other routes cannot carry an
        # authorizer, and are covered by _check_connect, which requires a $connect (judged here) to exist.
        if api is not None and get(api.props, "protocolType") == "WEBSOCKET" and key != CONNECT_ROUTE:
            return
        # apigatewayv2 AuthorizationType: NONE | AWS_IAM | CUSTOM | JWT (botocore service model); unset = NONE.
        if (text(get(route.props, "authorizationType")) or "NONE") == "NONE":
            report_on(report_violation, route, f"route {key or '?'} has no authorization.")

    def check_method(method: PolicyResource) -> None:
        verb = text(get(method.props, "httpMethod"))
        if verb == "OPTIONS":
            return  # CORS preflight requests carry no credentials by design
        if (text(get(method.props, "authorization")) or "NONE") == "NONE":
            report_on(report_violation, method, f"method {verb or '?'} has authorization NONE.")

    def check_definition(api: PolicyResource) -> None:
        for where in unauthorised_operations(get(api.props, "body")):
            report_on(report_violation, api, f"the OpenAPI body leaves {where} without authorization.")

    def check_quick_create(api: PolicyResource) -> None:
        # Quick create (`target`) makes a $default route with no authorizer (API Gateway Developer Guide,
        # "Create an HTTP API by using quick create"; pulumi-aws apigatewayv2.Api `target`, `routeKey`).
        if text(get(api.props, "target")):
            key = text(get(api.props, "routeKey")) or "$default"
            report_on(report_violation, api, f"quick create makes route {key} without authorization.")

    tolerant(routes, check_route)
    tolerant(resources_of(args, METHOD), check_method)
    tolerant(resources_of(args, API_V2, REST_API), check_definition)
    tolerant(resources_of(args, API_V2), check_quick_create)
    tolerant(resources_of(args, API_V2), functools.partial(_check_connect, routes, report_violation))


#: OpenAPI operation keys, with API Gateway's catch-all method (x-amazon-apigateway-any-method).
_OPERATIONS = ("get", "put", "post", "delete", "head", "patch", "trace", "x-amazon-apigateway-any-method")


def _openapi(body: Any) -> Mapping[str, Any]:
    """The OpenAPI document of an API's `body` (JSON or YAML text, or an object); {} when unreadable."""
    if isinstance(body, Mapping):
        return body
    if not isinstance(body, str) or not body.strip():
        return {}
    try:
        document = json.loads(body)
    except ValueError:
        try:
            document = yaml.safe_load(body)
        except yaml.YAMLError:
            return {}
    return document if isinstance(document, Mapping) else {}


def _secured(requirements: Any) -> bool:
    """An OpenAPI `security` list every alternative of which names a scheme: `{}` makes it optional
    (OpenAPI 3.0.1 Security Requirement Object), so `[{}]` or `[]` is no authorization."""
    alternatives = as_list(requirements)
    return bool(alternatives) and all(isinstance(a, Mapping) and a for a in alternatives)


def unauthorised_operations(body: Any) -> Iterator[str]:
    """`METHOD /path` of each operation the document leaves open (CORS OPTIONS aside).

    An operation is authorised by `x-amazon-apigateway-auth` with a type other than NONE (API Gateway
    Developer Guide, "x-amazon-apigateway-auth object": values case-insensitive), or by its `security`,
    else the document's top-level `security`.
    """
    document = _openapi(body)
    default = document.get("security")
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        for method in _OPERATIONS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            auth = operation.get("x-amazon-apigateway-auth")
            if isinstance(auth, Mapping) and text(auth.get("type")).upper() not in ("", "NONE"):
                continue
            if _secured(operation.get("security", default)):
                continue
            verb = "ANY" if method.startswith("x-") else method.upper()
            yield f"{verb} {path}"


ROUTES_AUTHORIZED = PolicySpec(
    name="api-routes-authorized",
    description="Every API route and method is authorised (JWT, IAM or a Lambda authorizer).",
    explanation=(
        "An unauthorised route lets anyone drive the agents and the model spend behind it. A WebSocket API "
        "authorises only its $connect route, so it needs one. Fix: set "
        "authorization_type (HTTP routes, WebSocket $connect) or authorization (REST methods) to JWT/AWS_IAM/CUSTOM "
        "with an authorizer; give every WebSocket API a $connect Route with authorization_type AWS_IAM or CUSTOM; "
        "in an OpenAPI body give every operation `security` (or x-amazon-apigateway-auth); "
        "replace quick create (`target`) with a Route that has an authorizer."
    ),
    principles=("P186", "P140", "P062"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.STACK,
    validate=_check_routes,
    resource_types=(ROUTE_V2, METHOD, API_V2, REST_API),
)


def _limits_set(burst: object, rate: object) -> bool:
    """Both a burst and a rate limit, as positive numbers: the one test of stages, method settings and plans."""
    return isinstance(burst, int | float) and isinstance(rate, int | float) and burst > 0 and rate > 0


def _throttled(settings: object) -> bool:
    return _limits_set(get(settings, "throttlingBurstLimit"), get(settings, "throttlingRateLimit"))


def _check_throttling(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stages_v2 = resources_of(args, STAGE_V2)

    routes_v2 = resources_of(args, ROUTE_V2)

    def route_keys(api: PolicyResource) -> set[str]:
        keys = {text(get(r.props, "routeKey")) for r in routes_v2 if refers_to(r, "apiId", api)}
        if text(get(api.props, "target")):
            keys.add(text(get(api.props, "routeKey")) or "$default")
        return keys - {""}

    def stage_throttled(stage: PolicyResource, keys: set[str]) -> bool:
        """Stage defaults, or routeSettings throttling every route of the API (per-route limits count)."""
        if _throttled(get(stage.props, "defaultRouteSettings")):
            return True
        per_route = {text(get(r, "routeKey")) for r in as_list(get(stage.props, "routeSettings")) if _throttled(r)}
        return bool(keys) and keys <= per_route

    def check_api(api: PolicyResource) -> None:
        stages = [s for s in stages_v2 if refers_to(s, "apiId", api)]
        keys = route_keys(api)
        if not any(stage_throttled(s, keys) for s in stages):
            report_on(
                report_violation,
                api,
                "no stage throttles every route (defaultRouteSettings, or routeSettings for each route).",
            )

    def check_rest(api: PolicyResource) -> None:
        settings = [m for m in resources_of(args, METHOD_SETTINGS) if refers_to(m, "restApi", api)]
        if any(_throttled(get(m.props, "settings")) for m in settings):
            return
        for plan in resources_of(args, USAGE_PLAN):
            stages = as_list(get(plan.props, "apiStages"))
            if _throttled_plan(plan) and any(text(get(s, "apiId")) in (text(get(api.props, "id")), "") for s in stages):
                return
        report_on(report_violation, api, "no method settings or usage plan set throttling (burst and rate).")

    tolerant(resources_of(args, API_V2), check_api)
    tolerant(resources_of(args, REST_API), check_rest)


def _throttled_plan(plan: PolicyResource) -> bool:
    throttle = get(plan.props, "throttleSettings") or {}
    return _limits_set(get(throttle, "burstLimit"), get(throttle, "rateLimit"))


THROTTLING = PolicySpec(
    name="api-throttling",
    description="Every API sets throttling limits (HTTP/WebSocket stage defaults, REST method settings or usage plan).",
    explanation=(
        "Without limits one client can drive unbounded Lambda and Bedrock token spend (the account default is "
        "10,000 rps). Fix: default_route_settings={'throttling_burst_limit': ..., 'throttling_rate_limit': ...} "
        "on the stage, or MethodSettings(method_path='*/*', settings={...throttling...}) for REST."
    ),
    principles=("P185", "P186"),
    severity=Severity.MEDIUM,
    category=Category.SECURITY,
    kind=Kind.STACK,
    validate=_check_throttling,
    resource_types=(API_V2, REST_API),
)


def _check_access_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(stage: PolicyResource) -> None:
        if not text(get(stage.props, "accessLogSettings", "destinationArn")):
            report_on(report_violation, stage, "access logging is off (accessLogSettings.destinationArn).")

    tolerant(resources_of(args, STAGE_V2, STAGE), check)


ACCESS_LOGS = PolicySpec(
    name="api-access-logging",
    description="Every API stage writes access logs.",
    explanation=(
        "Access logs record who called which route and when, for audit and abuse detection. Fix: "
        "access_log_settings={'destination_arn': log_group.arn, 'format': <JSON format with $context.requestId>}."
    ),
    principles=("P129", "P147", "P188"),
    severity=Severity.MEDIUM,
    category=Category.GOVERNANCE,
    kind=Kind.STACK,
    validate=_check_access_logs,
    resource_types=(STAGE_V2, STAGE),
)

POLICIES: list[PolicySpec] = [ROUTES_AUTHORIZED, THROTTLING, ACCESS_LOGS]
