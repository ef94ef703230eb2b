"""The Powertools idempotency store and configuration every idempotent handler and effect uses.

Its own module so that a handler without idempotency (the WebSocket ``$connect`` route) never imports
Powertools' idempotency utility, whose DynamoDB layer imports boto3 (issue 12 §4, ``bench/cold_start.py``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

from functions.shared import aws, settings
from functions.shared.constants import (
    ENV_IDEMPOTENCY_TABLE_NAME,
    ENV_IDEMPOTENCY_TTL_SECONDS,
    IDEMPOTENCY_EXPIRY_ATTR,
    IDEMPOTENCY_KEY_ATTR,
)

DEFAULT_IDEMPOTENCY_TTL_SECONDS = 3600


def store() -> DynamoDBPersistenceLayer:
    """Powertools idempotency persistence on the table named by ``IDEMPOTENCY_TABLE_NAME``.

    The table's partition key is ``id`` (string) and its TTL attribute ``expiration``. Every layer shares
    :func:`functions.shared.aws.store_client`: given no client, Powertools builds a new
    ``boto3.session.Session()`` and client per layer (``DynamoDBPersistenceLayer.__init__``, aws_lambda_powertools
    3.37.0 utilities/idempotency/persistence/dynamodb.py), and a handler has one layer per effect, each Session
    loading the SDK's data files again. Layers stay one per effect (``functions.shared.effects``).
    """
    return DynamoDBPersistenceLayer(
        table_name=settings.require(ENV_IDEMPOTENCY_TABLE_NAME),
        key_attr=IDEMPOTENCY_KEY_ATTR,
        expiry_attr=IDEMPOTENCY_EXPIRY_ATTR,
        boto3_client=aws.store_client(),
    )


def ttl_seconds() -> int:
    """How long an idempotency record lives (``IDEMPOTENCY_TTL_SECONDS``): the one figure for "once".

    Also the agent door's window in which a submission counts as a retry (functions/actions/submissions.py).
    """
    return settings.as_int(ENV_IDEMPOTENCY_TTL_SECONDS, DEFAULT_IDEMPOTENCY_TTL_SECONDS, minimum=60)


def config(event_key_jmespath: str, **kwargs: Any) -> IdempotencyConfig:
    """An :class:`IdempotencyConfig` keyed on ``event_key_jmespath`` with the configured record TTL."""
    return IdempotencyConfig(event_key_jmespath=event_key_jmespath, expires_after_seconds=ttl_seconds(), **kwargs)
