"""``connections`` Lambda: the WebSocket API's ``$connect`` and ``$disconnect`` routes (issue 12 §2).

``$connect`` runs only after the authorizer (:mod:`functions.connections.authorizer`) verified the caller's
JWT; it records ``connection_id -> sub`` (:func:`functions.shared.connections.bind`, conditional, with the
connection's lifetime as TTL). ``$disconnect`` deletes the record, so nothing is pushed to a closed
connection. Both read only what API Gateway puts in the request context (``connectionId``, ``eventType``,
``authorizer.principalId``: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
A ``$connect`` answer other than 2xx refuses the connection; a failing table raises, which refuses it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Tracer

from functions.shared import connections
from functions.shared.constants import TRACED_MODULES

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
# Only botocore is patched, as in every handler; responses carry the caller's identity: never captured.
tracer = Tracer(patch_modules=TRACED_MODULES)

_OK = {"statusCode": 200}
_FORBIDDEN = {"statusCode": 403}


def _subject(request_context: dict[str, Any]) -> str:
    authorizer = request_context.get("authorizer") or {}
    subject = authorizer.get("principalId") if isinstance(authorizer, dict) else None
    return subject if isinstance(subject, str) and subject else ""


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """Bind on ``CONNECT``, unbind on ``DISCONNECT``; anything else is refused."""
    request_context = event.get("requestContext") or {}
    connection_id = request_context.get("connectionId")
    event_type = request_context.get("eventType")
    if not isinstance(connection_id, str) or not connection_id:
        return _FORBIDDEN
    if event_type == "DISCONNECT":
        connections.unbind(connection_id)
        return _OK
    if event_type != "CONNECT":
        return _FORBIDDEN
    subject = _subject(request_context)
    if not subject:  # only reachable without the authorizer: never bind a connection to nobody
        logger.warning("connect without an authorised subject")
        return _FORBIDDEN
    try:
        connections.bind(connection_id, subject)
    except connections.ConnectionTakenError:
        logger.warning("connection id already bound to another caller")
        return _FORBIDDEN
    return _OK


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Record or forget which caller holds a WebSocket connection.

    Parameters
    ----------
    event : dict[str, Any]
        WebSocket ``$connect`` / ``$disconnect`` event (Lambda proxy integration).
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        ``{"statusCode": 200}``, or 403 to refuse the connection.

    Examples
    --------
    ``$connect`` of ``Ab12Cd34=`` authorised as ``sub`` -> item ``{connection_id: "Ab12Cd34=", subject: sub}``.
    """
    return handle(event)
