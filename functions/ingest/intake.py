"""The one way a prompt enters the platform: screen it with the guardrail, then emit ``RequestReceived``.

Both doors use it: the HTTP API (``functions.ingest.handler``) and the agent's action group
(``functions.actions.handler``). Each translates :class:`IntakeError` into its own response shape.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from functions.ingest import guardrail
from functions.ingest.language import detect_language
from functions.shared import audit, aws, settings
from functions.shared.constants import ENV_AUDIT_RETENTION_DAYS
from functions.shared.events import RequestReceived
from functions.shared.exceptions import EventPublishError

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools import Logger, Metrics

BLOCKED_MESSAGE = "The request was blocked by the content policy."


class IntakeError(Exception):
    """The prompt was not accepted: 400 when the guardrail blocks it, 503 when Bedrock or EventBridge fail."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def screen_and_publish(
    prompt: str,
    *,
    guardrail_id: str,
    guardrail_version: str,
    metrics: Metrics,
    logger: Logger,
    connection_id: str | None = None,
    request_id: str | Callable[[], str] | None = None,
    subject: str | None = None,
) -> RequestReceived:
    """Screen ``prompt`` (PII redacted, content policies applied) and put ``RequestReceived`` on the bus.

    Returns the published event; its ``request_id`` (``request_id`` when given, else a new UUID) becomes
    the logger's correlation id. A caller that can retry passes a deterministic ``request_id``, so that a
    repeated publish is the same request downstream, never a second one. A callable is called once the prompt
    passed screening, right before the publish, so a blocked prompt never claims an id (the agent's door records
    its claim: functions/actions/submissions.py); it raises :class:`IntakeError` itself when it cannot decide.

    Raises
    ------
    IntakeError
        400 ``blocked_by_guardrail``; 503 ``screening_unavailable`` or ``unavailable``.
    """
    language = detect_language(prompt)
    try:
        screening = guardrail.screen(prompt, guardrail_id, guardrail_version)
    except (ClientError, BotoCoreError) as exc:
        logger.exception("guardrail call failed")
        raise IntakeError(503, "screening_unavailable", "Screening is temporarily unavailable; retry later.") from exc
    if screening.blocked:
        metrics.add_metric(name="PromptBlocked", unit=MetricUnit.Count, value=1)
        raise IntakeError(400, "blocked_by_guardrail", screening.message or BLOCKED_MESSAGE)
    if screening.redacted:
        metrics.add_metric(name="PiiRedacted", unit=MetricUnit.Count, value=1)
    chosen = request_id() if callable(request_id) else request_id
    event = RequestReceived(
        request_id=chosen or str(uuid.uuid4()),
        prompt=screening.text,
        language=language,
        pii_redacted=screening.redacted,
        connection_id=connection_id,
        subject=subject,
        # The workflow's failure path keeps its audit records as long as decide keeps its own (P146, P147).
        audit_expires_at=audit.expires_at(settings.as_int(ENV_AUDIT_RETENTION_DAYS, 0, minimum=0)),
    )
    logger.set_correlation_id(event.request_id)
    try:
        aws.publish(event)
    except (ClientError, BotoCoreError, EventPublishError) as exc:
        logger.exception("publishing RequestReceived failed")
        raise IntakeError(503, "unavailable", "The request could not be queued; retry later.") from exc
    return event
