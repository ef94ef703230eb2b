"""``deliver`` Lambda: ``DecisionMade`` / ``EscalationRequested`` (EventBridge) -> WebSocket message.

Posts through the API Gateway Management API ``PostToConnection`` (botocore ``apigatewaymanagementapi``
2018-11-29: ``ConnectionId``, ``Data``; a closed connection raises ``GoneException``, HTTP 410). A gone
connection is an expected outcome, recorded as ``ResultDelivered(status="connection_gone")``; any other
failure raises so EventBridge retries and, eventually, the DLQ gets the event.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent
from botocore.exceptions import ClientError

from functions.shared import aws, settings
from functions.shared.constants import ENV_WEBSOCKET_ENDPOINT
from functions.shared.envelopes import UnexpectedEventError, unwrap
from functions.shared.events import DecisionMade, DeliveryStatus, EscalationRequested, ResultDelivered

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()
metrics = Metrics()

_persistence = aws.idempotency_store()
# One delivery per request *and* outcome: a reviewer's later DecisionMade is delivered too.
_idempotency = aws.idempotency_config('["detail-type", detail.request_id]', raise_on_no_idempotency_key=True)

ESCALATED_MESSAGE = "Your request needs a human review; you will be notified when it is answered."
_GONE_STATUS = 410


@cache
def websocket_endpoint() -> str:
    """``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`` of the WebSocket API."""
    return settings.require(ENV_WEBSOCKET_ENDPOINT)


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


@tracer.capture_method
def deliver(outcome: DecisionMade | EscalationRequested) -> ResultDelivered:
    """Push ``outcome`` to its WebSocket connection and return what happened."""
    status: DeliveryStatus = "delivered"
    if outcome.connection_id is None:
        status = "no_connection"
    else:
        data = json.dumps(_message(outcome)).encode("utf-8")
        management = aws.client("apigatewaymanagementapi", websocket_endpoint())
        try:
            management.post_to_connection(ConnectionId=outcome.connection_id, Data=data)
        except ClientError as error:
            if not _is_gone(error):
                raise
            status = "connection_gone"
            logger.info("connection gone", extra={"connection_id": outcome.connection_id})
    metrics.add_metric(name=f"Delivery_{status}", unit=MetricUnit.Count, value=1)
    return ResultDelivered(
        request_id=outcome.request_id,
        status=status,
        outcome=outcome.DETAIL_TYPE,  # type: ignore[arg-type]  # one of the two Literal values
        connection_id=outcome.connection_id,
    )


def parse_outcome(event: dict[str, Any]) -> DecisionMade | EscalationRequested:
    """Validate a ``DecisionMade`` or ``EscalationRequested`` EventBridge event (by its detail-type)."""
    detail_type = event.get("detail-type") if isinstance(event, dict) else None
    if detail_type == DecisionMade.DETAIL_TYPE:
        return unwrap(event, DecisionMade)
    if detail_type == EscalationRequested.DETAIL_TYPE:
        return unwrap(event, EscalationRequested)
    raise UnexpectedEventError(f"deliver does not handle detail-type {detail_type!r}")


@logger.inject_lambda_context(correlation_id_path="detail.request_id")
@tracer.capture_lambda_handler
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
    result = deliver(parse_outcome(event))
    aws.publish(result)
    return result.model_dump(mode="json")
