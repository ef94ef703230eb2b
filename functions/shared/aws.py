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

#: Every SDK call gives up well inside the function's timeout, so a hung connection fails the call (and the
#: handler can record why) instead of the function timing out half-way through its side effects:
#: attempts x (connect + read) = 3 x (2 + 5) s = 21 s < 30 s, the functions' default timeout. Bedrock reads
#: get longer (model latency): 3 x (2 + 30) s = 96 s < 120 s, the router's timeout (components/platform.py).
#: botocore Config: ``connect_timeout``, ``read_timeout``, ``retries={"mode", "total_max_attempts"}``
#: (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html: ``total_max_attempts``
#: counts the first request, ``max_attempts`` only the retries).
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
MODEL_READ_TIMEOUT_SECONDS = 30
_SLOW_SERVICES = frozenset({"bedrock-runtime"})
_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
)
_MODEL_CLIENT_CONFIG = _CLIENT_CONFIG.merge(Config(read_timeout=MODEL_READ_TIMEOUT_SECONDS))
DEFAULT_IDEMPOTENCY_TTL_SECONDS = 3600


def worst_case_call_seconds(service_name: str) -> int:
    """How long one SDK call can take before it raises, retries included (backoff aside)."""
    read = MODEL_READ_TIMEOUT_SECONDS if service_name in _SLOW_SERVICES else READ_TIMEOUT_SECONDS
    return MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + read)


@cache
def client(service_name: str, endpoint_url: str | None = None) -> Any:
    """Return a process-wide boto3 client for ``service_name`` (optionally at ``endpoint_url``)."""
    config = _MODEL_CLIENT_CONFIG if service_name in _SLOW_SERVICES else _CLIENT_CONFIG
    return boto3.client(service_name, endpoint_url=endpoint_url, config=config)


def entry(event: PlatformEvent) -> dict[str, str]:
    """``event`` as a ``PutEvents`` entry for the bus named by ``EVENT_BUS_NAME``."""
    return event.to_entry(settings.require(ENV_EVENT_BUS_NAME))


def put_entries(entries: list[dict[str, str]]) -> None:
    """``PutEvents`` with these entries; any rejected entry fails the call.

    Raises
    ------
    EventPublishError
        When EventBridge reports any failed entry (``FailedEntryCount`` > 0); the invocation must fail.
    """
    response = client("events").put_events(Entries=entries)
    if response.get("FailedEntryCount", 0):
        failures = [item for item in response.get("Entries", []) if item.get("ErrorCode")]
        raise EventPublishError(f"PutEvents rejected {response['FailedEntryCount']} entries: {failures}")


def publish(*events: PlatformEvent) -> None:
    """Put platform events on the bus named by ``EVENT_BUS_NAME`` (see :func:`put_entries`)."""
    put_entries([entry(event) for event in events])


@cache
def _store_client() -> Any:
    """The one DynamoDB client of every idempotency layer in the process.

    Given no client, Powertools builds a new ``boto3.session.Session()`` and client per layer
    (``DynamoDBPersistenceLayer.__init__``, aws_lambda_powertools 3.37.0
    utilities/idempotency/persistence/dynamodb.py), and a handler has one layer per effect: each Session
    loads the SDK's data files again at import (issue 12 §4, ``bench/cold_start.py``). Layers stay one per
    effect (``functions.shared.effects``); a client is safe to share between them and across threads
    (boto3 guide, "Multithreading or multiprocessing with clients": clients are thread-safe, sessions are not).
    Kept apart from :func:`client`, so a test that swaps the clients of its calls never intercepts the store's.
    """
    return boto3.client("dynamodb", config=_CLIENT_CONFIG)


def idempotency_store() -> DynamoDBPersistenceLayer:
    """Powertools idempotency persistence on the table named by ``IDEMPOTENCY_TABLE_NAME``.

    The table's partition key is ``id`` (string) and its TTL attribute ``expiration``.
    """
    return DynamoDBPersistenceLayer(
        table_name=settings.require(ENV_IDEMPOTENCY_TABLE_NAME),
        key_attr=IDEMPOTENCY_KEY_ATTR,
        expiry_attr=IDEMPOTENCY_EXPIRY_ATTR,
        boto3_client=_store_client(),
    )


def idempotency_config(event_key_jmespath: str, **kwargs: Any) -> IdempotencyConfig:
    """An :class:`IdempotencyConfig` keyed on ``event_key_jmespath`` with the configured record TTL."""
    ttl = settings.as_int(ENV_IDEMPOTENCY_TTL_SECONDS, DEFAULT_IDEMPOTENCY_TTL_SECONDS, minimum=60)
    return IdempotencyConfig(event_key_jmespath=event_key_jmespath, expires_after_seconds=ttl, **kwargs)
