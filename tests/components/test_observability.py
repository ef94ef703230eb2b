"""Observability: few alarms in dev, per-function alarms and a dashboard in prod, all to the given alarm topic."""

from __future__ import annotations

import json

import pytest
import yaml

from preflight.errors import ProgramError
from tests.components.conftest import REPO_ROOT, RunProgram, only

PROGRAM = """
from components.kms import StackKey
from components.observability import Observability
from components.queues import encrypted_topic
key = StackKey("key", settings)
alerts, _ = encrypted_topic("alerts", settings, key=key, parent=key, publishers=[("cloudwatch.amazonaws.com", None)])
Observability(
    "observability", settings, alarm_topic_arn=alerts.arn,
    function_names={"ingest": "agentic-platform-%s-ingest" % settings.environment,
                    "router": "agentic-platform-%s-router" % settings.environment},
    dead_letter_queues={"ingest": "agentic-platform-%s-ingest-dlq" % settings.environment},
    state_machine_arns={"pipeline": "arn:aws:states:us-east-1:123456789012:stateMachine:p"},
    guardrails={"default": ("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc", "1")},
)
"""


def _alarms(graph):  # type: ignore[no-untyped-def]
    return {n.name.removeprefix("observability-"): n for n in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


def test_dev_alarms_are_few_and_go_to_the_alarm_topic(run_program: RunProgram) -> None:
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
    # A timed-out execution runs no failure path (no outcome, no review case): alarmed in prod (rtmisc #4).
    timed_out = alarms["sfn-timed-out-pipeline"].inputs
    assert (timed_out["namespace"], timed_out["metricName"]) == ("AWS/States", "ExecutionsTimedOut")
    assert set(timed_out["dimensions"]) == {"StateMachineArn"}
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
    """No default destination: falling back to the escalation topic put alarms in the reviewers' queue (issue 12)."""
    with pytest.raises(ProgramError, match="alarm_topic_arn"):
        run_program(
            """
            from components.observability import Observability
            Observability("observability", settings)
            """
        )
    # ... and the escalation topic is no destination: Observability takes no `escalation=` to fall back to.
    with pytest.raises(ProgramError, match="escalation"):
        run_program(
            """
            from components.kms import StackKey
            from components.escalation import Escalation
            from components.observability import Observability
            key = StackKey("key", settings)
            Observability("observability", settings, escalation=Escalation("escalation", settings, key=key))
            """
        )


SPEND_PROGRAM = PROGRAM.replace(
    'guardrails={"default": ("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc", "1")},',
    'guardrails={"default": ("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc", "1")},\n'
    '    model_spend=ModelSpendMetric(namespace=settings.metrics_namespace, service="router"),',
).replace(
    "from components.observability import Observability",
    "from components.observability import ModelSpendMetric, Observability",
)


@pytest.mark.parametrize(("stack", "monthly_usd"), [("dev", 50), ("prod", 500)])
def test_model_spend_alarm_sums_a_day_of_router_cost_against_the_budget(
    run_program: RunProgram, stack: str, monthly_usd: float
) -> None:
    graph = run_program(SPEND_PROGRAM, stack=stack)
    spend = _alarms(graph)["model-spend"].inputs
    # What Powertools Metrics emits for the router: namespace POWERTOOLS_METRICS_NAMESPACE (application/stack,
    # so each stack's alarm sees its own spend), default dimension service = POWERTOOLS_SERVICE_NAME.
    assert spend["namespace"] == f"agentic-platform/{stack}"
    assert spend["metricName"] == "EstimatedCostUSD"
    assert spend["dimensions"] == {"service": "router"}
    assert spend["statistic"] == "Sum"
    assert spend["period"] == 86_400
    assert spend["evaluationPeriods"] == 1
    assert spend["threshold"] == pytest.approx(monthly_usd / 30)
    assert spend["comparisonOperator"] == "GreaterThanThreshold"
    assert spend["treatMissingData"] == "notBreaching"  # an idle stack spends nothing and stays quiet
    assert spend["alarmActions"] == [only(graph, "aws:sns/topic:Topic").outputs["arn"]]


def test_model_spend_threshold_follows_the_budget_setting(run_program: RunProgram) -> None:
    stack_file = yaml.safe_load((REPO_ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    budget = {**stack_file["config"]["agentic-platform:budget"], "monthlyUsd": 9}
    graph = run_program(SPEND_PROGRAM, overrides={"budget": budget})
    assert _alarms(graph)["model-spend"].inputs["threshold"] == pytest.approx(0.3)


def test_model_spend_alarm_only_when_the_metric_is_given(run_program: RunProgram) -> None:
    assert "model-spend" not in _alarms(run_program(PROGRAM))


def test_router_emits_the_metric_the_alarm_watches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alarm's namespace/metric/dimension set is exactly one the router's EMF output carries."""
    from aws_lambda_powertools import Metrics  # noqa: PLC0415
    from aws_lambda_powertools.metrics import MetricUnit  # noqa: PLC0415

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "agentic-platform/dev")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "router")
    metrics = Metrics()
    metrics.clear_metrics()  # Powertools shares the metric set across instances
    metrics.add_metric(name="EstimatedCostUSD", unit=MetricUnit.NoUnit, value=0.25)  # as the router does
    blob = metrics.serialize_metric_set()
    metrics.clear_metrics()
    [directive] = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "agentic-platform/dev"
    assert directive["Dimensions"] == [["service"]]
    assert blob["service"] == "router"
    assert blob["EstimatedCostUSD"] == [0.25]
    source = (REPO_ROOT / "functions" / "router" / "handler.py").read_text(encoding="utf-8")
    assert 'metrics.add_metric(name="EstimatedCostUSD"' in source


def test_dev_alarm_count_stays_in_the_free_tier() -> None:
    """Dev's idle cost: the model spend alarm is the tenth alarm, the last one the free tier covers."""
    from preflight.engine import synthesize  # noqa: PLC0415

    graph = synthesize(REPO_ROOT, "dev")
    alarms = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert "observability-model-spend" in {a.name for a in alarms}
    assert len(alarms) <= 10
