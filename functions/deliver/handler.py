"""``deliver`` Lambda: ``DecisionMade`` / ``EscalationRequested`` (EventBridge) -> WebSocket message.

Posts through the API Gateway Management API ``PostToConnection`` (botocore ``apigatewaymanagementapi``
2018-11-29: ``ConnectionId``, ``Data``; a closed connection raises ``GoneException``, HTTP 410). A gone
connection is an expected outcome, recorded as ``ResultDelivered(status="connection_gone")``; any other
failure raises so EventBridge retries and, eventually, the DLQ gets the event.

Only the caller's own connection is pushed to (issue 12 §2): the push first asks
:mod:`functions.shared.connections` who opened the connection; unless that is the request's ``subject`` the
message is not sent and the outcome is ``connection_unknown`` (never opened, closed or expired) or
``connection_not_owned`` (another caller's), logged and counted, never raised (a retry would change
nothing). The result stays retrievable by polling the status API.

The push and the ``ResultDelivered`` event are keyed effects (:mod:`functions.shared.effects`): when
publishing fails after a successful push, the retry publishes without pushing the answer again. Each is then
marked in the audit table (``delivery#<detail-type>#pushed`` with the status, ``...#published``), which a
redelivery of the outcome event reads first (one consistent Query): after the effects' idempotency records
expired (an archive replay, a DLQ redrive), it neither pushes nor publishes again (:mod:`functions.shared.audit`).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent
from botocore.exceptions import ClientError

from functions.shared import audit, aws, connections, effects, idempotency, settings
from functions.shared.constants import (
    AUDIT_DELIVERY_PREFIX,
    ENV_AUDIT_RETENTION_DAYS,
    ENV_AUDIT_TABLE_NAME,
    ENV_WEBSOCKET_ENDPOINT,
    TRACED_MODULES,
)
from functions.shared.envelopes import UnexpectedEventError, unwrap
from functions.shared.events import DecisionMade, DeliveryStatus, EscalationRequested, ResultDelivered

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

_persistence = idempotency.store()
# One delivery per request *and* outcome: a reviewer's later DecisionMade is delivered too.
_idempotency = idempotency.config('["detail-type", detail.request_id]', raise_on_no_idempotency_key=True)

ESCALATED_MESSAGE = "Your request needs a human review; you will be notified when it is answered."
_GONE_STATUS = 410


@cache
def websocket_endpoint() -> str:
    """``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`` of the WebSocket API."""
    return settings.require(ENV_WEBSOCKET_ENDPOINT)


@cache
def audit_table() -> str:
    """The audit table, where deliver marks what it pushed and published."""
    return settings.require(ENV_AUDIT_TABLE_NAME)


@cache
def audit_retention_days() -> int:
    """How long deliver's markers are kept (the request's other audit records': ``AUDIT_RETENTION_DAYS``)."""
    return settings.as_int(ENV_AUDIT_RETENTION_DAYS, 0, minimum=0)


def _marker_prefix(outcome: DecisionMade | EscalationRequested) -> str:
    return f"{AUDIT_DELIVERY_PREFIX}{outcome.DETAIL_TYPE}#"


def _mark(outcome: DecisionMade | EscalationRequested, what: str, status: DeliveryStatus) -> None:
    audit.append_once(
        audit_table(), outcome.request_id, _marker_prefix(outcome) + what, {"status": {"S": status}},
        audit_retention_days(),
    )  # fmt: skip


def _message(outcome: DecisionMade | EscalationRequested) -> dict[str, Any]:
    if isinstance(outcome, EscalationRequested):
        return {"type": "escalated", "request_id": outcome.request_id, "message": ESCALATED_MESSAGE}
    stored = aws.client("s3").get_object(Bucket=outcome.output_bucket, Key=outcome.output_key)
    document = json.loads(stored["Body"].read())
    return {
        "type": "result",
        "request_id": outcome.request_id,
        "answer": document["answer"],
        "confidence": outcome.confidence,
    }


def _is_gone(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code == "GoneException" or status == _GONE_STATUS


def _refusal(connection_id: str, subject: str | None) -> DeliveryStatus | None:
    """Why ``connection_id`` must not get the request's result, or None when ``subject`` opened it."""
    holder = connections.owner(connection_id)
    if holder is None:
        return "connection_unknown"
    if not subject or holder != subject:
        return "connection_not_owned"
    return None


@effects.once()
def _push(*, item: dict[str, Any]) -> dict[str, Any]:
    """Post one message to the caller's own connection; a gone connection is an outcome, anything else raises.

    The ownership check is inside the keyed effect, so a retry after a successful push reports what happened
    then, not what the connection table says later (a connection closed meanwhile).
    """
    refused = _refusal(item["connection_id"], item.get("subject"))
    if refused is not None:
        logger.warning("not pushed: not the caller's connection", extra={"status": refused})
        return {"status": refused}
    management = aws.client("apigatewaymanagementapi", websocket_endpoint())
    try:
        management.post_to_connection(ConnectionId=item["connection_id"], Data=item["data"].encode("utf-8"))
    except ClientError as error:
        if not _is_gone(error):
            raise
        logger.info("connection gone", extra={"connection_id": item["connection_id"]})
        return {"status": "connection_gone"}
    return {"status": "delivered"}


# The pushed message carries the answer: never into X-Ray (capture_response off).
@tracer.capture_method(capture_response=False)
def deliver(
    outcome: DecisionMade | EscalationRequested, markers: dict[str, dict[str, Any]] | None = None
) -> ResultDelivered:
    """Push ``outcome`` to its WebSocket connection (once) and return what happened.

    ``markers`` are the outcome's delivery records (:func:`delivery_markers`); a ``pushed`` one means an
    earlier invocation pushed it: its status is reported, nothing is pushed.
    """
    status: DeliveryStatus = "no_connection"
    pushed_before = (markers or {}).get(_marker_prefix(outcome) + "pushed")
    if pushed_before is not None:
        status = cast("DeliveryStatus", pushed_before["status"]["S"])
        logger.info("already pushed by an earlier invocation", extra={"status": status})
    elif outcome.connection_id is not None:
        pushed = _push(
            item={
                "effect_key": effects.effect_key("push", outcome.DETAIL_TYPE, outcome.request_id),
                "connection_id": outcome.connection_id,
                "subject": outcome.subject,
                "data": json.dumps(_message(outcome)),
            }
        )
        status = pushed["status"]
        _mark(outcome, "pushed", status)
    metrics.add_metric(name=f"Delivery_{status}", unit=MetricUnit.Count, value=1)
    return ResultDelivered(
        request_id=outcome.request_id,
        status=status,
        outcome=outcome.DETAIL_TYPE,  # type: ignore[arg-type]  # one of the two Literal values
        connection_id=outcome.connection_id,
    )


def delivery_markers(outcome: DecisionMade | EscalationRequested) -> dict[str, dict[str, Any]]:
    """What earlier invocations recorded of this outcome's delivery, by record name."""
    return audit.with_prefix(audit_table(), outcome.request_id, _marker_prefix(outcome))


def parse_outcome(event: dict[str, Any]) -> DecisionMade | EscalationRequested:
    """Validate a ``DecisionMade`` or ``EscalationRequested`` EventBridge event (by its detail-type)."""
    detail_type = event.get("detail-type") if isinstance(event, dict) else None
    if detail_type == DecisionMade.DETAIL_TYPE:
        return unwrap(event, DecisionMade)
    if detail_type == EscalationRequested.DETAIL_TYPE:
        return unwrap(event, EscalationRequested)
    raise UnexpectedEventError(f"deliver does not handle detail-type {detail_type!r}")


@logger.inject_lambda_context(correlation_id_path="detail.request_id")
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
@idempotent(config=_idempotency, persistence_store=_persistence)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Tell the requester how their request ended.

    Parameters
    ----------
    event : dict[str, Any]
        EventBridge event with detail-type ``DecisionMade`` or ``EscalationRequested``.
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        The ``ResultDelivered`` detail, also published on the bus.

    Examples
    --------
    Rule pattern: ``{"source": ["agentic.platform"], "detail-type": ["DecisionMade", "EscalationRequested"]}``.
    """
    effects.register_lambda_context(context)
    outcome = parse_outcome(event)
    markers = delivery_markers(outcome)
    result = deliver(outcome, markers)
    if _marker_prefix(outcome) + "published" in markers:
        logger.info("ResultDelivered already published by an earlier invocation")
    else:
        effects.publish_once(result, result.outcome)  # one per outcome delivered
        _mark(outcome, "published", result.status)
    return result.model_dump(mode="json")
