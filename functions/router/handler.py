"""``router`` Lambda: ``RequestReceived`` -> tiered Bedrock Converse -> ``ModelAnswered``.

Invoked by the workflow with the ``RequestReceived`` EventBridge event (or its ``detail``); returns the
``ModelAnswered`` detail for the next state and also puts it on the bus. Idempotent on ``request_id``:
a retried invocation returns the stored answer instead of paying for the models again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.idempotency import idempotent

from functions.router.bedrock import make_converse
from functions.router.cache import AnswerCache
from functions.router.config import load_settings
from functions.router.engine import answer_request
from functions.shared import aws
from functions.shared.envelopes import REQUEST_ID_JMESPATH, unwrap
from functions.shared.events import ModelAnswered, RequestReceived
from functions.shared.prompts import get_prompt

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()
metrics = Metrics()

_persistence = aws.idempotency_store()
_idempotency = aws.idempotency_config(REQUEST_ID_JMESPATH, raise_on_no_idempotency_key=True)


def record_metrics(answered: ModelAnswered) -> None:
    """Emit token, cost, cache and escalation metrics (per tier as a ``tier`` dimension)."""
    metrics.add_metric(name="CacheHit" if answered.cached else "CacheMiss", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Escalations", unit=MetricUnit.Count, value=max(len(answered.attempts) - 1, 0))
    if answered.budget_exhausted:
        metrics.add_metric(name="BudgetExhausted", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="EstimatedCostUSD", unit=MetricUnit.NoUnit, value=answered.cost_usd)
    for attempt in answered.attempts:
        values = {
            "ModelInvocations": 1,
            "InputTokens": attempt.input_tokens,
            "OutputTokens": attempt.output_tokens,
        }
        for name, value in values.items():
            with single_metric(name=name, unit=MetricUnit.Count, value=value) as metric:
                metric.add_dimension(name="tier", value=attempt.tier)
        with single_metric(name="EstimatedCostUSD", unit=MetricUnit.NoUnit, value=attempt.cost_usd) as metric:
            metric.add_dimension(name="tier", value=attempt.tier)


@tracer.capture_method
def route(request: RequestReceived) -> ModelAnswered:
    """Answer ``request`` with the configured prompt, models, cache and guardrail."""
    config = load_settings()
    template = get_prompt(config.prompts_dir, config.prompt_name, config.prompt_version)
    answered = answer_request(
        request,
        template,
        config,
        make_converse(config.guardrail_id, config.guardrail_version),
        AnswerCache(config.cache_table, config.cache_ttl_seconds),
    )
    tracer.put_annotation(key="tier", value=answered.tier)
    tracer.put_annotation(key="cached", value=answered.cached)
    return answered


@logger.inject_lambda_context(correlation_id_path=REQUEST_ID_JMESPATH)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@idempotent(config=_idempotency, persistence_store=_persistence)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Pick the cheapest adequate Amazon Nova tier, escalate while unconfident, publish the answer.

    Parameters
    ----------
    event : dict[str, Any]
        ``RequestReceived`` as an EventBridge event, or its bare ``detail``.
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        The ``ModelAnswered`` detail (JSON-ready), input of the ``decide`` state.

    Raises
    ------
    pydantic.ValidationError
        When the event breaks the ``RequestReceived`` contract (the invocation fails -> retry/DLQ).

    Examples
    --------
    Step Functions task: ``{"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"Payload.$": "$"},
    "OutputPath": "$.Payload"}`` feeds this handler's return value to ``decide``.
    """
    request = unwrap(event, RequestReceived)
    answered = route(request)
    record_metrics(answered)
    aws.publish(answered)
    logger.info(
        "answered",
        extra={"tier": answered.tier, "confidence": answered.confidence, "cached": answered.cached},
    )
    return answered.model_dump(mode="json")
