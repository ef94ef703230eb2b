"""``decide`` Lambda: ``ModelAnswered`` -> accept (``DecisionMade``) or escalate (review notice +
``EscalationRequested``). Exactly one outcome per request, however often it is retried:

1. the audit record is written first, conditionally (a retry finds it and keeps it). It is the record of what
   was decided: when an earlier attempt wrote it, this attempt reads it and carries out *that* decision (its
   reasons, confidence, tier and claim check), whatever the answer it was given now says;
2. the document goes to S3 under a fixed key, only if absent (``IfNoneMatch``: never rewritten);
3. the review notice (escalations only) and 4. the outcome event are keyed effects
   (:mod:`functions.shared.effects`): a retry after any later failure does not repeat them. Each is then
   marked in the audit table (``review_sent``, ``outcome_sent``), which a redelivery after the effects'
   idempotency records expired reads first, so it does not repeat them either.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent

from functions.decide import actions
from functions.decide.config import load_settings
from functions.decide.rules import escalation_reasons
from functions.shared import effects, idempotency
from functions.shared.constants import AUDIT_OUTCOME_SENT_RECORD, TRACED_MODULES
from functions.shared.envelopes import REQUEST_ID_JMESPATH, unwrap
from functions.shared.events import DecisionMade, EscalationRequested, ModelAnswered, PlatformEvent

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

_persistence = idempotency.store()
_idempotency = idempotency.config(REQUEST_ID_JMESPATH, raise_on_no_idempotency_key=True)


# The answer and the reviewers' case carry user content: never into X-Ray (capture_response off).
@tracer.capture_method(capture_response=False)
def decide(answered: ModelAnswered, now: datetime | None = None) -> PlatformEvent:
    """Apply the rules, record the decision, perform its effects once and publish its event once.

    Parameters
    ----------
    answered : ModelAnswered
        The router's answer (already validated against its schema).
    now : datetime, optional
        Decision time (UTC); defaults to now.

    Returns
    -------
    PlatformEvent
        ``DecisionMade`` when accepted, ``EscalationRequested`` otherwise.
    """
    config = load_settings()
    decided_at = now or datetime.now(UTC)
    reasons = escalation_reasons(answered, config.confidence_threshold)
    key = actions.output_key(answered)
    confidence, tier = answered.confidence, answered.tier
    first = actions.write_audit(
        config.audit_table,
        answered,
        outcome="escalated" if reasons else "accepted",
        reasons=reasons,
        decided_at=decided_at,
        retention_days=config.audit_retention_days,
        stored_key=key,
    )
    if not first:
        # The durable record of what was decided: a redelivery (a retry, or a replay after every idempotency
        # record expired) carries out *that* decision, never the one its own, possibly different, answer implies.
        stored = actions.read_decision(config.audit_table, answered.request_id)
        reasons, confidence, tier, key = stored.reasons, stored.confidence, stored.tier, stored.output_key or key
        logger.info("audit record already written by an earlier attempt: its decision stands")
    actions.store_output(config.outputs_bucket, answered, reasons)  # once: an existing claim check is kept
    event: PlatformEvent
    if reasons:
        actions.request_review(
            config.escalation_topic_arn,
            actions.review_notice(answered, reasons, config.outputs_bucket, key, confidence=confidence, tier=tier),
            audit_table=config.audit_table,
            retention_days=config.audit_retention_days,
            check_marker=not first,
        )
        event = EscalationRequested(
            request_id=answered.request_id,
            reasons=reasons,
            confidence=confidence,
            tier=tier,
            connection_id=answered.connection_id,
            subject=answered.subject,
        )
    else:
        event = DecisionMade(
            request_id=answered.request_id,
            confidence=confidence,
            tier=tier,
            output_bucket=config.outputs_bucket,
            output_key=key,
            connection_id=answered.connection_id,
            subject=answered.subject,
        )
    if first or not actions.recorded(config.audit_table, answered.request_id, AUDIT_OUTCOME_SENT_RECORD):
        effects.publish_once(event)
        # The failure path (components/workflow.py) and later redeliveries read this: the outcome went out.
        actions.record_once(
            config.audit_table,
            answered.request_id,
            AUDIT_OUTCOME_SENT_RECORD,
            retention_days=config.audit_retention_days,
        )
    else:
        logger.info("outcome already published by an earlier attempt", extra={"detail_type": event.DETAIL_TYPE})
    if first:
        metrics.add_metric(name="Escalated" if reasons else "Accepted", unit=MetricUnit.Count, value=1)
    logger.info("decided", extra={"detail_type": event.DETAIL_TYPE, "reasons": reasons})
    return event


@logger.inject_lambda_context(correlation_id_path=REQUEST_ID_JMESPATH)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
@idempotent(config=_idempotency, persistence_store=_persistence)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Decide what happens to a model answer.

    Parameters
    ----------
    event : dict[str, Any]
        ``ModelAnswered`` detail (the router state's output), or a ``ModelAnswered`` EventBridge event.
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        ``{"detail_type": "DecisionMade" | "EscalationRequested", "detail": {...}}`` for a Choice state.

    Raises
    ------
    pydantic.ValidationError
        When the input breaks the ``ModelAnswered`` contract (fails the execution -> DLQ).

    Examples
    --------
    A Choice state can branch on ``$.detail_type``; ``deliver`` is driven by the published events.
    """
    effects.register_lambda_context(context)
    answered = unwrap(event, ModelAnswered)
    published = decide(answered)
    return {"detail_type": published.DETAIL_TYPE, "detail": published.model_dump(mode="json")}
