"""Which caller opened which WebSocket connection: the one place that records and answers it (issue 12 §2).

``$connect`` (after the Lambda authorizer verified the caller's JWT) records ``connection_id -> subject``;
``$disconnect`` deletes it; ``ingest`` (at submission) and ``deliver`` (before pushing) ask :func:`owner`.
A connection nobody recorded, one that was closed or one past its lifetime has no owner, so a request can
only ever name, and be pushed to, a connection its own caller opened.

Items expire with the connection: API Gateway closes every WebSocket connection after 2 hours at most
("Connection duration for WebSocket API: 2 hours", not adjustable:
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
DynamoDB's TTL deletes expired items only eventually, so :func:`owner` also compares the expiry itself.
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from functions.shared import aws, settings
from functions.shared.constants import (
    CONNECTION_KEY_ATTR,
    CONNECTION_SUBJECT_ATTR,
    ENV_CONNECTIONS_TABLE_NAME,
    TTL_ATTR,
)

#: The longest a WebSocket connection lives (see the module docstring), plus a minute of clock skew.
CONNECTION_LIFETIME_SECONDS = 2 * 3600 + 60


class ConnectionTakenError(Exception):
    """The connection id is already recorded for another subject (never overwritten)."""


def _table_name() -> str:
    return settings.require(ENV_CONNECTIONS_TABLE_NAME)


def enabled() -> bool:
    """False where the stack has no WebSocket API (no connections table): then no connection is anyone's."""
    return bool(settings.optional(ENV_CONNECTIONS_TABLE_NAME, ""))


def bind(connection_id: str, subject: str, *, now: float | None = None) -> None:
    """Record that ``subject`` opened ``connection_id``; a retried ``$connect`` of the same caller is a no-op.

    Raises
    ------
    ConnectionTakenError
        When the id is recorded for another subject (conditional put: the first owner stays).
    """
    issued = int(time.time() if now is None else now)
    try:
        aws.client("dynamodb").put_item(
            TableName=_table_name(),
            Item={
                CONNECTION_KEY_ATTR: {"S": connection_id},
                CONNECTION_SUBJECT_ATTR: {"S": subject},
                TTL_ATTR: {"N": str(issued + CONNECTION_LIFETIME_SECONDS)},
            },
            ConditionExpression="attribute_not_exists(#id) OR #subject = :subject",
            ExpressionAttributeNames={"#id": CONNECTION_KEY_ATTR, "#subject": CONNECTION_SUBJECT_ATTR},
            ExpressionAttributeValues={":subject": {"S": subject}},
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise ConnectionTakenError(connection_id) from error
        raise


def unbind(connection_id: str) -> None:
    """Forget ``connection_id`` (``$disconnect``); deleting an unknown id is not an error."""
    aws.client("dynamodb").delete_item(TableName=_table_name(), Key={CONNECTION_KEY_ATTR: {"S": connection_id}})


def owner(connection_id: str, *, now: float | None = None) -> str | None:
    """The subject that opened ``connection_id`` and still holds it, or None (unknown, closed or expired)."""
    if not enabled():
        return None
    item = (
        aws.client("dynamodb")
        .get_item(TableName=_table_name(), Key={CONNECTION_KEY_ATTR: {"S": connection_id}}, ConsistentRead=True)
        .get("Item")
    )
    if not item:
        return None
    expires_at = int(item.get(TTL_ATTR, {}).get("N", "0"))
    if expires_at <= (time.time() if now is None else now):
        return None
    subject = item.get(CONNECTION_SUBJECT_ATTR, {}).get("S")
    return subject or None


def belongs_to(connection_id: str, subject: str | None) -> bool:
    """True only when ``subject`` (non-empty) opened ``connection_id`` and it is still open."""
    return bool(subject) and owner(connection_id) == subject
