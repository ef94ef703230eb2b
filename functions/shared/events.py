"""Contracts of every event the platform puts on EventBridge.

Importable with only pydantic installed: the deploy-time schema-registry component imports
:func:`event_schemas` without boto3 or Powertools. Keep it that way (no AWS imports here).

Flow: ``ingest`` emits ``RequestReceived`` -> the workflow runs ``router`` (emits
``ModelAnswered``) -> ``decide`` emits ``DecisionMade`` or ``EscalationRequested`` -> ``deliver``
emits ``ResultDelivered``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.shared.constants import EVENT_SOURCE

Tier = Literal["micro", "lite", "pro", "premier"]

REQUEST_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CONNECTION_ID_PATTERN = r"^[A-Za-z0-9_=+/-]{1,128}$"
SUBJECT_MAX_LENGTH = 256
_SUBJECT_DESCRIPTION = (
    "The caller who made the request (JWT sub); deliver pushes only to connections this caller opened."
)

_EXAMPLE_ID = "5f1d7c2e-8a4b-4c1e-9d3f-2b6a7e9c0d11"
_EXAMPLE_TIME = "2025-01-01T12:00:00Z"


def _now() -> datetime:
    return datetime.now(UTC)


#: Every contract model is built (core schema, validator, serializer) on its first use, not at import: each
#: handler imports all of them and uses two to four, and building one costs milliseconds of a cold start
#: (issue 12 §4, ``bench/cold_start.py``). ``defer_build``: "defer model validator and serializer construction
#: until the first model validation" (pydantic 2.14 ``pydantic/config.py``, ``ConfigDict.defer_build``;
#: https://docs.pydantic.dev/latest/api/config/). Subclasses inherit it with the rest of ``model_config``; the
#: schema registry's ``model_json_schema()`` builds on demand.
_CONTRACT = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PlatformEvent(BaseModel):
    """Fields every platform event carries; ``DETAIL_TYPE`` names it on the bus."""

    model_config = _CONTRACT

    DETAIL_TYPE: ClassVar[str]

    schema_version: Literal["1"] = "1"
    request_id: str = Field(pattern=REQUEST_ID_PATTERN, description="UUID assigned by ingest; correlation id.")
    occurred_at: datetime = Field(default_factory=_now, description="When the event happened (UTC).")

    def to_entry(self, event_bus_name: str) -> dict[str, str]:
        """Return this event as one ``PutEvents`` request entry.

        Parameters
        ----------
        event_bus_name : str
            Name or ARN of the platform bus.

        Returns
        -------
        dict[str, str]
            ``Source``, ``DetailType``, ``Detail`` (JSON text) and ``EventBusName``
            (field names from botocore ``events`` ``PutEventsRequestEntry``).
        """
        return {
            "Source": EVENT_SOURCE,
            "DetailType": self.DETAIL_TYPE,
            "Detail": self.model_dump_json(),
            "EventBusName": event_bus_name,
        }


class RequestReceived(PlatformEvent):
    """A user request passed validation and guardrail screening (PII already redacted)."""

    DETAIL_TYPE: ClassVar[str] = "RequestReceived"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "request_id": _EXAMPLE_ID,
                    "occurred_at": _EXAMPLE_TIME,
                    "prompt": "What is the capital of France? My email is {EMAIL}.",
                    "language": "en",
                    "pii_redacted": True,
                    "connection_id": "Ab12Cd34=",
                    "subject": "9f3c1e2a-7b4d-4e8f-a1c2-3d4e5f6a7b8c",
                }
            ]
        }
    )

    prompt: str = Field(min_length=1, description="The prompt after guardrail PII redaction.")
    language: str = Field(min_length=2, max_length=3, description="ISO 639-1 code, or 'und' when unknown.")
    pii_redacted: bool = Field(description="True when the guardrail anonymised part of the prompt.")
    connection_id: str | None = Field(
        default=None, pattern=CONNECTION_ID_PATTERN, description="WebSocket connection to push the result to."
    )
    subject: str | None = Field(default=None, max_length=SUBJECT_MAX_LENGTH, description=_SUBJECT_DESCRIPTION)
    audit_expires_at: int | None = Field(
        default=None,
        ge=1,
        description=(
            "When the request's audit records expire (epoch seconds, the audit table's TTL): AUDIT_RETENTION_DAYS "
            "after intake. The workflow's failure path writes it on its records (ASL has no clock arithmetic); "
            "None: kept for good."
        ),
    )


class TierAttempt(BaseModel):
    """One model call made while answering a request (a call that returned 200, so it may be paid)."""

    model_config = _CONTRACT

    tier: Tier
    model_id: str
    confidence: float = Field(ge=0.0, le=1.0)
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    cost_usd: float = Field(ge=0.0)
    stop_reason: str
    usage_known: bool = Field(
        default=True,
        description="False when the response had no usage block or could not be read: the cost is unknown, not $0.",
    )


class TierSkip(BaseModel):
    """A tier the router could not use for this request (the call failed after the SDK's retries)."""

    model_config = _CONTRACT

    tier: Tier
    model_id: str
    reason: str = Field(min_length=1, description="The service's error code, e.g. ThrottlingException.")


class ModelAnswered(PlatformEvent):
    """The router produced an answer (possibly after escalating through tiers, or from cache)."""

    DETAIL_TYPE: ClassVar[str] = "ModelAnswered"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "request_id": _EXAMPLE_ID,
                    "occurred_at": _EXAMPLE_TIME,
                    "prompt": "What is the capital of France? My email is {EMAIL}.",
                    "answer": "Paris.",
                    "confidence": 0.93,
                    "tier": "micro",
                    "model_id": "example-micro-model-id",
                    "prompt_name": "answer",
                    "prompt_version": 1,
                    "language": "en",
                    "attempts": [
                        {
                            "tier": "micro",
                            "model_id": "example-micro-model-id",
                            "confidence": 0.93,
                            "input_tokens": 120,
                            "output_tokens": 18,
                            "cost_usd": 0.0000123,
                            "stop_reason": "end_turn",
                        }
                    ],
                    "input_tokens": 120,
                    "output_tokens": 18,
                    "cost_usd": 0.0000123,
                    "cached": False,
                    "well_formed": True,
                    "guardrail_intervened": False,
                    "budget_exhausted": False,
                    "connection_id": "Ab12Cd34=",
                }
            ]
        }
    )

    prompt: str = Field(min_length=1, description="The (redacted) prompt that was answered; reviewers need it.")
    answer: str = Field(description="Final answer text (may be empty when every attempt failed).")
    confidence: float = Field(ge=0.0, le=1.0, description="Model's self-reported confidence of the final answer.")
    tier: Tier = Field(description="Tier that produced the final answer.")
    model_id: str
    prompt_name: str
    prompt_version: int = Field(ge=1)
    language: str = Field(min_length=2, max_length=3)
    attempts: list[TierAttempt] = Field(default_factory=list, description="Empty when served from cache.")
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    cost_usd: float = Field(ge=0.0, description="Estimated from the configured per-1k-token prices.")
    cost_known: bool = Field(default=True, description="False when any attempt's usage is unknown.")
    skipped: list[TierSkip] = Field(default_factory=list, description="Tiers that errored and were skipped.")
    cached: bool
    well_formed: bool = Field(description="The model followed the JSON output format.")
    guardrail_intervened: bool
    budget_exhausted: bool = Field(description="Escalation stopped because the token budget ran out.")
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)
    subject: str | None = Field(default=None, max_length=SUBJECT_MAX_LENGTH, description=_SUBJECT_DESCRIPTION)


class DecisionMade(PlatformEvent):
    """The answer passed the business rules and was stored in the outputs bucket."""

    DETAIL_TYPE: ClassVar[str] = "DecisionMade"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "request_id": _EXAMPLE_ID,
                    "occurred_at": _EXAMPLE_TIME,
                    "confidence": 0.93,
                    "tier": "micro",
                    "output_bucket": "agentic-outputs-dev",
                    "output_key": f"outputs/2025/01/01/{_EXAMPLE_ID}.json",
                    "connection_id": "Ab12Cd34=",
                }
            ]
        }
    )

    confidence: float = Field(ge=0.0, le=1.0)
    tier: Tier
    output_bucket: str = Field(min_length=3)
    output_key: str = Field(min_length=1, description="Claim check: the answer is in S3, not in the event.")
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)
    subject: str | None = Field(default=None, max_length=SUBJECT_MAX_LENGTH, description=_SUBJECT_DESCRIPTION)


EscalationReason = Literal[
    "low_confidence",
    "malformed_output",
    "guardrail_intervened",
    "truncated",
    "empty_answer",
    "model_unavailable",
    "workflow_failed",
]


class EscalationRequested(PlatformEvent):
    """The answer failed the business rules; a human review was requested."""

    DETAIL_TYPE: ClassVar[str] = "EscalationRequested"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "request_id": _EXAMPLE_ID,
                    "occurred_at": _EXAMPLE_TIME,
                    "reasons": ["low_confidence"],
                    "confidence": 0.41,
                    "tier": "pro",
                    "connection_id": None,
                },
                {
                    "schema_version": "1",
                    "request_id": _EXAMPLE_ID,
                    "occurred_at": _EXAMPLE_TIME,
                    "reasons": ["workflow_failed"],
                    "confidence": 0,
                    "tier": None,
                    "cause": "ThrottlingException",
                    "connection_id": "Ab12Cd34=",
                },
            ]
        }
    )

    reasons: list[EscalationReason] = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)
    tier: Tier | None = Field(description="Tier of the answer; None when no model answered (workflow failure).")
    cause: str | None = Field(
        default=None, max_length=256, description="Error name when the workflow failed; never user content."
    )
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)
    subject: str | None = Field(default=None, max_length=SUBJECT_MAX_LENGTH, description=_SUBJECT_DESCRIPTION)


DeliveryStatus = Literal["delivered", "connection_gone", "no_connection", "connection_unknown", "connection_not_owned"]
"""``connection_unknown``: no open connection of that id is recorded (never opened, closed or expired);
``connection_not_owned``: another caller opened it. Neither is pushed to; the result stays retrievable."""


class ResultDelivered(PlatformEvent):
    """The outcome was pushed to the requester's WebSocket (or could not be)."""

    DETAIL_TYPE: ClassVar[str] = "ResultDelivered"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "request_id": _EXAMPLE_ID,
                    "occurred_at": _EXAMPLE_TIME,
                    "status": "delivered",
                    "outcome": "DecisionMade",
                    "connection_id": "Ab12Cd34=",
                }
            ]
        }
    )

    status: DeliveryStatus
    outcome: Literal["DecisionMade", "EscalationRequested"] = Field(description="Detail-type that was delivered.")
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)


EVENT_TYPES: tuple[type[PlatformEvent], ...] = (
    RequestReceived,
    ModelAnswered,
    DecisionMade,
    EscalationRequested,
    ResultDelivered,
)
"""Every event the platform emits, in flow order."""


def event_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema of every platform event, keyed by EventBridge detail-type.

    Returns
    -------
    dict[str, dict[str, Any]]
        ``{detail_type: schema}``; each schema is pydantic's ``model_json_schema()`` (JSON Schema
        2020-12 dialect, nested models under ``$defs``) and carries an ``examples`` list.

    Examples
    --------
    >>> sorted(event_schemas())
    ['DecisionMade', 'EscalationRequested', 'ModelAnswered', 'RequestReceived', 'ResultDelivered']
    """
    return {cls.DETAIL_TYPE: cls.model_json_schema() for cls in EVENT_TYPES}


def event_schemas_json() -> dict[str, str]:
    """Return :func:`event_schemas` as canonical JSON text (stable key order), ready for a registry."""
    return {name: json.dumps(schema, sort_keys=True) for name, schema in event_schemas().items()}
