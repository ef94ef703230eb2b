"""Parse the events the workflow hands to a handler, with or without their EventBridge envelope.

A Step Functions execution started by an EventBridge rule receives the whole event; a state may pass
it on as is or pass just ``detail``. Handlers accept both, and check the detail-type when present.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.shared.events import PlatformEvent

EventT = TypeVar("EventT", bound=PlatformEvent)

REQUEST_ID_JMESPATH = "detail.request_id || request_id"
"""Where the request id is, with or without the envelope (correlation + idempotency key)."""


class UnexpectedEventError(ValueError):
    """The event is not the detail-type this handler consumes."""


def is_enveloped(event: Any) -> bool:
    """True when ``event`` looks like an EventBridge event rather than a bare detail."""
    return isinstance(event, dict) and "detail" in event and "detail-type" in event


def unwrap(event: dict[str, Any], model: type[EventT]) -> EventT:
    """Validate ``event`` (an EventBridge event or its bare ``detail``) into ``model``.

    Raises
    ------
    UnexpectedEventError
        When the envelope's ``detail-type`` is not ``model.DETAIL_TYPE``.
    pydantic.ValidationError
        When the payload does not match the contract.
    """
    if is_enveloped(event):
        envelope = parse(event=event, model=EventBridgeModel)
        if envelope.detail_type != model.DETAIL_TYPE:
            raise UnexpectedEventError(f"expected detail-type {model.DETAIL_TYPE}, got {envelope.detail_type!r}")
        return parse(event=cast("dict[str, Any]", envelope.detail), model=model)
    return parse(event=event, model=model)
