"""AWS plumbing shared by the handlers: cached clients, EventBridge publishing, idempotency store.

Clients are created lazily (first use, then reused across warm invocations) so importing a handler
never opens a connection and tests can swap in moto or botocore's Stubber.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from botocore.config import Config

from functions.shared import settings
from functions.shared.constants import (
    ENV_EVENT_BUS_NAME,
    ENV_IDEMPOTENCY_TABLE_NAME,
    ENV_IDEMPOTENCY_TTL_SECONDS,
    IDEMPOTENCY_EXPIRY_ATTR,
    IDEMPOTENCY_KEY_ATTR,
)
from functions.shared.exceptions import EventPublishError

if TYPE_CHECKING:
    from functions.shared.events import PlatformEvent

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=60)
DEFAULT_IDEMPOTENCY_TTL_SECONDS = 3600


@cache
def client(service_name: str, endpoint_url: str | None = None) -> Any:
    """Return a process-wide boto3 client for ``service_name`` (optionally at ``endpoint_url``)."""
    return boto3.client(service_name, endpoint_url=endpoint_url, config=_CLIENT_CONFIG)


def publish(*events: PlatformEvent) -> None:
    """Put platform events on the bus named by ``EVENT_BUS_NAME``.

    Raises
    ------
    EventPublishError
        When EventBridge reports any failed entry (``FailedEntryCount`` > 0); the invocation must fail.
    """
    bus = settings.require(ENV_EVENT_BUS_NAME)
    response = client("events").put_events(Entries=[event.to_entry(bus) for event in events])
    if response.get("FailedEntryCount", 0):
        failures = [entry for entry in response.get("Entries", []) if entry.get("ErrorCode")]
        raise EventPublishError(f"PutEvents rejected {response['FailedEntryCount']} entries: {failures}")


def idempotency_store() -> DynamoDBPersistenceLayer:
    """Powertools idempotency persistence on the table named by ``IDEMPOTENCY_TABLE_NAME``.

    The table's partition key is ``id`` (string) and its TTL attribute ``expiration``.
    """
    return DynamoDBPersistenceLayer(
        table_name=settings.require(ENV_IDEMPOTENCY_TABLE_NAME),
        key_attr=IDEMPOTENCY_KEY_ATTR,
        expiry_attr=IDEMPOTENCY_EXPIRY_ATTR,
        boto_config=_CLIENT_CONFIG,
    )


def idempotency_config(event_key_jmespath: str, **kwargs: Any) -> IdempotencyConfig:
    """An :class:`IdempotencyConfig` keyed on ``event_key_jmespath`` with the configured record TTL."""
    ttl = settings.as_int(ENV_IDEMPOTENCY_TTL_SECONDS, DEFAULT_IDEMPOTENCY_TTL_SECONDS, minimum=60)
    return IdempotencyConfig(event_key_jmespath=event_key_jmespath, expires_after_seconds=ttl, **kwargs)
