"""What the agent's action group accepts and answers (the bodies of its OpenAPI operations).

Bedrock passes request-body properties as strings (``requestBody.content."application/json".properties[]``,
each ``{name, type, value}``: docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html), so the
models keep to string fields.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from pydantic import BaseModel, ConfigDict, Field

from functions.shared.events import REQUEST_ID_PATTERN

#: The namespace of the agent's request ids (uuid5): distinct from the HTTP door's (functions/ingest/models.py).
AGENT_REQUEST_NAMESPACE = uuid.UUID("5d0c8e2a-3b7f-4c1e-9f46-2a8b1d6e0c37")

#: Audit-table ``outcome`` values (written by ``decide`` and by the workflow's failure path), plus
#: ``pending`` while no audit record exists yet. Plain strings in the schema: Bedrock reads OpenAPI 3.0,
#: which has no ``const`` keyword.
REQUEST_STATES = ("pending", "accepted", "escalated", "workflow_failed")


class SubmitRequest(BaseModel):
    """Body of POST /requests: the user's request, in their words, for back-end processing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(
        min_length=1,
        max_length=100_000,
        description="The user's request to process in the background, in the user's own words.",
    )


def session_digest(session_id: str) -> str:
    """The hex SHA-256 of an agent session id: what the audit table keeps to say which session submitted a request.

    Examples
    --------
    >>> len(session_digest("12345678912345"))
    64
    """
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SubmitCommand(BaseModel):
    """The idempotent unit of work: one prompt within one agent session.

    Examples
    --------
    >>> SubmitCommand(session_id="12345678912345", prompt="Summarise my last invoice").prompt
    'Summarise my last invoice'
    """

    model_config = ConfigDict(frozen=True)

    session_id: str
    prompt: str

    def request_id(self, generation: int = 0) -> str:
        """The id of the session's ``generation``-th request with this prompt (uuid5): a retry computes it again.

        The bus and the workflow then see one request however often the agent (or Lambda) retries, even when the
        idempotency store fails after the publish: the router and decide are idempotent on the request id. Which
        generation a submission is, :func:`functions.actions.submissions.claim` decides (a submission after the
        idempotency window is a new request, never the earlier one again). Generation 0 keeps the ids of before.

        Examples
        --------
        >>> a = SubmitCommand(session_id="12345678912345", prompt="p")
        >>> a.request_id() == SubmitCommand(session_id="12345678912345", prompt="p").request_id()
        True
        >>> a.request_id() == SubmitCommand(session_id="99999999999999", prompt="p").request_id()
        False
        >>> len({a.request_id(0), a.request_id(1), a.request_id(2)})
        3
        """
        material: list[str | int] = ["agent-session", self.session_id, self.prompt]
        if generation:
            material.append(generation)
        return str(uuid.uuid5(AGENT_REQUEST_NAMESPACE, json.dumps(material)))

    def session_digest(self) -> str:
        """:func:`session_digest` of this command's session."""
        return session_digest(self.session_id)


class SubmittedRequest(BaseModel):
    """Answer of POST /requests: the id to quote when asking for the request's status."""

    request_id: str = Field(description="Identifier of the accepted request (a UUID).")
    status: str = Field(description="Always 'accepted': processing continues in the background.")
    language: str = Field(description="ISO 639-1 code of the request's language, or 'und'.")


class RequestStatus(BaseModel):
    """Answer of GET /requests/{request_id}."""

    request_id: str = Field(pattern=REQUEST_ID_PATTERN, description="Identifier of the request (a UUID).")
    status: str = Field(
        description=(
            "'pending' until processing finishes, then 'accepted' (answered), "
            "'escalated' (a human reviewer will follow up) or 'workflow_failed' (handed to a human)."
        )
    )
    updated_at: str = Field(default="", description="When the status last changed (ISO 8601); empty while pending.")


class ErrorBody(BaseModel):
    """Every non-2xx answer: a stable code and a sentence the agent can relay to the user."""

    code: str
    message: str
