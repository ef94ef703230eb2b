"""api-throttling at the smallest limits API Gateway accepts (a burst of 1, a rate of 1 or below it) and with a
route whose key is not known yet (bench/MUTATION.md, run E).

A stage, method setting or usage plan with limits of 1 request does throttle; only 0 (which blocks every
request) and a missing or non-numeric limit count as no throttling (the table beside this file).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyResource

from policies.rules import apigateway as ag
from tests.policies.rules.calls import resource, run_stack, urn

HTTP = resource(ag.API_V2, "http", {"protocolType": "HTTP", "id": "h1"})
REST = resource(ag.REST_API, "rest", {"id": "r1"})
STAGE_FIX = (
    "http: no stage throttles every route (defaultRouteSettings, or routeSettings for each route).",
    urn(ag.API_V2, "http"),
)


def _stage(**props: Any) -> PolicyResource:
    return resource(ag.STAGE_V2, "stage", {"apiId": "x", **props}, {"apiId": [HTTP]})


@pytest.mark.parametrize(
    ("burst", "rate"), [(1, 5.0), (10, 1), (1, 0.5)], ids=["ok1_burst_of_one", "ok2_rate_of_one", "ok3_below_one"]
)
def test_the_smallest_limits_throttle(burst: float, rate: float) -> None:
    stage = _stage(defaultRouteSettings={"throttlingBurstLimit": burst, "throttlingRateLimit": rate})
    assert run_stack(ag.THROTTLING, [HTTP, stage], None) == []
    settings = resource(
        ag.METHOD_SETTINGS,
        "ms",
        {"restApi": "x", "settings": {"throttlingBurstLimit": burst, "throttlingRateLimit": rate}},
        {"restApi": [REST]},
    )
    assert run_stack(ag.THROTTLING, [REST, settings], None) == []
    plan = resource(
        ag.USAGE_PLAN,
        "plan",
        {"apiStages": [{"apiId": "r1"}], "throttleSettings": {"burstLimit": burst, "rateLimit": rate}},
    )
    assert run_stack(ag.THROTTLING, [REST, plan], None) == []


def _route(name: str, **props: Any) -> PolicyResource:
    return resource(ag.ROUTE_V2, name, {"apiId": "x", **props}, {"apiId": [HTTP]})


LIMITS = {"throttlingBurstLimit": 10, "throttlingRateLimit": 5}


def test_ok4_a_route_without_a_key_is_not_held_against_per_route_limits() -> None:
    others = [_route("a", routeKey="GET /a"), _route("b"), _stage(routeSettings=[{"routeKey": "GET /a", **LIMITS}])]
    assert run_stack(ag.THROTTLING, [HTTP, *others], None) == []


def test_bad1_only_keyless_routes_leave_the_api_unthrottled() -> None:
    others = [_route("b"), _stage(routeSettings=[{"routeKey": "GET /a", **LIMITS}])]
    assert run_stack(ag.THROTTLING, [HTTP, *others], None) == [STAGE_FIX]
