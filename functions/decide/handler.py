"""``decide`` Lambda: ``ModelAnswered`` -> accept (``DecisionMade``) or escalate (review notice +
``EscalationRequested``). Exactly one outcome per request, however often it is retried:

1. the audit record is written first, conditionally (a retry finds it and keeps it). It is the record of what
   was decided: when an earlier attempt wrote it, this attempt reads it and carries out *that* decision (its
   reasons, confidence, tier and claim check), whatever the answer it was given now says;
2. the document goes to S3 under the key the ``decision`` record names (never one computed again from a
   redelivered answer, which may be dated another day), only if absent (``IfNoneMatch``: never rewritten);
3. the review notice (escalations only) and 4. the outcome event are keyed effects
   (:mod:`functions.shared.effects`): a retry after any later failure does not repeat them. Each is then
   marked in the audit table (``review_sent``, ``outcome_sent``), which a redelivery after the effects'
   idempotency records expired reads first, so it does not repeat them either.

Who announces the outcome is decided by one item, the ``outcome_owner`` record, which decide appends right before
it publishes and the workflow's failure path (components/workflow.py) before its first effect, each only if
absent: a request whose failure path owns it keeps the failure path's escalation, and decide publishes nothing
(:func:`_escalated_by_failure_path`), whatever the interleaving of two executions of the request (review s11 4
#4: a read of ``workflow_failed`` at decide's start was outdated by a failure path finishing before the write).
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
from functions.shared.constants import (
    AUDIT_ESCALATION_SENT_RECORD,
    AUDIT_FAILURE_RECORD,
    AUDIT_OUTCOME_SENT_RECORD,
    AUDIT_REVIEW_SENT_RECORD,
    TRACED_MODULES,
)
from functions.shared.envelopes import REQUEST_ID_JMESPATH, unwrap
from functions.shared.events import DecisionMade, EscalationRequested, ModelAnswered, PlatformEvent
from functions.shared.exceptions import FailurePathOwnsOutcomeError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

#: What the workflow's failure path appends once each of its effects went out (components/workflow.py).
FAILURE_PATH_MARKERS = (AUDIT_REVIEW_SENT_RECORD, AUDIT_ESCALATION_SENT_RECORD)

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
    # Saves the work when the failure path owns the outcome already; the claim before publishing decides.
    if actions.outcome_owner(config.audit_table, answered.request_id) == AUDIT_FAILURE_RECORD:
        return _escalated_by_failure_path(config.audit_table, answered)
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
    # Under the recorded key, whatever date this answer carries; once: an existing claim check is kept.
    actions.store_output(config.outputs_bucket, key, answered, reasons)
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
    if not actions.claim_outcome(config.audit_table, answered.request_id, retention_days=config.audit_retention_days):
        # Another execution's failure path escalated the request between the check above and now.
        return _escalated_by_failure_path(config.audit_table, answered)
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


def _escalated_by_failure_path(table: str, answered: ModelAnswered) -> EscalationRequested:
    """The outcome of a request the workflow's failure path owns (``outcome_owner`` says ``workflow_failed``).

    That is what the user was told and what the status says (functions/actions/handler.py: the failure record
    wins), so a redelivery of the request (a duplicate or replayed ``RequestReceived`` whose router now answers,
    a redrive) neither decides, stores, notifies nor publishes: before, decide published ``DecisionMade`` after
    the user had been told "escalated", a second, different outcome (found with review s11 3 #12). When the
    path's own effects are not all recorded (its execution died between them), this execution's failure path
    must send them, so decide fails without retries (:class:`FailurePathOwnsOutcomeError`).

    Raises
    ------
    FailurePathOwnsOutcomeError
        When ``review_sent`` or ``escalation_sent`` is missing.
    """
    sent = [actions.recorded(table, answered.request_id, record) for record in FAILURE_PATH_MARKERS]
    if not all(sent):
        raise FailurePathOwnsOutcomeError(f"{answered.request_id}: the failure path has not sent every effect")
    logger.info("the workflow's failure path escalated this request: its outcome stands")
    return EscalationRequested(
        request_id=answered.request_id,
        reasons=["workflow_failed"],
        confidence=0.0,
        tier=None,
        connection_id=answered.connection_id,
        subject=answered.subject,
    )


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
