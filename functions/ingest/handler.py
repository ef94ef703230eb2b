"""``ingest`` Lambda: API Gateway HTTP API (payload format 2.0) -> ``RequestReceived`` on EventBridge.

Every client mistake gets a 4xx JSON body ``{"error": {"code", "message"}}``; a failing dependency
(Bedrock, EventBridge, the idempotency store) gets 503 with ``Retry-After`` so the client can retry.
Nothing a client sends can cause a 500.

The ``Idempotency-Key`` is scoped to the caller (the JWT ``sub``) and the whole request; with a key, the
request id is derived from them (:meth:`IngestCommand.request_id`), so when the store fails *after* the
event was published, the client's retry publishes the same request again and the downstream functions,
idempotent on the request id, treat it as the duplicate it is.

A ``connection_id`` must be a WebSocket connection the caller opened (recorded at ``$connect`` under the same
JWT ``sub``, :mod:`functions.shared.connections`); any other, unknown or closed one is a 403 before anything
is published (issue 12 §2), and ``deliver`` checks again before it pushes. The check runs *inside* the
idempotent :func:`accept`: the stored 202 of a completed request wins (the client's retry after its connection
closed, or while the connections table is throttled, is told its request exists), a new request still needs the
caller's open connection, and a 403 or 503 is never stored (Powertools deletes the in-progress record when the
function raises, ``IdempotencyHandler._get_function_response``; when that delete itself fails, the caller gets a 503
and a retry a 409 until the in-progress record expires: docs/delivery-guarantees.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from functions.ingest import intake
from functions.ingest.models import IDEMPOTENCY_KEY_PATTERN, IngestCommand, IngestRequest, normalise_prompt
from functions.shared import connections, idempotency, settings
from functions.shared.constants import (
    ENV_GUARDRAIL_ID,
    ENV_GUARDRAIL_VERSION,
    ENV_MAX_BODY_BYTES,
    ENV_MAX_PROMPT_CHARS,
    TRACED_MODULES,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

IDEMPOTENCY_HEADER = "idempotency-key"  # HTTP API lower-cases header names in payload 2.0
CONTENT_TYPE_HEADER = "content-type"
JSON_MEDIA_TYPE = "application/json"
RETRY_AFTER_SECONDS = 2
DEFAULT_MAX_PROMPT_CHARS = 8_000
DEFAULT_MAX_BODY_BYTES = 64 * 1024
_persistence = idempotency.store()
# Keyed on the caller and their key; the same key with another request body is a 422 (payload validation).
_idempotency = idempotency.config("[subject, idempotency_key]", payload_validation_jmespath="[prompt, connection_id]")


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """Limits and guardrail identity, read once per container."""

    max_prompt_chars: int
    max_body_bytes: int
    guardrail_id: str
    guardrail_version: str


@cache
def load_settings() -> IngestSettings:
    """Read :class:`IngestSettings` from the environment (cached; tests call ``cache_clear``)."""
    return IngestSettings(
        max_prompt_chars=settings.as_int(ENV_MAX_PROMPT_CHARS, DEFAULT_MAX_PROMPT_CHARS, minimum=1),
        max_body_bytes=settings.as_int(ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, minimum=1),
        guardrail_id=settings.require(ENV_GUARDRAIL_ID),
        guardrail_version=settings.require(ENV_GUARDRAIL_VERSION),
    )


class HttpError(Exception):
    """A response to send instead of 202; raised anywhere below the handler."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.retry_after = retry_after

    def response(self) -> dict[str, Any]:
        """The API Gateway proxy response for this error."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        headers = {"retry-after": str(self.retry_after)} if self.retry_after is not None else {}
        return json_response(self.status, {"error": error}, headers)


def json_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTP API proxy response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"content-type": JSON_MEDIA_TYPE, **(headers or {})},
        "body": json.dumps(body),
    }


def _headers(api_event: APIGatewayProxyEventV2Model) -> dict[str, str]:
    return {name.lower(): value for name, value in (api_event.headers or {}).items()}


def _require_json(api_event: APIGatewayProxyEventV2Model) -> None:
    """415 unless the body is declared ``application/json`` (parameters such as ``charset`` allowed)."""
    media_type = _headers(api_event).get(CONTENT_TYPE_HEADER, "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise HttpError(415, "unsupported_media_type", f"Content-Type must be {JSON_MEDIA_TYPE}.")


def _subject(api_event: APIGatewayProxyEventV2Model) -> str:
    """The caller's JWT ``sub`` (the HTTP API's JWT authoriser puts its claims in the request context)."""
    authorizer = api_event.requestContext.authorizer
    claims = authorizer.jwt.claims if authorizer is not None and authorizer.jwt is not None else {}
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else ""


def _body_bytes(api_event: APIGatewayProxyEventV2Model, limit: int) -> bytes:
    body = api_event.body if isinstance(api_event.body, str) else ""
    if len(body) > limit * 4 // 3 + 4:  # cheap bound before decoding anything
        raise HttpError(413, "body_too_large", f"The request body exceeds {limit} bytes.")
    try:
        raw = base64.b64decode(body, validate=True) if api_event.isBase64Encoded else body.encode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise HttpError(400, "invalid_encoding", "The request body is not valid base64 or UTF-8.") from exc
    if len(raw) > limit:
        raise HttpError(413, "body_too_large", f"The request body exceeds {limit} bytes.")
    return raw


def _decode_json(raw: bytes) -> object:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, "invalid_encoding", "The request body is not valid UTF-8.") from exc
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; deep nesting recurses
        raise HttpError(400, "invalid_json", "The request body is not valid JSON.") from exc


def _idempotency_key(api_event: APIGatewayProxyEventV2Model) -> str | None:
    key = _headers(api_event).get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key) is None:
        raise HttpError(400, "invalid_idempotency_key", f"Idempotency-Key must match {IDEMPOTENCY_KEY_PATTERN}.")
    return key


def to_command(event: dict[str, Any], config: IngestSettings) -> IngestCommand:
    """Validate an HTTP API event into an :class:`IngestCommand` or raise :class:`HttpError` (4xx).

    Parameters
    ----------
    event : dict[str, Any]
        The raw Lambda event (HTTP API payload format 2.0).
    config : IngestSettings
        Size limits.

    Returns
    -------
    IngestCommand
        Normalised prompt, optional WebSocket connection id and optional idempotency key.
    """
    try:
        api_event = parse(event=event, model=APIGatewayProxyEventV2Model)
    except (ValidationError, TypeError, ValueError) as exc:
        raise HttpError(400, "malformed_event", "The request could not be read.") from exc
    _require_json(api_event)
    data = _decode_json(_body_bytes(api_event, config.max_body_bytes))
    if not isinstance(data, dict):
        raise HttpError(422, "invalid_request", "The request body must be a JSON object.")
    try:
        request = IngestRequest.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]}
            for error in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise HttpError(422, "invalid_request", "The request body does not match the schema.", details) from exc
    prompt = normalise_prompt(request.prompt)
    if not prompt:
        raise HttpError(422, "empty_prompt", "The prompt is empty.")
    if len(prompt) > config.max_prompt_chars:
        raise HttpError(413, "prompt_too_large", f"The prompt exceeds {config.max_prompt_chars} characters.")
    return IngestCommand(
        prompt=prompt,
        connection_id=request.connection_id,
        idempotency_key=_idempotency_key(api_event),
        subject=_subject(api_event),
    )


# The command carries the prompt: never into X-Ray (capture_response off).
@tracer.capture_method(capture_response=False)
def accept(command: IngestCommand) -> dict[str, Any]:
    """Screen the prompt, emit ``RequestReceived`` and return the accepted request's summary.

    Raises
    ------
    HttpError
        403 when the named connection is not the caller's, 400 when the guardrail blocks the prompt, 503 when
        the connection look-up, Bedrock or EventBridge fail.
    """
    _check_connection(command)
    config = load_settings()
    try:
        event = intake.screen_and_publish(
            command.prompt,
            guardrail_id=config.guardrail_id,
            guardrail_version=config.guardrail_version,
            metrics=metrics,
            logger=logger,
            connection_id=command.connection_id,
            request_id=command.request_id() if command.idempotency_key else None,
            subject=command.subject or None,
        )
    except intake.IntakeError as exc:
        retry_after = RETRY_AFTER_SECONDS if exc.status >= 500 else None
        raise HttpError(exc.status, exc.code, exc.message, retry_after=retry_after) from exc
    return {"request_id": event.request_id, "status": "accepted", "language": event.language}


accept_once = idempotent_function(data_keyword_argument="command", config=_idempotency, persistence_store=_persistence)(
    accept
)
""":func:`accept` deduplicated on the caller's ``Idempotency-Key`` (same caller, key and body -> same answer)."""


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Accept a prompt over HTTP and queue it for answering.

    Parameters
    ----------
    event : dict[str, Any]
        API Gateway HTTP API event, payload format 2.0. Body: ``{"prompt": str, "connection_id": str?}``;
        optional ``Idempotency-Key`` header.
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        202 ``{"request_id", "status": "accepted", "language"}``, or a 4xx/503 error body.

    Examples
    --------
    ``curl -X POST $API/requests -d '{"prompt": "What is the capital of France?"}'`` ->
    ``202 {"request_id": "5f1d...", "status": "accepted", "language": "en"}``
    """
    _idempotency.register_lambda_context(context)
    try:
        result = _accept_http(event)
    except HttpError as exc:
        metrics.add_metric(name="RequestRejected", unit=MetricUnit.Count, value=1)
        logger.info("request rejected", extra={"status": exc.status, "code": exc.code})
        return exc.response()
    metrics.add_metric(name="RequestAccepted", unit=MetricUnit.Count, value=1)
    return json_response(202, result)


def _check_connection(command: IngestCommand) -> None:
    """403 unless the named connection is the caller's own; unknown and foreign look alike (no probing)."""
    if command.connection_id is None:
        return
    try:
        mine = connections.belongs_to(command.connection_id, command.subject)
    except (ClientError, BotoCoreError) as exc:
        logger.exception("connection look-up failed")
        raise HttpError(
            503, "unavailable", "The connection could not be checked; retry later.", retry_after=RETRY_AFTER_SECONDS
        ) from exc
    if not mine:
        raise HttpError(403, "connection_not_yours", "connection_id is not an open connection of yours.")


def _accept_http(event: dict[str, Any]) -> dict[str, Any]:
    command = to_command(event, load_settings())
    if not command.idempotency_key:
        return accept(command)
    try:
        return accept_once(command=command)
    except IdempotencyValidationError as exc:
        raise HttpError(422, "idempotency_key_reused", "This Idempotency-Key was used with another request.") from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise HttpError(
            409, "in_progress", "A request with this Idempotency-Key is in progress.", retry_after=RETRY_AFTER_SECONDS
        ) from exc
    except IdempotencyPersistenceLayerError as exc:
        # The store failed (throttled...) before or after publishing; a retry is safe either way (same request id).
        logger.exception("idempotency store failed")
        raise HttpError(
            503, "unavailable", "The request could not be recorded; retry later.", retry_after=RETRY_AFTER_SECONDS
        ) from exc
