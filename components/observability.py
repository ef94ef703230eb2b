"""Observability: alarms on what breaks or costs money, and (optionally) one dashboard (P129, P134, P158).

Each standard-resolution alarm metric costs about 0.10 USD a month and dashboards beyond the first
three cost 3 USD a month each (https://aws.amazon.com/cloudwatch/pricing/), so the set is small:

* dev: account-level Lambda errors and throttles (Lambda's aggregate metrics carry no dimension),
  one alarm per dead-letter queue and per state machine (failed executions), guardrail interventions;
* every stack: estimated model spend, the daily sum of the router's `EstimatedCostUSD` metric against
  a daily share of the stack's budget (`budget.monthlyUsd / 30`);
* prod adds, per function, errors, throttles and p99 duration, per state machine timed-out executions, and
  the estimated-charges alarm.

Model spend and estimated charges answer different questions and both stay (P158, P169): the model
spend alarm is per stack, in every Region, and fires within a day of a runaway (it reads the router's
own per-request estimate, published as an embedded-metric-format log line); AWS/Billing
EstimatedCharges is the whole account's invoice (every service, not just Bedrock), published only in
us-east-1 and only every few hours, which is why it is a prod-only backstop next to the budget.

Alarms notify the operators' topic the caller gives (`alarm_topic_arn`; the platform passes the governance
baseline's alert topic, which the stack's alert e-mails are subscribed to). Never the escalation topic: its
review queue takes only reviewers' notices (functions/shared/review.py), so an alarm there would be a case no
reviewer tool can read (issue 12). Missing data is "not breaching", so an idle stack stays quiet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.settings import PlatformSettings

#: Five-minute periods: the cheapest resolution with timely alerts.
PERIOD_SECONDS = 300
#: Billing metrics are published every few hours, only in us-east-1
#: (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html).
BILLING_PERIOD_SECONDS = 21_600
BILLING_REGION = "us-east-1"
#: Guardrail runtime metrics (docs.aws.amazon.com/bedrock/latest/userguide/monitoring-guardrails-cw-metrics.html).
GUARDRAIL_NAMESPACE = "AWS/Bedrock/Guardrails"
GUARDRAIL_INTERVENTIONS = "InvocationsIntervened"
#: One-day periods for the model spend alarm: a period of an hour or more may span up to 7 days in total
#: (botocore cloudwatch 2010-08-01 PutMetricAlarm `Period`: "Period multiplied by EvaluationPeriods
#: can't be more than 604,800 seconds").
DAY_SECONDS = 86_400
#: Days the monthly budget is spread over for the daily model spend threshold.
DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class ModelSpendMetric:
    """Where the router's estimated model cost is published (Powertools Metrics, EMF).

    Powertools puts every metric in the namespace `POWERTOOLS_METRICS_NAMESPACE` with the default
    dimension `service` = `POWERTOOLS_SERVICE_NAME` (aws_lambda_powertools/metrics/provider/
    cloudwatch_emf/cloudwatch.py, 3.37.0); the per-tier copies add a `tier` dimension, so they are
    other metrics and are not counted twice.
    """

    namespace: str
    service: str
    metric: str = "EstimatedCostUSD"


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: a metric, its statistic and the threshold it must exceed."""

    key: str
    namespace: str
    metric: str
    dimensions: Mapping[str, pulumi.Input[str]]
    threshold: float
    statistic: str = "Sum"
    extended_statistic: str | None = None
    period: int = PERIOD_SECONDS
    description: str = ""


class Observability(pulumi.ComponentResource):
    """Alarms (and in stacks with `features.dashboard`, one dashboard) for the platform's resources.

    Examples
    --------
    >>> Observability("observability", settings, alarm_topic_arn=governance.alert_topic_arn,
    ...               function_names={"ingest": ingest.function.name}, dead_letter_queues={"ingest": dlq.name})
    """

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        alarm_topic_arn: pulumi.Input[str],
        function_names: Mapping[str, pulumi.Input[str]] | None = None,
        dead_letter_queues: Mapping[str, pulumi.Input[str]] | None = None,
        state_machine_arns: Mapping[str, pulumi.Input[str]] | None = None,
        guardrails: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]] | None = None,
        latency_p99_ms: float = 10_000,
        monthly_spend_alarm_usd: float | None = None,
        model_spend: ModelSpendMetric | None = None,
        daily_model_spend_usd: float | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:observability:Observability", name, None, opts)
        self._name = name
        self._settings = settings
        self._topic = alarm_topic_arn
        functions = dict(function_names or {})
        specs = self.alarm_specs(
            settings,
            functions=functions,
            dead_letter_queues=dict(dead_letter_queues or {}),
            state_machines=dict(state_machine_arns or {}),
            guardrails=dict(guardrails or {}),
            latency_p99_ms=latency_p99_ms,
            monthly_spend_alarm_usd=monthly_spend_alarm_usd,
            model_spend=model_spend,
            daily_model_spend_usd=daily_model_spend_usd,
        )
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {spec.key: self._alarm(spec) for spec in specs}
        self.dashboard: aws.cloudwatch.Dashboard | None = None
        if settings.features.dashboard:
            self.dashboard = aws.cloudwatch.Dashboard(
                f"{name}-dashboard",
                dashboard_name=settings.name("overview"),
                dashboard_body=self._dashboard_body(functions, dict(dead_letter_queues or {})),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs(
            {
                "alarms": [alarm.name for alarm in self.alarms.values()],
                "dashboard": self.dashboard.dashboard_name if self.dashboard is not None else None,
            }
        )

    @staticmethod
    def alarm_specs(
        settings: PlatformSettings,
        *,
        functions: Mapping[str, pulumi.Input[str]],
        dead_letter_queues: Mapping[str, pulumi.Input[str]],
        state_machines: Mapping[str, pulumi.Input[str]],
        guardrails: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]],
        latency_p99_ms: float,
        monthly_spend_alarm_usd: float | None,
        model_spend: ModelSpendMetric | None = None,
        daily_model_spend_usd: float | None = None,
    ) -> list[AlarmSpec]:
        """Which alarms the stack gets (dev: few and aggregate; prod: per function too)."""
        specs = [
            AlarmSpec("lambda-errors", "AWS/Lambda", "Errors", {}, 0, description="Any Lambda error in the account"),
            AlarmSpec("lambda-throttles", "AWS/Lambda", "Throttles", {}, 0, description="Any Lambda throttle"),
        ]
        for key, queue in dead_letter_queues.items():
            specs.append(
                AlarmSpec(
                    f"dlq-{key}",
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    {"QueueName": queue},
                    0,
                    statistic="Maximum",
                    description=f"Messages waiting in the {key} dead-letter queue (P179)",
                )
            )
        for key, arn in state_machines.items():
            specs.append(AlarmSpec(f"sfn-failed-{key}", "AWS/States", "ExecutionsFailed", {"StateMachineArn": arn}, 0))
        for key, (guardrail_arn, version) in guardrails.items():
            specs.append(
                AlarmSpec(
                    f"guardrail-{key}",
                    GUARDRAIL_NAMESPACE,
                    GUARDRAIL_INTERVENTIONS,
                    {"GuardrailArn": guardrail_arn, "GuardrailVersion": version},
                    # A burst of interventions suggests abuse or a prompt regression (P059, P064).
                    threshold=10,
                    description=f"Guardrail {key} intervened more than 10 times in 5 minutes",
                )
            )
        if model_spend is not None:
            daily = (
                daily_model_spend_usd
                if daily_model_spend_usd is not None
                else settings.budget.monthly_usd / DAYS_PER_MONTH
            )
            specs.append(
                AlarmSpec(
                    "model-spend",
                    model_spend.namespace,
                    model_spend.metric,
                    {"service": model_spend.service},
                    daily,
                    period=DAY_SECONDS,
                    description=(
                        f"Estimated model spend above {daily:.2f} USD in a day "
                        f"(a {DAYS_PER_MONTH}th of the monthly budget; P158, P169)"
                    ),
                )
            )
        if settings.is_production:
            for key, arn in state_machines.items():
                # A timed-out execution ends without its failure path (no review case, the user never hears
                # back) and has its own status (TIMED_OUT) and execution metric, ExecutionsTimedOut (AWS/States,
                # dimension StateMachineArn; https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html).
                # Prod only: the definitions' execution timeouts outlast their slowest path by construction
                # (components/workflow.py, asl.worst_case_seconds), so this is a backstop, and dev's alarms stay
                # within the free tier's ten.
                specs.append(
                    AlarmSpec(
                        f"sfn-timed-out-{key}",
                        "AWS/States",
                        "ExecutionsTimedOut",
                        {"StateMachineArn": arn},
                        0,
                        description=f"An execution of {key} timed out: its request got no outcome and no review case",
                    )
                )
            for key, function in functions.items():
                dims = {"FunctionName": function}
                specs.append(AlarmSpec(f"errors-{key}", "AWS/Lambda", "Errors", dims, 0))
                specs.append(AlarmSpec(f"throttles-{key}", "AWS/Lambda", "Throttles", dims, 0))
                specs.append(
                    AlarmSpec(
                        f"latency-{key}",
                        "AWS/Lambda",
                        "Duration",
                        dims,
                        latency_p99_ms,
                        extended_statistic="p99",
                        description=f"p99 duration of {key} above {latency_p99_ms:.0f} ms",
                    )
                )
            spend = monthly_spend_alarm_usd if monthly_spend_alarm_usd is not None else settings.budget.monthly_usd
            if settings.region == BILLING_REGION:
                # Total estimated charges (the ServiceName dimension is omitted for the total; Currency is
                # required: docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/billing-metricscollected.html).
                specs.append(
                    AlarmSpec(
                        "estimated-charges",
                        "AWS/Billing",
                        "EstimatedCharges",
                        {"Currency": "USD"},
                        spend,
                        statistic="Maximum",
                        period=BILLING_PERIOD_SECONDS,
                        description=f"Estimated month-to-date charges above {spend:.0f} USD (P169)",
                    )
                )
        return specs

    def _alarm(self, spec: AlarmSpec) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            f"{self._name}-{spec.key}",
            name=self._settings.name(spec.key),
            alarm_description=spec.description or f"{spec.namespace} {spec.metric} above {spec.threshold:g}",
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=dict(spec.dimensions) or None,
            statistic=None if spec.extended_statistic else spec.statistic,
            extended_statistic=spec.extended_statistic,
            period=spec.period,
            evaluation_periods=1,
            threshold=spec.threshold,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[self._topic],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _dashboard_body(
        self, functions: Mapping[str, pulumi.Input[str]], dead_letter_queues: Mapping[str, pulumi.Input[str]]
    ) -> pulumi.Output[str]:
        region = self._settings.region

        def widget(title: str, metrics: list[list[Any]], y: int) -> dict[str, Any]:
            return {
                "type": "metric",
                "x": 0,
                "y": y,
                "width": 24,
                "height": 6,
                "properties": {
                    "title": title,
                    "region": region,
                    "stat": "Sum",
                    "period": PERIOD_SECONDS,
                    "metrics": metrics,
                },
            }

        names = list(functions.values())
        queues = list(dead_letter_queues.values())

        def render(args: list[Any]) -> str:
            fn_names, queue_names = args[: len(names)], args[len(names) :]
            widgets = [
                widget(
                    "Lambda invocations and errors",
                    [["AWS/Lambda", m, "FunctionName", n] for n in fn_names for m in ("Invocations", "Errors")]
                    or [["AWS/Lambda", "Invocations"]],
                    0,
                ),
                widget(
                    "Dead-letter queues",
                    [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q] for q in queue_names]
                    or [["AWS/SQS", "NumberOfMessagesSent"]],
                    6,
                ),
            ]
            return json.dumps({"widgets": widgets})

        return pulumi.Output.all(*names, *queues).apply(render)
