"""External side effects that happen once per request, whatever the platform retries.

Lambda, EventBridge and Step Functions deliver at least once and retry a failed invocation from the top.
A handler therefore writes the record of what it decided first (conditionally), and runs each external
effect (a paid model call, a review notice, a WebSocket push, an outcome event) through :func:`once`: a
Powertools idempotent function keyed on what identifies the effect (``effect#request_id`` ...). When a
later step fails and the invocation is retried, the effect's COMPLETED record returns the stored result
instead of repeating the effect; when the effect itself fails, Powertools deletes its in-progress record
and the retry performs it again (at least once, never twice after success).

An effect that succeeded is never failed, nor repeated, because of its own bookkeeping. When only the store's
"completed" write fails (``IdempotencyPersistenceLayerError`` after the function returned), the record is left
INPROGRESS with the invocation's remaining time as its in-progress expiry (aws_lambda_powertools 3.37.0
utilities/idempotency/base.py ``_get_function_response``, persistence/base.py ``save_inprogress``): a retry
after any later failure of the invocation meets ``IdempotencyAlreadyInProgressError`` and, once that expiry
passed, ``DynamoDBPersistenceLayer._put_record`` takes the record over and the effect runs *again* (review F5).
So the write is retried here (:data:`COMPLETION_RETRY_PAUSES`, each with botocore's own retries), and the
result is returned either way, so the invocation goes on. An effect whose completion could not be written
through all of that is logged (``effect done but not recorded``); what still guards it is its durable marker
in the audit table where it has one (docs/delivery-guarantees.md, "The one window left").

One persistence layer per effect: Powertools configures a layer once (jmespath, key prefix) and then keeps
it, so layers are never shared between effects (``BasePersistenceLayer.configure``).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError
from aws_lambda_powertools.utilities.idempotency.serialization.no_op import NoOpSerializer

from functions.shared import aws, idempotency

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.serialization.base import BaseIdempotencySerializer
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.shared.events import PlatformEvent

F = TypeVar("F", bound=Callable[..., Any])
_CONFIGS: list[IdempotencyConfig] = []
logger = Logger(child=True)

#: Pauses before each retry of an effect's "completed" write (seconds, doubling: 0.7 s at most, well inside
#: every function's timeout). Each attempt is one ``UpdateItem`` with botocore's own retries (``aws.MAX_ATTEMPTS``).
COMPLETION_RETRY_PAUSES: tuple[float, ...] = (0.1, 0.2, 0.4)
#: How the pauses are waited (the harness scales time: tests/functions/pipeline.py).
pause: Callable[[float], None] = time.sleep

#: The key of every effect's item: which effect, for which request (and outcome, where one request has two).
EFFECT_KEY_JMESPATH = "effect_key"


def once(output_serializer: BaseIdempotencySerializer | None = None) -> Callable[[F], F]:
    """Decorate ``fn(*, item: dict)`` so that it runs once per ``item["effect_key"]``.

    Parameters
    ----------
    output_serializer : BaseIdempotencySerializer, optional
        How the stored result is turned back into the function's return type (e.g. a pydantic model).

    Examples
    --------
    >>> @once()  # doctest: +SKIP
    ... def notify(*, item: dict) -> dict: ...
    >>> notify(item={"effect_key": f"notify#{request_id}", ...})  # doctest: +SKIP
    """

    def decorate(fn: F) -> F:
        config = idempotency.config(EFFECT_KEY_JMESPATH, raise_on_no_idempotency_key=True)
        _CONFIGS.append(config)
        store = idempotency.store()
        finished = threading.local()  # (effect key, result) of the effect this thread just performed

        @functools.wraps(fn)  # Powertools keys records on the function's module and qualified name
        def perform(*, item: dict[str, Any]) -> Any:
            result = fn(item=item)
            finished.value = (item[EFFECT_KEY_JMESPATH], result)
            return result

        wrapped = idempotent_function(
            data_keyword_argument="item",
            config=config,
            persistence_store=store,
            output_serializer=output_serializer,
        )(perform)

        @functools.wraps(fn)
        def call(*, item: dict[str, Any]) -> Any:
            finished.value = None
            try:
                return wrapped(item=item)
            except IdempotencyPersistenceLayerError:
                done = finished.value
                if done is None or done[0] != item[EFFECT_KEY_JMESPATH]:
                    raise  # the effect did not run (the in-progress write failed): retrying is safe
                if not _complete(store, output_serializer, item, done[1]):
                    logger.warning("effect done but not recorded", extra={"effect_key": done[0]})
                return done[1]

        return cast("F", call)

    return decorate


def _complete(
    store: BasePersistenceLayer, serializer: BaseIdempotencySerializer | None, item: dict[str, Any], result: Any
) -> bool:
    """Write the COMPLETED record Powertools could not (its ``save_success``, again); False when it never took.

    The same call as ``IdempotentFunction._get_function_response`` makes: the stored response is the
    serializer's dict (Powertools' ``NoOpSerializer`` by default), the key is hashed from ``item`` by the store
    this effect configured.
    """
    response = None if result is None else (serializer or NoOpSerializer()).to_dict(result)
    for seconds in COMPLETION_RETRY_PAUSES:
        pause(seconds)
        try:
            store.save_success(data=item, result=response)  # type: ignore[arg-type]  # None as Powertools passes it
        except Exception as error:  # whatever the store raised, the effect must not fail now
            logger.warning("effect's completion write failed", extra={"effect_key": item[EFFECT_KEY_JMESPATH],
                                                                       "error": type(error).__name__})  # fmt: skip
            continue
        return True
    return False


def register_lambda_context(context: LambdaContext) -> None:
    """Bound every effect's in-progress record by this invocation's remaining time.

    Without it an effect whose invocation died mid-way would block its retries until the record expires
    (``IdempotencyConfig.register_lambda_context``: the in-progress expiry is the remaining time).
    """
    for config in _CONFIGS:
        config.register_lambda_context(context)


def effect_key(effect: str, *parts: str) -> str:
    """``effect#part#part``: the identity of one effect.

    Examples
    --------
    >>> effect_key("publish", "DecisionMade", "5f1d7c2e-8a4b-4c1e-9d3f-2b6a7e9c0d11")
    'publish#DecisionMade#5f1d7c2e-8a4b-4c1e-9d3f-2b6a7e9c0d11'
    """
    return "#".join((effect, *parts))


@once()
def _publish(*, item: dict[str, Any]) -> dict[str, Any]:
    aws.put_entries([item["entry"]])
    return {"published": item["effect_key"]}


def publish_once(event: PlatformEvent, *qualifiers: str) -> None:
    """Put ``event`` on the bus once per (detail-type, request id, ``qualifiers``): its deterministic identity.

    A retry of the publishing handler (after a failure *after* this call) does not put the event again.

    Raises
    ------
    EventPublishError
        When EventBridge rejects the entry (``FailedEntryCount`` > 0); the record is released, so a retry
        publishes it.
    """
    entry = aws.entry(event)
    _publish(
        item={"effect_key": effect_key("publish", event.DETAIL_TYPE, event.request_id, *qualifiers), "entry": entry}
    )
