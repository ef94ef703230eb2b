"""The append-only audit table as the durable record of what a request's steps did.

Powertools' idempotency records expire (``IDEMPOTENCY_TTL_SECONDS``); the audit table keeps a request's records
for ``AUDIT_RETENTION_DAYS``. A step whose effect must not be repeated by a redelivery that comes after its
idempotency record expired (an archive replay, a DLQ redrive) reads its marker here first and appends it once
the effect went out (docs/delivery-guarantees.md). Items are only ever appended (``attribute_not_exists``), so
a marker, once written, says what happened the first time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from functions.shared.aws import client
from functions.shared.constants import AUDIT_KEY_ATTR, AUDIT_SORT_ATTR, TTL_ATTR

#: DynamoDB's error code when a ConditionExpression is false (botocore dynamodb service model).
CONDITION_FAILED = "ConditionalCheckFailedException"


def expires_at(retention_days: int, now: datetime | None = None) -> int | None:
    """When a record kept ``retention_days`` from ``now`` expires (epoch seconds, DynamoDB TTL); None when 0."""
    if retention_days <= 0:
        return None
    return int(((now or datetime.now(UTC)) + timedelta(days=retention_days)).timestamp())


def expiry(retention_days: int, now: datetime | None = None) -> dict[str, dict[str, str]]:
    """The ``expires_at`` attribute of a record kept ``retention_days`` (none when 0: kept for good)."""
    moment = expires_at(retention_days, now)
    return {} if moment is None else {TTL_ATTR: {"N": str(moment)}}


def get(table: str, request_id: str, record: str) -> dict[str, Any] | None:
    """The ``record`` item of ``request_id`` (strongly consistent read), or None."""
    response = client("dynamodb").get_item(
        TableName=table,
        Key={AUDIT_KEY_ATTR: {"S": request_id}, AUDIT_SORT_ATTR: {"S": record}},
        ConsistentRead=True,
    )
    item: dict[str, Any] | None = response.get("Item")
    return item


def with_prefix(table: str, request_id: str, prefix: str) -> dict[str, dict[str, Any]]:
    """Every record of ``request_id`` whose name starts with ``prefix`` (one consistent Query), by name."""
    response = client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="#pk = :id AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames={"#pk": AUDIT_KEY_ATTR, "#sk": AUDIT_SORT_ATTR},
        ExpressionAttributeValues={":id": {"S": request_id}, ":prefix": {"S": prefix}},
        ConsistentRead=True,
    )
    return {item[AUDIT_SORT_ATTR]["S"]: item for item in response.get("Items", [])}


def append_once(table: str, request_id: str, record: str, attributes: dict[str, Any], retention_days: int) -> bool:
    """Append ``record`` (with ``attributes``, DynamoDB-typed) unless it exists; False when it was there already."""
    item = {
        AUDIT_KEY_ATTR: {"S": request_id},
        AUDIT_SORT_ATTR: {"S": record},
        "recorded_at": {"S": datetime.now(UTC).isoformat()},
        **attributes,
        **expiry(retention_days),
    }
    return put_once(table, item)


def put_once(table: str, item: dict[str, Any]) -> bool:
    """Put ``item`` unless its key exists (the audit table is append-only); False when it was there already."""
    try:
        client("dynamodb").put_item(
            TableName=table,
            Item=item,
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": AUDIT_KEY_ATTR},
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != CONDITION_FAILED:
            raise
        return False
    return True
