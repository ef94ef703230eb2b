"""EventBus: encrypted bus, archive, schema registry from the runtime's models, rules with retry and DLQ."""

from __future__ import annotations

import json

from components.events import platform_event_schemas, to_draft4
from tests.components.conftest import REPO_ROOT, RunProgram, only, policy_of

PROGRAM = f"""
from components.kms import StackKey
from components.events import EventBus
from components.function import Function, FunctionArgs
key = StackKey("key", settings)
bus = EventBus("bus", settings, key=key)
fn_args = FunctionArgs(handler="functions.deliver.handler.lambda_handler", code_root={str(REPO_ROOT)!r})
fn = Function("deliver", settings, fn_args, key=key)
machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
bus.route_to_function("deliver", {{"detail-type": ["DecisionMade"]}}, fn)
bus.route_to_state_machine("requests", {{"detail-type": ["RequestReceived"]}}, machine)
"""


def test_bus_archive_and_schemas(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    bus = only(graph, "aws:cloudwatch/eventBus:EventBus")
    assert bus.inputs["kmsKeyIdentifier"].startswith("arn:aws:kms:")
    archive = only(graph, "aws:cloudwatch/eventArchive:EventArchive")
    assert archive.inputs["retentionDays"] == 14
    assert archive.inputs["eventSourceArn"] == bus.outputs["arn"]
    schemas = graph.of_type("aws:schemas/schema:Schema")
    assert sorted(s.inputs["name"] for s in schemas) == sorted(
        f"agentic.platform@{t}"
        for t in ("RequestReceived", "ModelAnswered", "DecisionMade", "EscalationRequested", "ResultDelivered")
    )
    for schema in schemas:
        assert schema.inputs["type"] == "JSONSchemaDraft4"
        content = json.loads(schema.inputs["content"])
        assert content["$schema"] == "http://json-schema.org/draft-04/schema#"
        assert "$defs" not in json.dumps(content)


def test_every_target_retries_and_dead_letters(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    targets = graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert len(targets) == 2
    for target in targets:
        assert target.inputs["retryPolicy"] == {"maximumRetryAttempts": 8, "maximumEventAgeInSeconds": 3600}
        assert target.inputs["deadLetterConfig"]["arn"].endswith(":agentic-platform-dev-bus-dlq")
    rules = {r.name: json.loads(r.inputs["eventPattern"]) for r in graph.of_type("aws:cloudwatch/eventRule:EventRule")}
    assert rules["bus-deliver"] == {"detail-type": ["DecisionMade"], "source": ["agentic.platform"]}
    permission = only(graph, "aws:lambda/permission:Permission")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    # A rule on a custom bus: rule/<bus>/<rule> (SAR resource type rule-on-custom-event-bus).
    assert permission.inputs["sourceArn"].endswith("rule/agentic-platform-dev-bus/agentic-platform-dev-bus-deliver")
    start = next(n for n in graph.of_type("aws:iam/rolePolicy:RolePolicy") if n.name == "bus-requests-start-execution")
    assert policy_of(start)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": ["arn:aws:states:us-east-1:123456789012:stateMachine:m"],
        }
    ]
    dlq_policy = next(n for n in graph.of_type("aws:sqs/queuePolicy:QueuePolicy") if n.name == "bus-dlq-policy")
    allow = next(s for s in policy_of(dlq_policy)["Statement"] if s["Effect"] == "Allow")
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":rule/agentic-platform-dev-bus/*")


def test_draft4_conversion() -> None:
    converted = to_draft4(
        {"$defs": {"A": {"const": "1"}}, "properties": {"a": {"$ref": "#/$defs/A"}, "n": {"exclusiveMinimum": 0}}}
    )
    assert converted["definitions"] == {"A": {"enum": ["1"]}}
    assert converted["properties"]["a"] == {"$ref": "#/definitions/A"}
    assert converted["properties"]["n"] == {"minimum": 0, "exclusiveMinimum": True}
    assert set(platform_event_schemas()) == {
        "RequestReceived",
        "ModelAnswered",
        "DecisionMade",
        "EscalationRequested",
        "ResultDelivered",
    }
