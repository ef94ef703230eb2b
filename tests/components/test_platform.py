"""The template's dev and prod stacks: every component, and no idle-charged resources in dev."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.platform import ACTIONS_SCHEMA_FILE
from functions.shared import constants as c
from preflight.engine import synthesize
from preflight.graph import ResourceGraph
from tests.components.conftest import REPO_ROOT, only, policy_of

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
    # The WebSocket API's $connect authorizer and $connect/$disconnect handler (issue 12 §2): on in both stacks.
    core = {"ingest", "router", "decide", "deliver", "actions", "api-ws-authorizer", "api-ws-connections"}
    # The edge tier (features.edge) adds the core's variant writer: on in prod's example config, off in dev.
    assert functions == (core | {"variants"} if graph.stack == "prod" else core)
    assert bool(graph.of_type("agentic:edge:EdgeDelivery")) == (graph.stack == "prod")


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


def test_function_bundles_carry_compiled_prompts_and_no_pyyaml(graph: ResourceGraph) -> None:
    """The router reads its prompt as JSON compiled at deploy time, so no package carries PyYAML
    (every package's contents: tests/components/test_bundle.py)."""
    [router] = [f for f in graph.of_type("aws:lambda/function:Function") if f.name == "router"]
    assert "functions/shared/templates/answer/v1.json" in router.inputs["code"]["assets"]
    for fn in graph.of_type("aws:lambda/function:Function"):
        assert not any(name.split("/")[0] in {"yaml", "_yaml"} for name in fn.inputs["code"]["assets"]), fn.name
        verifier = fn.inputs["handler"] == "functions.connections.authorizer.lambda_handler"
        # The $connect authorizer alone carries PyJWT's pure-Python files (components/api.py AUTHORIZER_PACKAGES).
        assert any(name.startswith("jwt/") for name in fn.inputs["code"]["assets"]) == verifier, fn.name


def _role_statements(graph: ResourceGraph, role_name: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for node in graph.of_type("aws:iam/rolePolicy:RolePolicy"):
        if node.inputs["role"] == role_name:
            policy = node.inputs["policy"]
            statements.extend((json.loads(policy) if isinstance(policy, str) else policy)["Statement"])
    return statements


def test_agent_action_group_is_the_actions_function(graph: ResourceGraph) -> None:
    """The agent's one tool is `actions`, described by the committed OpenAPI schema, invocable only by it."""
    [actions] = [f for f in graph.of_type("aws:lambda/function:Function") if f.name == "actions"]
    assert actions.inputs["handler"] == "functions.actions.handler.lambda_handler"
    [group] = graph.of_type("aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup")
    agent = graph.of_type("aws:bedrock/agentAgent:AgentAgent")[0]
    assert group.inputs["actionGroupExecutor"] == {"lambda": actions.outputs["arn"]}
    assert group.inputs["agentId"] == agent.outputs["agentId"]
    assert group.inputs["actionGroupState"] == "ENABLED"
    assert group.inputs["apiSchema"]["payload"] == ACTIONS_SCHEMA_FILE.read_text(encoding="utf-8")
    assert "functionSchema" not in group.inputs
    [permission] = [
        p for p in graph.of_type("aws:lambda/permission:Permission") if p.inputs["function"] == actions.inputs["name"]
    ]
    assert permission.inputs["principal"] == "bedrock.amazonaws.com"
    assert permission.inputs["sourceArn"] == agent.outputs["agentArn"]
    env = actions.inputs["environment"]["variables"]
    assert env[c.ENV_EVENT_BUS_NAME] == f"agentic-platform-{graph.stack}-bus"
    assert env[c.ENV_AUDIT_TABLE_NAME] == f"agentic-platform-{graph.stack}-audit"
    assert env[c.ENV_IDEMPOTENCY_TABLE_NAME] == f"agentic-platform-{graph.stack}-idempotency"


def test_actions_role_can_only_put_events_on_the_bus(graph: ResourceGraph) -> None:
    """The hand-off is an event on the bus: no other events action, no other bus, no workflow access."""
    [actions] = [f for f in graph.of_type("aws:lambda/function:Function") if f.name == "actions"]
    statements = _role_statements(graph, f"{actions.inputs['name']}-fn")
    bus_arn = only(graph, "aws:cloudwatch/eventBus:EventBus").outputs["arn"]
    events = [s for s in statements if any(str(a).startswith("events:") for a in s["Action"])]
    assert events == [{"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": [bus_arn]}]
    granted = {str(a) for s in statements for a in s["Action"]}
    assert not {a for a in granted if a.startswith(("states:", "lambda:", "sns:", "s3:", "bedrock:Invoke"))}
    assert granted == {
        "events:PutEvents",
        "bedrock:ApplyGuardrail",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    # The audit table: read its records and append each submission's `submitted` record (PutItem only, never a
    # rewrite or delete; functions/actions/submissions.py), which scopes status lookups to the session.
    audit_arn = next(t for t in graph.of_type("aws:dynamodb/table:Table") if t.name == "storage-audit").outputs["arn"]
    on_audit = [s for s in statements if audit_arn in s["Resource"]]
    assert on_audit == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            "Resource": [audit_arn],
        }
    ]


def test_model_spend_alarm_in_every_stack(graph: ResourceGraph) -> None:
    budget = 50 if graph.stack == "dev" else 500
    [alarm] = [
        a for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.name == "observability-model-spend"
    ]
    router = next(f for f in graph.of_type("aws:lambda/function:Function") if f.name == "router")
    env = router.inputs["environment"]["variables"]
    assert alarm.inputs["namespace"] == env["POWERTOOLS_METRICS_NAMESPACE"]
    assert alarm.inputs["dimensions"] == {"service": env["POWERTOOLS_SERVICE_NAME"]}
    assert alarm.inputs["metricName"] == "EstimatedCostUSD"
    assert alarm.inputs["threshold"] == pytest.approx(budget / 30)


def test_sdk_calls_give_up_inside_each_function_timeout(graph):
    """Issue 12 §2: every SDK call (all attempts) ends before its function's timeout, so the handler records
    why it failed instead of being killed half-way through its effects."""
    from functions.edge.handler import worst_case_seconds as edge_worst_case  # noqa: PLC0415
    from functions.shared.aws import worst_case_call_seconds  # noqa: PLC0415

    functions = {f.name: f.inputs for f in graph.of_type("aws:lambda/function:Function")}
    assert {"ingest", "router", "decide", "deliver"} <= set(functions)
    for name, inputs in functions.items():
        if inputs["handler"].startswith("functions.edge."):
            # Lambda@Edge ships without functions.shared and cannot take environment variables: its SDK
            # limits are set in its own code (functions/edge/handler.py), for all its calls together.
            slowest = edge_worst_case()
        else:
            slowest = worst_case_call_seconds("bedrock-runtime" if name == "router" else "dynamodb")
        assert slowest < inputs["timeout"], (name, slowest, inputs["timeout"])
    # Review F2: the router's first tier gets the unbounded model limits and still leaves its publishing margin.
    from functions.router.engine import PUBLISH_MARGIN_SECONDS  # noqa: PLC0415
    from functions.shared.aws import MODEL_LIMITS, model_limits_within  # noqa: PLC0415

    router_timeout = functions["router"]["timeout"]
    assert MODEL_LIMITS.worst_case_seconds + PUBLISH_MARGIN_SECONDS < router_timeout
    assert model_limits_within(router_timeout - PUBLISH_MARGIN_SECONDS) == MODEL_LIMITS


def test_the_router_calls_exactly_the_models_its_role_may_invoke(graph):
    """Issue 9 §5: the router's model list and its bedrock:InvokeModel grant are the same set of models."""
    [router] = [f for f in graph.of_type("aws:lambda/function:Function") if f.name == "router"]
    model_ids = json.loads(router.inputs["environment"]["variables"][c.ENV_MODEL_IDS])
    statements = _role_statements(graph, f"{router.inputs['name']}-fn")
    granted = [str(r) for s in statements if "bedrock:InvokeModel" in s["Action"] for r in s["Resource"]]
    invoked = {model_id for model_id in model_ids.values() if any(model_id in arn for arn in granted)}
    assert invoked == set(model_ids.values())
    allowed = {"dev": ["micro", "lite"], "prod": ["micro", "lite", "pro", "premier"]}[graph.stack]
    assert list(model_ids) == allowed


def test_the_variant_writer_is_alarmed_like_the_core(graph: ResourceGraph) -> None:
    """A failing writer leaves viewers on the default page without a sound: its dead-letter queue is alarmed in
    every stack with the edge, and in prod its errors, throttles and latency like every core function's."""
    alarms = {a.name for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    if graph.stack != "prod":
        assert not {a for a in alarms if "variants" in a}
        return
    assert "observability-dlq-variants" in alarms
    assert {a for a in alarms if a.startswith("observability-") and a.endswith("-variants")} >= {
        "observability-dlq-variants",
        "observability-errors-variants",
    }


def test_the_workflow_reaches_its_failure_path_before_its_execution_timeout(graph: ResourceGraph) -> None:
    """Issue 12 (rtmisc #4): a TIMED_OUT execution runs no Catch (no outcome, no review case). Each Lambda task
    times out with the function it invokes, as the plan deploys it, and the slowest path of the deployed
    definition, every retry used up and the failure path included, ends before the execution timeout."""
    from components import asl  # noqa: PLC0415

    (machine,) = graph.of_type("aws:sfn/stateMachine:StateMachine")
    definition = json.loads(machine.inputs["definition"])
    functions = {f.inputs["name"]: f.inputs["timeout"] for f in graph.of_type("aws:lambda/function:Function")}
    lambda_tasks = {n: t for n, t in asl.task_states(definition).items() if t["Resource"] == asl.LAMBDA_INVOKE}
    assert set(lambda_tasks) == {"Route", "Decide"}
    for name, task in lambda_tasks.items():
        function_name = task["Parameters"]["FunctionName"].rsplit(":", 1)[-1]
        assert task["TimeoutSeconds"] == functions[function_name], name
    # An independent floor, so a worst case that forgot retries cannot pass (the execution timeout is computed
    # from the worst case itself): every attempt each retrier allows (ASL's default MaxAttempts is 3), at the task's
    # timeout, for each Lambda task.
    floor = sum(
        task["TimeoutSeconds"] * (1 + sum(r.get("MaxAttempts", 3) for r in task.get("Retry", [])))
        for task in lambda_tasks.values()
    )
    assert floor <= asl.worst_case_seconds(definition) < definition["TimeoutSeconds"]
    alarms = {a.name for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert ("observability-sfn-timed-out-pipeline" in alarms) == (graph.stack == "prod")


def test_every_writer_of_a_requests_audit_records_has_one_retention(graph: ResourceGraph) -> None:
    """rtmisc #2: ingest and the agent's actions stamp RequestReceived with the expiry of the workflow's
    failure-path records: from the same AUDIT_RETENTION_DAYS as decide's and deliver's records."""
    functions = graph.of_type("aws:lambda/function:Function")
    env = {f.name: f.inputs.get("environment", {}).get("variables", {}) for f in functions}
    retention = {name: env[name].get(c.ENV_AUDIT_RETENTION_DAYS) for name in ("ingest", "actions", "decide", "deliver")}
    assert set(retention.values()) == {"2557" if graph.stack == "prod" else "90"}, retention


def test_alarms_go_to_the_operators_topic_never_to_the_reviewers(graph: ResourceGraph) -> None:
    """Issue 12: the review queue takes only reviewers' notices (functions/shared/review.py), so no alarm names
    the escalation topic in any of its actions; they all notify the alert topic the stack's e-mails get. The
    escalation topic's policy admits no service at all: only decide's role and the state machine's role publish
    to it, through their identity policies."""
    topics = {t.name: t.outputs["arn"] for t in graph.of_type("aws:sns/topic:Topic")}
    escalation, alerts = topics["escalation-topic"], topics["budget-alerts"]
    alarms = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(alarms) >= 10
    for alarm in alarms:
        for actions in ("alarmActions", "okActions", "insufficientDataActions"):
            assert escalation not in (alarm.inputs.get(actions) or []), (alarm.name, actions)
        assert alarm.inputs["alarmActions"] == [alerts], alarm.name
    [escalation_policy] = [p for p in graph.of_type("aws:sns/topicPolicy:TopicPolicy") if p.inputs["arn"] == escalation]
    assert [s for s in policy_of(escalation_policy)["Statement"] if s["Effect"] == "Allow"] == []
    [alert_policy] = [p for p in graph.of_type("aws:sns/topicPolicy:TopicPolicy") if p.inputs["arn"] == alerts]
    publishers = {s["Principal"]["Service"] for s in policy_of(alert_policy)["Statement"] if s["Effect"] == "Allow"}
    assert publishers == {"budgets.amazonaws.com", "cloudwatch.amazonaws.com"}

    role_names = {r.outputs["arn"]: r.inputs["name"] for r in graph.of_type("aws:iam/role:Role")}
    decide = next(f for f in graph.of_type("aws:lambda/function:Function") if f.name == "decide")
    (machine,) = graph.of_type("aws:sfn/stateMachine:StateMachine")
    publishing_roles = {
        node.inputs["role"]
        for node in graph.of_type("aws:iam/rolePolicy:RolePolicy")
        for statement in policy_of(node)["Statement"]
        if escalation in statement["Resource"] and "sns:Publish" in statement["Action"]
    }
    assert publishing_roles == {role_names[decide.inputs["role"]], role_names[machine.inputs["roleArn"]]}
