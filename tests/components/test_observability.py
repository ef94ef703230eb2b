"""Observability: few alarms in dev, per-function alarms and a dashboard in prod, all to a topic."""

from __future__ import annotations

import json

import pytest

from preflight.errors import ProgramError
from tests.components.conftest import RunProgram, only

PROGRAM = """
from components.kms import StackKey
from components.escalation import Escalation
from components.observability import Observability
key = StackKey("key", settings)
escalation = Escalation("escalation", settings, key=key)
Observability(
    "observability", settings, escalation=escalation,
    function_names={"ingest": "agentic-platform-%s-ingest" % settings.environment,
                    "router": "agentic-platform-%s-router" % settings.environment},
    dead_letter_queues={"ingest": "agentic-platform-%s-ingest-dlq" % settings.environment},
    state_machine_arns={"pipeline": "arn:aws:states:us-east-1:123456789012:stateMachine:p"},
    guardrails={"default": ("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc", "1")},
)
"""


def _alarms(graph):  # type: ignore[no-untyped-def]
    return {n.name.removeprefix("observability-"): n for n in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


def test_dev_alarms_are_few_and_go_to_escalation(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    alarms = _alarms(graph)
    assert set(alarms) == {
        "lambda-errors",
        "lambda-throttles",
        "dlq-ingest",
        "sfn-failed-pipeline",
        "guardrail-default",
    }
    topic_arn = only(graph, "aws:sns/topic:Topic").outputs["arn"]
    for alarm in alarms.values():
        assert alarm.inputs["alarmActions"] == [topic_arn]
        assert alarm.inputs["treatMissingData"] == "notBreaching"
    dlq = alarms["dlq-ingest"].inputs
    assert dlq["namespace"] == "AWS/SQS"
    assert dlq["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert dlq["dimensions"] == {"QueueName": "agentic-platform-dev-ingest-dlq"}
    guard = alarms["guardrail-default"].inputs
    assert guard["metricName"] == "InvocationsIntervened"
    assert graph.of_type("aws:cloudwatch/dashboard:Dashboard") == []  # dev: features.dashboard false


def test_prod_adds_per_function_alarms_spend_and_dashboard(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, stack="prod")
    alarms = _alarms(graph)
    for fn in ("ingest", "router"):
        assert {f"errors-{fn}", f"throttles-{fn}", f"latency-{fn}"} <= set(alarms)
    latency = alarms["latency-ingest"].inputs
    assert latency["extendedStatistic"] == "p99"
    assert "statistic" not in latency
    spend = alarms["estimated-charges"].inputs
    assert spend["namespace"] == "AWS/Billing"
    assert spend["dimensions"] == {"Currency": "USD"}
    assert spend["threshold"] == 500
    dashboard = only(graph, "aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    assert body["widgets"][0]["properties"]["metrics"][0] == [
        "AWS/Lambda",
        "Invocations",
        "FunctionName",
        "agentic-platform-prod-ingest",
    ]


def test_alarm_destination_required(run_program: RunProgram) -> None:
    with pytest.raises(ProgramError, match="escalation"):
        run_program(
            """
            from components.observability import Observability
            Observability("observability", settings)
            """
        )
