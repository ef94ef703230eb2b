"""api-routes-authorized on WebSocket APIs (review3 s11 #9), cdk-nag style: a WebSocket API authorises only its
$connect route ("you can configure authorization on the $connect route only", API Gateway Developer Guide,
"Manage connected users and client apps: $connect and $disconnect routes"), so its other routes are skipped
only when a $connect exists; without one the API itself is the finding. Noncompliance 1 is the review's repro
(/work/notes/s11/review3/wsnoconnect: one `$default` route)."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import apigateway as ag
from tests.policies.rules.calls import Reports, resource, run_stack, urn
from tests.policies.rules.test_apigateway_table import HTTP, WS, _no_auth, _route

OTHER_WS = resource(ag.API_V2, "ws2", {"protocolType": "WEBSOCKET", "id": "w2"})
NO_CONNECT = (
    "ws: the WebSocket API has no $connect route, so no connection is authorised and every other route "
    "(which cannot carry an authorizer) is open to anyone.",
    urn(ag.API_V2, "ws"),
)


def _ws_routes(*keys: str, auth: str | None = None, api: PolicyResource = WS) -> list[PolicyResource]:
    extra = {"authorizationType": auth} if auth else {}
    return [_route(api, f"r{i}", routeKey=key, **(extra if key == "$connect" else {})) for i, key in enumerate(keys)]


@pytest.mark.parametrize(
    ("resources", "messages"),
    [
        ([WS, *_ws_routes("$connect", "$default", "sendMessage", "$disconnect", auth="CUSTOM")], []),
        ([WS, *_ws_routes("$connect", "$default", auth="AWS_IAM")], []),
        ([HTTP, _route(HTTP, "r0", routeKey="GET /items", authorizationType="JWT")], []),  # HTTP APIs have no $connect
        ([WS, *_ws_routes("$default")], [NO_CONNECT]),
        ([WS], [NO_CONNECT]),
        ([WS, *_ws_routes("sendMessage", "$disconnect")], [NO_CONNECT]),
        ([WS, OTHER_WS, *_ws_routes("$default"), *_ws_routes("$connect", auth="CUSTOM", api=OTHER_WS)], [NO_CONNECT]),
        ([WS, *_ws_routes("$connect", "$default")], [_no_auth("$connect", "r0")]),
    ],
    ids=[
        "compliance1_custom_connect",
        "compliance2_iam_connect",
        "compliance3_http_api",
        "noncompliance1_default_only",
        "noncompliance2_no_routes",
        "noncompliance3_message_routes_only",
        "noncompliance4_connect_of_another_api",
        "noncompliance5_connect_without_authorization",
    ],
)
def test_websocket_connect(resources: list[PolicyResource], messages: Reports) -> None:
    assert run_stack(ag.ROUTES_AUTHORIZED, resources, None) == messages


def test_an_unknown_route_key_leaves_the_api_undecided() -> None:
    """A route key not known yet might be $connect: noted as unknown (UnknownValueError), not a finding."""
    unknown = PolicyResource(
        ag.ROUTE_V2,
        unknown_checking_proxy({"apiId": "x", "routeKey": UNKNOWN_STRING_VALUE}),  # type: ignore[arg-type]
        urn(ag.ROUTE_V2, "r9"),
        "r9",
        None,  # type: ignore[arg-type]
        None,
        None,
        [],
        {"apiId": [WS]},
    )
    reports: Reports = []
    args = StackValidationArgs([WS, unknown], None)
    with pytest.raises(UnknownValueError):
        ag.ROUTES_AUTHORIZED.validate(args, lambda message, urn=None: reports.append((message, urn)))
    assert NO_CONNECT not in reports
