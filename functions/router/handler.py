"""``router`` Lambda: ``RequestReceived`` -> tiered Bedrock Converse -> ``ModelAnswered``.

Invoked by the workflow with the ``RequestReceived`` EventBridge event (or its ``detail``); returns the
``ModelAnswered`` detail for the next state and also puts it on the bus. Idempotent on ``request_id``:
a retried invocation returns the stored answer instead of paying for the models again.

The answer is a keyed effect of its own (:func:`answer_once`): when anything after the model calls fails
(publishing, the handler's own idempotency record), the retry reuses the paid answer. It is then recorded in
the audit table (:mod:`functions.router.answers`), which is read before any model is called, so a replay after
the idempotency records expired does not pay again either. The cache is written only after the answer is
published, and a failing cache never fails the request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.idempotency import idempotent
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

from functions.router import answers
from functions.router.bedrock import make_converse
from functions.router.cache import AnswerCache
from functions.router.config import load_settings
from functions.router.engine import answer_request, cache_entry, cache_key_of
from functions.shared import effects, idempotency
from functions.shared.constants import TRACED_MODULES
from functions.shared.envelopes import REQUEST_ID_JMESPATH, unwrap
from functions.shared.events import ModelAnswered, RequestReceived
from functions.shared.prompts import PromptTemplate, get_prompt

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

_persistence = idempotency.store()
_idempotency = idempotency.config(REQUEST_ID_JMESPATH, raise_on_no_idempotency_key=True)


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


@cache
def _prompt(root: Path, name: str, version: int) -> PromptTemplate:
    """The configured template, read and validated once per execution environment, not on every request."""
    return get_prompt(root, name, version)


# Prompts and answers never reach X-Ray (capture_response off).
@tracer.capture_method(capture_response=False)
def route(request: RequestReceived, remaining_ms: Callable[[], int]) -> ModelAnswered:
    """Answer ``request`` with the configured prompt, models, cache and guardrail (pays for model calls).

    ``remaining_ms`` is the invocation's clock (``context.get_remaining_time_in_millis``): every tier must
    finish inside it (``functions.router.engine``).
    """
    config = load_settings()
    template = _prompt(config.prompts_dir, config.prompt_name, config.prompt_version)
    answered = answer_request(
        request,
        template,
        config,
        make_converse(config.guardrail_id, config.guardrail_version),
        AnswerCache(config.cache_table, config.cache_ttl_seconds),
        remaining_ms=remaining_ms,
    )
    tracer.put_annotation(key="tier", value=answered.tier)
    tracer.put_annotation(key="cached", value=answered.cached)
    record_metrics(answered)  # once per paid answer, not once per retry
    return answered


@effects.once(output_serializer=PydanticSerializer(model=ModelAnswered))
def _answer(*, item: dict[str, Any]) -> ModelAnswered:
    return route(RequestReceived.model_validate(item["request"]), item["remaining_ms"])


def answer_once(request: RequestReceived, context: LambdaContext) -> ModelAnswered:
    """:func:`route` once per request: a retry gets the stored (paid) answer back.

    The invocation's clock travels in the item, beside the request: Powertools keys the effect on
    ``effect_key`` alone (no payload validation, :mod:`functions.shared.idempotency`), so it is never hashed or
    stored, and the engine reads the time left of *this* invocation, not a process-wide one.
    """
    return _answer(
        item={
            "effect_key": effects.effect_key("answer", request.request_id),
            "request": request.model_dump(mode="json"),
            "remaining_ms": context.get_remaining_time_in_millis,
        }
    )


def remember(answered: ModelAnswered) -> None:
    """Cache a published answer when it is worth reusing (a failing cache is logged and skipped)."""
    config = load_settings()
    entry = cache_entry(answered, config.confidence_threshold)
    if entry is not None:
        AnswerCache(config.cache_table, config.cache_ttl_seconds).put(cache_key_of(answered, config.max_tier), entry)


@logger.inject_lambda_context(correlation_id_path=REQUEST_ID_JMESPATH)
@tracer.capture_lambda_handler(capture_response=False)
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
    effects.register_lambda_context(context)
    request = unwrap(event, RequestReceived)
    config = load_settings()
    # The durable answer first: a replay after every idempotency record expired is not paid for again.
    answered = answers.recall(config.audit_table, request)
    if answered is None:
        answered = answer_once(request, context)
        answers.record(config.audit_table, answered, config.audit_retention_days)
    else:
        logger.info("answer recorded by an earlier invocation: the models are not called again")
    effects.publish_once(answered)
    remember(answered)
    logger.info(
        "answered",
        extra={"tier": answered.tier, "confidence": answered.confidence, "cached": answered.cached},
    )
    return answered.model_dump(mode="json")
