"""The reviewers' notice: the one message shape the review topic (and so the review queue) carries.

Two senders publish it: ``decide`` for an answer the business rules escalate (functions/decide/actions.py) and
the workflow's failure path for a request it could not finish (components/workflow.py builds it from
:data:`FROM_ESCALATION`). Reviewers need the *case*: which request, why, what answered, and where its document
is (a claim check). They do not need *who* asked or over which socket: the ``subject`` (the caller's JWT
``sub``) and the ``connection_id`` stay on ``EscalationRequested``, which only ``deliver`` reads, and never
reach the topic, which may fan out to e-mail (data classification and protection: P142, P187; the case, not
the person: P104). The prompt and the answer never travel either: they are in the claim check's document.

Importable with only pydantic installed (the workflow's definition is built at deploy time from it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.shared.events import EscalationReason, Tier

#: The fields the failure path copies from its ``EscalationRequested`` detail (``$.escalation``); the others
#: are null there: it has no claim check (its request never reached a stored document, or decide's is under
#: ``outputs/<date>/<request_id>.json`` and the reviewer finds it by the request id).
FROM_ESCALATION = ("schema_version", "request_id", "reasons", "confidence", "tier", "cause")


class ReviewNotice(BaseModel):
    """One case for the reviewers: identifiers, reasons and a claim check, never the caller or user content."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    schema_version: Literal["1"] = "1"
    request_id: str = Field(min_length=1)
    reasons: list[EscalationReason] = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)
    tier: Tier | None = Field(description="Tier of the answer; None when no model answered (workflow failure).")
    cause: str | None = Field(default=None, description="Error name when the workflow failed; never user content.")
    case_bucket: str | None = Field(default=None, description="Bucket of the claim check (the stored document).")
    case_key: str | None = Field(default=None, description="Key of the claim check; None when there is none.")


#: Every field of the notice, in order (the workflow's Pass state names exactly these).
FIELDS = tuple(ReviewNotice.model_fields)
