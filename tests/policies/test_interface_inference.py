"""API Gateway and Bedrock policies: good and bad cases per policy."""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
throttle = {"throttling_burst_limit": 20, "throttling_rate_limit": 10}
logs = {"destination_arn": "arn:aws:logs:us-east-1:123456789012:log-group:access", "format": "{}"}

http = aws.apigatewayv2.Api("good_http", protocol_type="HTTP")
aws.apigatewayv2.Route("good_route", api_id=http.id, route_key="POST /ask", authorization_type="JWT",
                       authorizer_id="auth")
aws.apigatewayv2.Route("bad_route", api_id=http.id, route_key="GET /open")
aws.apigatewayv2.Stage("good_stage", api_id=http.id, name="$default", access_log_settings=logs,
                       default_route_settings=throttle)

ws = aws.apigatewayv2.Api("bad_ws_unthrottled", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
aws.apigatewayv2.Route("bad_connect", api_id=ws.id, route_key="$connect", authorization_type="NONE")
aws.apigatewayv2.Route("good_ws_message", api_id=ws.id, route_key="sendMessage")
aws.apigatewayv2.Stage("bad_stage_no_logs", api_id=ws.id, name="live")

rest = aws.apigateway.RestApi("good_rest")
aws.apigateway.Method("bad_method", rest_api=rest.id, resource_id="r", http_method="GET", authorization="NONE")
aws.apigateway.Method("good_method", rest_api=rest.id, resource_id="r", http_method="POST", authorization="AWS_IAM")
aws.apigateway.Method("good_options", rest_api=rest.id, resource_id="r", http_method="OPTIONS", authorization="NONE")
aws.apigateway.MethodSettings("settings", rest_api=rest.id, stage_name="v1", method_path="*/*",
                              settings={"throttling_burst_limit": 5, "throttling_rate_limit": 2})
aws.apigateway.RestApi("bad_rest_unthrottled")

role = "arn:aws:iam::123456789012:role/agent"
filters = [{"type": t, "input_strength": "HIGH", "output_strength": "HIGH"}
           for t in ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")]
prompt_attack = {"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"}
pii = {"pii_entities_configs": [{"type": "EMAIL", "action": "ANONYMIZE"}]}
guard = aws.bedrock.Guardrail("good_guardrail", blocked_input_messaging="no", blocked_outputs_messaging="no",
    content_policy_config={"filters_configs": filters + [prompt_attack]}, sensitive_information_policy_config=pii)
aws.bedrock.Guardrail("bad_guardrail_empty", blocked_input_messaging="no", blocked_outputs_messaging="no")
aws.bedrock.Guardrail("bad_guardrail_weak", blocked_input_messaging="no", blocked_outputs_messaging="no",
    content_policy_config={"filters_configs": filters[:2] + [{**prompt_attack, "input_strength": "NONE"}]},
    sensitive_information_policy_config={"regexes_configs": [{"name": "id", "pattern": "[0-9]{9}", "action": "BLOCK"}]})
aws.bedrock.AgentAgent("good_agent", agent_name="good", agent_resource_role_arn=role,
    foundation_model="amazon.nova-micro-v1:0",
    guardrail_configurations=[{"guardrail_identifier": guard.guardrail_id, "guardrail_version": "1"}])
aws.bedrock.AgentAgent("good_agent_profile", agent_name="profile", agent_resource_role_arn=role,
    foundation_model="us.amazon.nova-lite-v1:0",
    guardrail_configurations=[{"guardrail_identifier": guard.guardrail_id, "guardrail_version": "1"}])
aws.bedrock.AgentAgent("bad_agent", agent_name="bad", agent_resource_role_arn=role,
    foundation_model="amazon.nova-premier-v1:0")
aws.bedrock.InferenceProfile("bad_profile", name="p", model_source={
    "copy_from": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"})
"""

CASES = [
    (
        "api-routes-authorized",
        {"bad_route", "bad_connect", "bad_method"},
        {"good_route", "good_ws_message", "good_method", "good_options"},
    ),
    ("api-throttling", {"bad_ws_unthrottled", "bad_rest_unthrottled"}, {"good_http", "good_rest"}),
    ("api-access-logging", {"bad_stage_no_logs"}, {"good_stage"}),
    ("bedrock-agent-guardrail", {"bad_agent"}, {"good_agent", "good_agent_profile"}),
    ("bedrock-guardrail-prompt-attack-filter", {"bad_guardrail_empty", "bad_guardrail_weak"}, {"good_guardrail"}),
    ("bedrock-guardrail-content-filters", {"bad_guardrail_empty", "bad_guardrail_weak"}, {"good_guardrail"}),
    ("bedrock-guardrail-pii-policy", {"bad_guardrail_empty"}, {"good_guardrail", "bad_guardrail_weak"}),
]
ALLOWED = {"allowedModelIds": ["amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0"]}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("interface"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_allowed_models_reads_the_stack_list(graph: ResourceGraph) -> None:
    assert flagged(graph, "bedrock-allowed-models", ALLOWED) == {"bad_agent", "bad_profile"}
    everything = {"allowedModelIds": [*ALLOWED["allowedModelIds"], "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0"]}
    assert flagged(graph, "bedrock-allowed-models", everything) == set()
    assert flagged(graph, "bedrock-allowed-models", {}) == set()  # no list configured: nothing to compare
