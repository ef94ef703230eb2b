"""The template's dev and prod stacks: every component, and no idle-charged resources in dev."""

from __future__ import annotations

import pytest

from functions.shared import constants as c
from preflight.engine import synthesize
from preflight.graph import ResourceGraph
from tests.components.conftest import REPO_ROOT

COMPONENTS = {
    "agentic:security:StackKey",
    "agentic:governance:GovernanceBaseline",
    "agentic:storage:Storage",
    "agentic:escalation:Escalation",
    "agentic:events:EventBus",
    "agentic:function:Function",
    "agentic:workflow:Workflow",
    "agentic:api:Api",
    "agentic:guardrail:Guardrail",
    "agentic:knowledge:KnowledgeBase",
    "agentic:agent:Agent",
    "agentic:prompts:Prompts",
    "agentic:observability:Observability",
}

#: Resource types that bill while idle (instances, clusters, provisioned capacity, NAT).
IDLE_CHARGED = {
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/instance:Instance",
    "aws:opensearch/domain:Domain",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:rds/cluster:Cluster",
    "aws:rds/instance:Instance",
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
    "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput",
    "aws:sagemaker/endpoint:Endpoint",
    "aws:elasticache/cluster:Cluster",
}


@pytest.fixture(scope="module", params=["dev", "prod"])
def graph(request: pytest.FixtureRequest) -> ResourceGraph:
    return synthesize(REPO_ROOT, request.param)


def test_every_component_is_present(graph: ResourceGraph) -> None:
    types = {r.type for r in graph.resources}
    assert types >= COMPONENTS
    functions = {r.name for r in graph.of_type("agentic:function:Function")}
    assert functions == {"ingest", "router", "decide", "deliver"}


def test_no_idle_charged_resources(graph: ResourceGraph) -> None:
    assert not [r.type for r in graph.custom_resources if r.type in IDLE_CHARGED]
    for fn in graph.of_type("aws:lambda/function:Function"):
        assert "reservedConcurrentExecutions" not in fn.inputs
        assert "vpcConfig" not in fn.inputs
    for table in graph.of_type("aws:dynamodb/table:Table"):
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"


def test_functions_are_wired(graph: ResourceGraph) -> None:
    fns = {f.inputs["name"].rsplit("-", 1)[-1]: f.inputs for f in graph.of_type("aws:lambda/function:Function")}
    assert fns["router"]["environment"]["variables"]["MAX_TIER"] in ("lite", "premier")
    assert fns["ingest"]["handler"] == "functions.ingest.handler.lambda_handler"
    assert "WEBSOCKET_ENDPOINT" in fns["deliver"]["environment"]["variables"]
    assert fns["decide"]["environment"]["variables"]["AUDIT_TABLE_NAME"].endswith("-audit")


def test_orchestrators_meet_only_on_the_bus(graph: ResourceGraph) -> None:
    targets = graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert any(":stateMachine:" in t.inputs["arn"] for t in targets)
    agent = graph.of_type("aws:bedrock/agentAgent:AgentAgent")[0]
    assert "states" not in str(agent.inputs)


def test_prod_differs_where_settings_say(graph: ResourceGraph) -> None:
    agent = graph.of_type("aws:bedrock/agentAgent:AgentAgent")[0]
    assert agent.inputs["foundationModel"] == "amazon.nova-lite-v1:0"
    groups = graph.of_type("aws:cloudwatch/logGroup:LogGroup")
    retention = {g.inputs["retentionInDays"] for g in groups}
    assert retention == ({14} if graph.stack == "dev" else {365})


def test_tables_expire_items_through_the_attribute_the_code_writes(graph: ResourceGraph) -> None:
    """DynamoDB TTL reads one attribute; it must be the one the runtime (and Powertools) writes."""
    ttl = {
        node.inputs["name"].removeprefix(f"agentic-platform-{graph.stack}-"): (node.inputs.get("ttl") or {}).get(
            "attributeName"
        )
        for node in graph.of_type("aws:dynamodb/table:Table")
    }
    assert ttl["response-cache"] == c.TTL_ATTR
    assert ttl["audit"] == c.TTL_ATTR
    assert ttl["idempotency"] == "expiration"  # Powertools DynamoDBPersistenceLayer's expiry_attr default


def test_function_bundles_carry_code_prompts_and_pyyaml(graph: ResourceGraph) -> None:
    """The router loads prompts with PyYAML, which the Lambda runtime and Powertools layer lack."""
    for fn in graph.of_type("aws:lambda/function:Function"):
        assets = fn.inputs["code"]["assets"]
        assert set(assets) == {"functions", "prompts", "yaml"}, fn.name
        assert assets["yaml"]["path"].endswith("yaml")
