"""``actions`` Lambda: the Bedrock agent's action group, an OpenAPI API served by ``BedrockAgentResolver``.

Operations (the agent reads their descriptions to decide when to call them):

* ``POST /requests``: screen the user's request with the stack guardrail, put ``RequestReceived`` on the
  bus and return its ``request_id``. This is the only way the agent hands work to back-end automation
  (the workflow starts from the bus rule; P032-P034, P178). Idempotent per agent session and prompt within
  the idempotency window, so a repeated tool call does not start the workflow twice; the same prompt after
  that window is a new request (:mod:`functions.actions.submissions`).
* ``GET /requests/{request_id}``: the request's status from the audit table, for the session that submitted it
  only: any other id, another session's or the HTTP API's callers', is answered as unknown (404).

Every client mistake is answered as a Bedrock action-group response with a 4xx status and a JSON body
``{"code", "message"}`` the agent can relay; a failing dependency gets 503. Nothing the agent sends can
make the invocation fail. Bedrock invokes action-group Lambdas synchronously, so a failed invocation
would only surface as an agent error, never reach a dead-letter queue.

The OpenAPI schema Bedrock needs is generated from this resolver by :mod:`functions.actions.schema`
and committed as ``functions/actions/openapi.json`` (a test keeps the two equal).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import BedrockAgentResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import BedrockAgentEventModel
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from functions.actions import submissions
from functions.actions.models import (
    REQUEST_STATES,
    ErrorBody,
    RequestStatus,
    SubmitCommand,
    SubmitRequest,
    SubmittedRequest,
    session_digest,
)
from functions.ingest import intake
from functions.ingest.models import normalise_prompt
from functions.shared import aws, idempotency, settings
from functions.shared.constants import (
    AUDIT_DECISION_RECORD,
    AUDIT_FAILURE_RECORD,
    AUDIT_KEY_ATTR,
    AUDIT_SORT_ATTR,
    AUDIT_SUBMITTED_RECORD,
    ENV_AUDIT_RETENTION_DAYS,
    ENV_AUDIT_TABLE_NAME,
    ENV_GUARDRAIL_ID,
    ENV_GUARDRAIL_VERSION,
    ENV_MAX_PROMPT_CHARS,
    TRACED_MODULES,
)
from functions.shared.events import REQUEST_ID_PATTERN

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()
app = BedrockAgentResolver()

DEFAULT_MAX_PROMPT_CHARS = 8_000
#: Bedrock's action-group event carries the session id; it is the correlation id until a request id exists.
SESSION_ID_PATH = "sessionId"
_idempotency = idempotency.config("[session_id, prompt]")


@dataclass(frozen=True, slots=True)
class ActionSettings:
    """Limits, guardrail identity and the audit table, read once per container."""

    max_prompt_chars: int
    guardrail_id: str
    guardrail_version: str
    audit_table: str
    audit_retention_days: int
    window_seconds: int


@cache
def load_settings() -> ActionSettings:
    """Read :class:`ActionSettings` from the environment (cached; tests call ``cache_clear``)."""
    return ActionSettings(
        max_prompt_chars=settings.as_int(ENV_MAX_PROMPT_CHARS, DEFAULT_MAX_PROMPT_CHARS, minimum=1),
        guardrail_id=settings.require(ENV_GUARDRAIL_ID),
        guardrail_version=settings.require(ENV_GUARDRAIL_VERSION),
        audit_table=settings.require(ENV_AUDIT_TABLE_NAME),
        audit_retention_days=settings.as_int(ENV_AUDIT_RETENTION_DAYS, 0, minimum=0),
        window_seconds=idempotency.ttl_seconds(),
    )


class ActionError(Exception):
    """An answer to send instead of the operation's result; raised anywhere below a route."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, str]:
        return ErrorBody(code=self.code, message=self.message).model_dump()


@app.exception_handler(ActionError)
def _action_error(exc: ActionError) -> Response[dict[str, str]]:
    metrics.add_metric(name="ActionRejected", unit=MetricUnit.Count, value=1)
    logger.info("action rejected", extra={"status": exc.status, "code": exc.code})
    return Response(status_code=exc.status, content_type=content_types.APPLICATION_JSON, body=exc.body())


@app.exception_handler(RequestValidationError)
def _invalid_input(exc: RequestValidationError) -> Response[dict[str, str]]:
    """422 in the same ``{"code", "message"}`` shape as every other error (field names only, never values)."""
    fields = sorted({".".join(str(part) for part in error.get("loc", ())[1:]) or "body" for error in exc.errors()})
    return _action_error(ActionError(422, "invalid_input", f"Invalid or missing input: {', '.join(fields)}."))


@app.not_found
def _no_such_operation(exc: NotFoundError) -> Response[dict[str, str]]:
    return _action_error(ActionError(404, "no_such_operation", "This action group has no such operation."))


def _responses(
    ok: type[SubmittedRequest | RequestStatus], description: str, *errors: int
) -> dict[int, OpenAPIResponse]:
    """The operation's OpenAPI responses: 200 with ``ok``, and each error status with :class:`ErrorBody`."""
    responses: dict[int, OpenAPIResponse] = {
        200: {"description": description, "content": {"application/json": {"model": ok}}}
    }
    for status in errors:
        responses[status] = {
            "description": _ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"model": ErrorBody}},
        }
    return responses


_ERROR_DESCRIPTIONS = {
    400: "The request was blocked by the content policy.",
    404: "No such operation, or no request with this id was submitted in this session.",
    409: "The same request is already being submitted.",
    413: "The request is too long.",
    422: "The input does not match the schema, or the request is empty.",
    503: "A dependency is unavailable; retry later.",
}


# --- POST /requests ------------------------------------------------------------------------------


@tracer.capture_method
def submit(command: SubmitCommand) -> dict[str, Any]:
    """Screen the prompt, emit ``RequestReceived`` and return the accepted request's summary.

    Raises
    ------
    ActionError
        400 when the guardrail blocks the prompt, 503 when Bedrock, the audit table or EventBridge fail.
    """
    config = load_settings()

    def claimed() -> str:
        """This submission's request id, recorded as the session's (after screening, before the publish)."""
        try:
            return submissions.claim(
                config.audit_table,
                command,
                window_seconds=config.window_seconds,
                retention_days=config.audit_retention_days,
            )
        except (ClientError, BotoCoreError, submissions.GenerationsExhaustedError) as exc:
            logger.exception("recording the submission failed")
            raise intake.IntakeError(503, "unavailable", "The request could not be recorded; retry later.") from exc

    try:
        event = intake.screen_and_publish(
            command.prompt,
            guardrail_id=config.guardrail_id,
            guardrail_version=config.guardrail_version,
            metrics=metrics,
            logger=logger,
            request_id=claimed,
        )
    except intake.IntakeError as exc:
        raise ActionError(exc.status, exc.code, exc.message) from exc
    metrics.add_metric(name="RequestSubmitted", unit=MetricUnit.Count, value=1)
    return SubmittedRequest(request_id=event.request_id, status="accepted", language=event.language).model_dump()


@cache
def submit_once() -> Callable[..., dict[str, Any]]:
    """:func:`submit` deduplicated per agent session and prompt (Powertools idempotency, built on first use)."""
    return idempotent_function(
        data_keyword_argument="command", config=_idempotency, persistence_store=idempotency.store()
    )(submit)


@app.post(
    "/requests",
    description=(
        "Submit the user's request for background processing by the back-end workflow. Use it when the "
        "user asks for something to be processed, reviewed or followed up later rather than answered now. "
        "Returns the request_id the user can quote to ask for the request's status."
    ),
    summary="Submit a request for back-end processing",
    operation_id="submitRequest",
    responses=_responses(
        SubmittedRequest, "The request was accepted; processing continues in the background.", 400, 409, 413, 422, 503
    ),
)
def submit_request(request: Annotated[SubmitRequest, Body(embed=False)]) -> SubmittedRequest:
    prompt = normalise_prompt(request.prompt)
    if not prompt:
        raise ActionError(422, "empty_prompt", "The request is empty.")
    limit = load_settings().max_prompt_chars
    if len(prompt) > limit:
        raise ActionError(413, "prompt_too_large", f"The request exceeds {limit} characters.")
    command = SubmitCommand(session_id=app.current_event.session_id, prompt=prompt)
    try:
        result = submit_once()(command=command)
    except IdempotencyAlreadyInProgressError as exc:
        raise ActionError(409, "in_progress", "The same request is already being submitted.") from exc
    except IdempotencyPersistenceLayerError as exc:
        # The store failed before or after the publish; a retry is safe either way (same request id).
        logger.exception("idempotency store failed")
        raise ActionError(503, "unavailable", "The request could not be recorded; retry later.") from exc
    return SubmittedRequest.model_validate(result)


# --- GET /requests/{request_id} -------------------------------------------------------------------


@tracer.capture_method
def read_status(request_id: str, session_id: str) -> RequestStatus:
    """The request's status from its audit records (``pending`` until its outcome is recorded).

    The table holds one item per record of a request (sort key ``record``); the workflow's failure record,
    when there is one, is what the user was told, so it wins over a decision that was never published. Only the
    session that submitted the request may read it (its ``submitted`` record names the session): an id of
    another session or of the HTTP API, and an unknown id, get the same 404 (review s11 3 #11; P062).

    Raises
    ------
    ActionError
        404 when this session submitted no such request, 503 when the audit table fails.
    """
    try:
        response = aws.client("dynamodb").query(
            TableName=load_settings().audit_table,
            KeyConditionExpression="#pk = :id",
            ExpressionAttributeNames={"#pk": AUDIT_KEY_ATTR, "#record": AUDIT_SORT_ATTR},
            ExpressionAttributeValues={":id": {"S": request_id}},
            ProjectionExpression=f"#record, outcome, decided_at, recorded_at, {submissions.SESSION_DIGEST_ATTR}",
            ConsistentRead=True,
        )
    except (ClientError, BotoCoreError) as exc:
        logger.exception("reading the audit record failed")
        raise ActionError(503, "unavailable", "The status is temporarily unavailable; retry later.") from exc
    records = {item.get(AUDIT_SORT_ATTR, {}).get("S"): item for item in response.get("Items", [])}
    if not submissions.submitted_by(records.get(AUDIT_SUBMITTED_RECORD), session_digest(session_id)):
        raise ActionError(404, "unknown_request", "No request with this id was submitted in this session.")
    item = records.get(AUDIT_FAILURE_RECORD) or records.get(AUDIT_DECISION_RECORD) or {}
    outcome = item.get("outcome", {}).get("S")
    updated = (item.get("decided_at") or item.get("recorded_at") or {}).get("S")
    if outcome not in REQUEST_STATES:
        return RequestStatus(request_id=request_id, status="pending")
    return RequestStatus(request_id=request_id, status=outcome, updated_at=updated or "")


@app.get(
    "/requests/<request_id>",
    description=(
        "Get the processing status of a request submitted earlier in this session, by its request_id. Statuses: "
        "pending, accepted (answered), escalated (a human reviewer will follow up), workflow_failed (handed to a "
        "human)."
    ),
    summary="Get the status of a submitted request",
    operation_id="getRequestStatus",
    responses=_responses(RequestStatus, "The request's current status.", 404, 422, 503),
)
def get_request_status(
    request_id: Annotated[str, Path(pattern=REQUEST_ID_PATTERN, description="The request_id returned on submission.")],
) -> RequestStatus:
    logger.set_correlation_id(request_id)
    return read_status(request_id, app.current_event.session_id)


# --- entry point -----------------------------------------------------------------------------------


def malformed_event_response(event: Any) -> dict[str, Any]:
    """A Bedrock action-group response (status 400) for an event that is not an OpenAPI action-group call.

    The echo fields are copied only when they are strings, so any input yields a well-formed answer
    (response shape: docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html#agents-lambda-response).

    Examples
    --------
    >>> malformed_event_response({"actionGroup": "requests"})["response"]["httpStatusCode"]
    400
    """
    fields = event if isinstance(event, dict) else {}

    def echo(key: str) -> str:
        value = fields.get(key)
        return value if isinstance(value, str) else ""

    body = ErrorBody(code="malformed_event", message="The action-group event could not be read.").model_dump()
    return {
        "messageVersion": "1.0",
        "response": {
            "actionGroup": echo("actionGroup"),
            "apiPath": echo("apiPath"),
            "httpMethod": echo("httpMethod"),
            "httpStatusCode": 400,
            "responseBody": {content_types.APPLICATION_JSON: {"body": json.dumps(body)}},
        },
    }


@logger.inject_lambda_context(correlation_id_path=SESSION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Serve one Bedrock agent action-group call (OpenAPI schema in ``functions/actions/openapi.json``).

    Parameters
    ----------
    event : dict[str, Any]
        Bedrock agent action-group event (``messageVersion`` 1.0, ``apiPath``, ``httpMethod``,
        ``parameters``, ``requestBody``), validated with Powertools' ``BedrockAgentEventModel``.
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        The action-group response: ``{"messageVersion": "1.0", "response": {"actionGroup", "apiPath",
        "httpMethod", "httpStatusCode", "responseBody": {"application/json": {"body": "<json>"}}}}``.

    Examples
    --------
    The agent decides to call ``POST /requests`` with ``prompt="Renew my parking permit"``; the answer
    body is ``{"request_id": "5f1d...", "status": "accepted", "language": "en"}`` and the workflow starts
    from the ``RequestReceived`` event on the bus.
    """
    try:
        parse(event=event, model=BedrockAgentEventModel)
    except (ValidationError, TypeError, ValueError):
        metrics.add_metric(name="ActionRejected", unit=MetricUnit.Count, value=1)
        logger.warning("malformed action-group event")
        return malformed_event_response(event)
    _idempotency.register_lambda_context(context)
    return app.resolve(event, context)
